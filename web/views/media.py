"""A machine's photos and documents: served to everyone who may see the machine (documents as
downloads, never shown inline), and added or removed by its platform's operators."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import DomainError
from platforms.models import MachineDocument, MachinePhoto
from platforms.services import (
    machine_document_add,
    machine_document_remove,
    machine_photo_add,
    machine_photo_remove,
)

from ..forms import MachineDocumentForm, MachinePhotoForm
from .common import HtmxHttpRequest
from .operator.base import operated_machine

DAY = 24 * 60 * 60


def photo(request: HtmxHttpRequest, pk: int, photo_pk: int, size: str) -> HttpResponseBase:
    if size not in ("photo", "thumbnail"):
        raise Http404
    shown = get_object_or_404(
        MachinePhoto,
        pk=photo_pk,
        machine_id=pk,
        machine__active=True,
        machine__platform__active=True,
    )
    stored = shown.thumbnail if size == "thumbnail" else shown.image
    response = FileResponse(stored.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = f"public, max-age={DAY}"
    return response


def document(request: HtmxHttpRequest, pk: int, document_pk: int) -> HttpResponseBase:
    shown = get_object_or_404(
        MachineDocument,
        pk=document_pk,
        machine_id=pk,
        machine__active=True,
        machine__platform__active=True,
    )
    return FileResponse(
        shown.file.open("rb"),
        as_attachment=True,
        filename=f"{slugify(shown.title) or 'document'}.pdf",
        content_type="application/pdf",
    )


def _said(request: HtmxHttpRequest, form: MachinePhotoForm | MachineDocumentForm) -> None:
    for errors in form.errors.values():
        messages.error(request, str(errors[0]))


@login_required
@require_POST
def photo_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    machine = operated_machine(request, pk)
    form = MachinePhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        _said(request, form)
    else:
        try:
            machine_photo_add(
                operator=request.user,
                machine=machine,
                upload=form.cleaned_data["image"],
                caption=form.cleaned_data["caption"],
            )
        except DomainError as error:
            messages.error(request, error.detail)
        else:
            messages.success(request, _("Photo added."))
    return redirect("web:operator-machine", pk=machine.pk)


@login_required
@require_POST
def photo_remove(request: HtmxHttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    machine = operated_machine(request, pk)
    machine_photo_remove(
        operator=request.user, photo=get_object_or_404(MachinePhoto, pk=photo_pk, machine=machine)
    )
    messages.success(request, _("Photo removed."))
    return redirect("web:operator-machine", pk=machine.pk)


@login_required
@require_POST
def document_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    machine = operated_machine(request, pk)
    form = MachineDocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        _said(request, form)
    else:
        try:
            machine_document_add(
                operator=request.user,
                machine=machine,
                upload=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
            )
        except DomainError as error:
            messages.error(request, error.detail)
        else:
            messages.success(request, _("Document added."))
    return redirect("web:operator-machine", pk=machine.pk)


@login_required
@require_POST
def document_remove(request: HtmxHttpRequest, pk: int, document_pk: int) -> HttpResponse:
    machine = operated_machine(request, pk)
    machine_document_remove(
        operator=request.user,
        document=get_object_or_404(MachineDocument, pk=document_pk, machine=machine),
    )
    messages.success(request, _("Document removed."))
    return redirect("web:operator-machine", pk=machine.pk)
