"""A machine's photos and documents (imported by ``platforms.models``). The files go through
Django's storage API (``STORAGES["default"]``: local by default, an S3-compatible store in
production); ``platforms.services.media`` is the only code that writes them."""

import uuid
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.text import single_line


def _photo_path(instance: Any, filename: str) -> str:
    return f"machines/{instance.machine_id}/photos/{uuid.uuid4().hex}.jpg"


def _document_path(instance: Any, filename: str) -> str:
    return f"machines/{instance.machine_id}/documents/{uuid.uuid4().hex}.pdf"


class MachinePhoto(models.Model):
    """A photo as it was re-encoded (JPEG, no metadata, at most 1,600 px) and its thumbnail."""

    machine = models.ForeignKey(
        "platforms.Machine",
        on_delete=models.CASCADE,
        related_name="photos",
        verbose_name=_("machine"),
    )
    image = models.FileField(_("photo"), upload_to=_photo_path, max_length=200)
    thumbnail = models.FileField(_("thumbnail"), upload_to=_photo_path, max_length=200)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    caption = models.CharField(_("caption"), max_length=200, blank=True, validators=[single_line])
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("machine photo")
        verbose_name_plural = _("machine photos")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.caption or f"{self.machine_id}/{self.pk}"


class DocumentKind(models.TextChoices):
    SAFETY = "safety", _("Safety sheet")
    MANUAL = "manual", _("User manual")
    OTHER = "other", _("Other document")


class MachineDocument(models.Model):
    """A PDF about the machine, checked on upload (a PDF, no script), served as a download."""

    machine = models.ForeignKey(
        "platforms.Machine",
        on_delete=models.CASCADE,
        related_name="documents",
        verbose_name=_("machine"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200, validators=[single_line])
    file = models.FileField(_("file"), upload_to=_document_path, max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("machine document")
        verbose_name_plural = _("machine documents")
        ordering = ["kind", "title", "pk"]

    def __str__(self) -> str:
        return self.title
