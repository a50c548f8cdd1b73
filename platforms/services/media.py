"""A machine's photos and documents, checked and written by the platform's operators.

Photos are read with Pillow and re-encoded — JPEG, at most ``PHOTO_SIDE`` pixels a side, their
metadata (EXIF: place, camera, owner) left behind — with a thumbnail; a file Pillow cannot read
as JPEG, PNG or WebP is refused (a script named .jpg, an SVG), as is an image too large to
decode safely. Documents are PDFs only, refused when they hold JavaScript or a launch action
(also inside compressed object streams: every object is read with pypdf).
"""

import re
from io import BytesIO
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import DictionaryObject

from accounts.audit import audit_record, state_of

from ..exceptions import (
    FileTooLarge,
    ImageTooLarge,
    MachineNotAllowed,
    NotAnImage,
    NotAPdf,
    PdfWithScript,
    TooManyFiles,
)
from ..media_models import MachineDocument, MachinePhoto
from ..models import Machine
from ..selectors import user_operates

MB = 1024 * 1024
MAX_PHOTO_BYTES = 10 * MB
MAX_PIXELS = 40_000_000
PHOTO_SIDE = 1600
THUMBNAIL_SIDE = 400
MAX_PHOTOS = 12
MAX_DOCUMENT_BYTES = 20 * MB
MAX_DOCUMENTS = 10
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}
# Names that make a PDF act when opened; "#4A" is how a name may spell "J" to hide it.
SCRIPT_NAMES = {"/JavaScript", "/JS", "/Launch"}
RAW_SCRIPT = re.compile(rb"/(JavaScript|JS|Launch)\b")
NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


def _check_operator(operator: Any, machine: Machine) -> None:
    if not user_operates(user=operator, platform=machine.platform):
        raise MachineNotAllowed()


def _read(upload: Any, limit: int) -> bytes:
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise FileTooLarge(limit=limit // MB)
    return bytes(data)


def _jpeg(image: Image.Image, side: int) -> bytes:
    copy = image.copy()
    copy.thumbnail((side, side))
    out = BytesIO()
    copy.save(out, "JPEG", quality=85, optimize=True)  # no exif= given: none is written
    return out.getvalue()


def photo_encoded(data: bytes) -> tuple[bytes, bytes, tuple[int, int]]:
    """The photo re-encoded and its thumbnail, from an upload's bytes; or a refusal."""
    try:
        with Image.open(BytesIO(data)) as probe:
            if probe.format not in PHOTO_FORMATS:
                raise NotAnImage()
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise ImageTooLarge(limit=MAX_PIXELS // 1_000_000)
            probe.verify()
        with Image.open(BytesIO(data)) as image:
            upright = ImageOps.exif_transpose(image).convert("RGB")
    except Image.DecompressionBombError:
        # Pillow's own guard, for an image far past ours (its header alone says so).
        raise ImageTooLarge(limit=MAX_PIXELS // 1_000_000) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise NotAnImage() from None
    photo = _jpeg(upright, PHOTO_SIDE)
    with Image.open(BytesIO(photo)) as written:
        size = written.size
    return photo, _jpeg(upright, THUMBNAIL_SIDE), size


def pdf_checked(data: bytes) -> None:
    """Refuse what is not a readable PDF, or one that acts when opened."""
    if not data.lstrip()[:5] == b"%PDF-":
        raise NotAPdf()
    unescaped = NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)
    if RAW_SCRIPT.search(unescaped):
        raise PdfWithScript()
    try:
        reader = PdfReader(BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise NotAPdf()
        for number in _object_numbers(reader):
            found = reader.get_object(number)
            if isinstance(found, DictionaryObject) and SCRIPT_NAMES & set(found.keys()):
                raise PdfWithScript()
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise NotAPdf() from None


def _object_numbers(reader: PdfReader) -> list[int]:
    """Every indirect object's number, compressed object streams included."""
    numbers: set[int] = set(reader.xref_objStm)
    for objects in reader.xref.values():
        numbers.update(objects)
    return sorted(numbers)


@transaction.atomic
def machine_photo_add(
    *, operator: Any, machine: Machine, upload: Any, caption: str = ""
) -> MachinePhoto:
    _check_operator(operator, machine)
    if machine.photos.count() >= MAX_PHOTOS:
        raise TooManyFiles(limit=MAX_PHOTOS)
    photo_bytes, thumbnail_bytes, (width, height) = photo_encoded(_read(upload, MAX_PHOTO_BYTES))
    photo = MachinePhoto(machine=machine, caption=caption, width=width, height=height)
    photo.image.save("photo.jpg", ContentFile(photo_bytes), save=False)
    photo.thumbnail.save("thumbnail.jpg", ContentFile(thumbnail_bytes), save=False)
    photo.save()
    audit_record(
        actor=operator, action="machine.photo_added", obj=machine, after={"photo": photo.pk}
    )
    return photo


@transaction.atomic
def machine_photo_remove(*, operator: Any, photo: MachinePhoto) -> None:
    _check_operator(operator, photo.machine)
    audit_record(
        actor=operator,
        action="machine.photo_removed",
        obj=photo.machine,
        before={"photo": photo.pk},
    )
    files = [photo.image.name, photo.thumbnail.name]
    storage = photo.image.storage
    photo.delete()
    transaction.on_commit(lambda: [storage.delete(name) for name in files if name])


@transaction.atomic
def machine_document_add(
    *, operator: Any, machine: Machine, upload: Any, kind: str, title: str
) -> MachineDocument:
    _check_operator(operator, machine)
    if machine.documents.count() >= MAX_DOCUMENTS:
        raise TooManyFiles(limit=MAX_DOCUMENTS)
    data = _read(upload, MAX_DOCUMENT_BYTES)
    pdf_checked(data)
    document = MachineDocument(machine=machine, kind=kind, title=title, size=len(data))
    document.file.save("document.pdf", ContentFile(data), save=False)
    document.save()
    audit_record(
        actor=operator,
        action="machine.document_added",
        obj=machine,
        after={"document": document.pk, **state_of(document, ["kind", "title"])},
    )
    return document


@transaction.atomic
def machine_document_remove(*, operator: Any, document: MachineDocument) -> None:
    _check_operator(operator, document.machine)
    audit_record(
        actor=operator,
        action="machine.document_removed",
        obj=document.machine,
        before={"document": document.pk, "title": document.title},
    )
    name, storage = document.file.name, document.file.storage
    document.delete()
    transaction.on_commit(lambda: storage.delete(name) if name else None)
