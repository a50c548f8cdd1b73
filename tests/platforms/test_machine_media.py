"""A machine's photos and documents: re-encoded without metadata, bounded, and every bad file
refused with its reason — a script named .jpg, a 50 MB image, a decompression bomb, an SVG, a
PDF with JavaScript (plain or hidden in a compressed object stream)."""

import struct
import zlib
from io import BytesIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.actions import JavaScript

from platforms import exceptions as exc
from platforms.media_models import MachineDocument, MachinePhoto
from platforms.services import (
    machine_document_add,
    machine_document_remove,
    machine_photo_add,
    machine_photo_remove,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def jpeg_with_gps(size: tuple[int, int] = (3000, 2000)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "Appareil du propriétaire"  # Make
    exif[0x8825] = {2: (48.0, 51.0, 24.0)}  # GPS latitude
    out = BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def pdf(javascript: str | None = None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if javascript:
        writer.add_open_action(JavaScript(javascript))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_script_in_an_object_stream() -> bytes:
    """A PDF 1.5 whose open action (JavaScript) lies compressed in an object stream: no byte
    of the file spells /JS."""
    action = b"<< /S /JavaScript /JS (app.alert(1)) >>"
    packed = zlib.compress(b"4 0 " + action)
    parts = [b"%PDF-1.5\n"]
    offsets = {}
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
        2: b"<< /Type /Pages /Kids [] /Count 0 >>",
        3: b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\n"
        b"stream\n%s\nendstream" % (len(packed), packed),
    }
    for number, body in objects.items():
        offsets[number] = sum(len(part) for part in parts)
        parts.append(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    offsets[5] = sum(len(part) for part in parts)
    rows = [struct.pack(">BIH", 0, 0, 0xFFFF)]
    rows += [struct.pack(">BIH", 1, offsets[n], 0) for n in (1, 2, 3)]
    rows += [struct.pack(">BIH", 2, 3, 0), struct.pack(">BIH", 1, offsets[5], 0)]
    table = b"".join(rows)
    parts.append(
        b"5 0 obj\n<< /Type /XRef /Size 6 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n%s"
        b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % (len(table), table, offsets[5])
    )
    return b"".join(parts)


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> Any:
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_a_photo_is_re_encoded_smaller_without_its_metadata(machine, operator):
    photo = machine_photo_add(
        operator=operator, machine=machine, upload=upload("a.jpg", jpeg_with_gps()), caption="Vue"
    )

    with photo.image.open() as stored, Image.open(stored) as image:
        assert image.format == "JPEG" and max(image.size) == 1600
        assert not image.getexif()
    with photo.thumbnail.open() as stored, Image.open(stored) as thumbnail:
        assert max(thumbnail.size) == 400
    assert (photo.width, photo.height) == (1600, 1067)


@pytest.mark.parametrize(
    ("name", "data", "error"),
    [
        ("shell.jpg", b"<?php system($_GET['c']); ?>", exc.NotAnImage),
        (
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            exc.NotAnImage,
        ),
        ("huge.jpg", None, exc.FileTooLarge),
        ("empty.png", b"", exc.NotAnImage),
        ("anim.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", exc.NotAnImage),
    ],
    ids=["php-named-jpg", "svg", "50-mb", "empty", "gif"],
)
def test_a_bad_photo_is_refused_and_nothing_is_kept(
    machine, operator, media_root, name, data, error
):
    data = data if data is not None else b"\xff\xd8\xff" + bytes(50 * 1024 * 1024)
    with pytest.raises(error):
        machine_photo_add(operator=operator, machine=machine, upload=upload(name, data))

    assert not MachinePhoto.objects.exists()
    assert not any(path.is_file() for path in media_root.rglob("*"))


def test_a_decompression_bomb_is_refused_before_it_is_decoded(machine, operator):
    bomb = BytesIO()
    Image.new("1", (10_000, 10_000)).save(bomb, "PNG")  # 100 million pixels, a small file

    with pytest.raises(exc.ImageTooLarge):
        machine_photo_add(
            operator=operator, machine=machine, upload=upload("b.png", bomb.getvalue())
        )


def test_a_header_announcing_a_billion_pixels_is_refused_as_too_large(machine, operator):
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", 32_000, 32_000, 1, 0, 0, 0, 0)
    forged = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")

    with pytest.raises(exc.ImageTooLarge):
        machine_photo_add(operator=operator, machine=machine, upload=upload("b.png", forged))


def test_a_pdf_is_kept_as_sent_and_removed_with_its_file(machine, operator, media_root):
    data = pdf()
    document = machine_document_add(
        operator=operator, machine=machine, upload=upload("f.pdf", data), kind="safety", title="FDS"
    )

    with document.file.open() as stored:
        assert stored.read() == data
    assert document.size == len(data)

    machine_document_remove(operator=operator, document=document)
    assert not MachineDocument.objects.exists()


def test_the_hidden_script_is_really_hidden_from_a_byte_scan() -> None:
    data = pdf_with_script_in_an_object_stream()
    assert b"/JS" not in data and b"JavaScript" not in data
    assert "/JS" in PdfReader(BytesIO(data)).get_object(4)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (pdf(javascript="app.alert('hello');"), exc.PdfWithScript),
        (pdf_with_script_in_an_object_stream(), exc.PdfWithScript),
        (
            pdf().replace(b"/Pages", b"/Pages /OpenAction << /S /J#61vaScript /JS (x) >>", 1),
            exc.PdfWithScript,
        ),
        (b"%PDF-1.7\n garbage that is no PDF", exc.NotAPdf),
        (jpeg_with_gps((10, 10)), exc.NotAPdf),
        (None, exc.FileTooLarge),
    ],
    ids=["javascript", "in-object-stream", "hex-escaped-name", "garbage", "jpeg", "21-mb"],
)
def test_a_bad_document_is_refused(machine, operator, data, error):
    data = data if data is not None else b"%PDF-" + bytes(21 * 1024 * 1024)
    with pytest.raises(error):
        machine_document_add(
            operator=operator,
            machine=machine,
            upload=upload("f.pdf", data),
            kind="manual",
            title="M",
        )

    assert not MachineDocument.objects.exists()


def test_only_the_platforms_operators_change_a_machines_files(machine, operator):
    photo = machine_photo_add(
        operator=operator, machine=machine, upload=upload("a.jpg", jpeg_with_gps((100, 80)))
    )
    stranger = UserFactory()

    with pytest.raises(exc.MachineNotAllowed):
        machine_photo_add(
            operator=stranger, machine=machine, upload=upload("a.jpg", jpeg_with_gps())
        )
    with pytest.raises(exc.MachineNotAllowed):
        machine_photo_remove(operator=stranger, photo=photo)
    assert MachinePhoto.objects.count() == 1
