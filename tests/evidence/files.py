"""Evidence files for tests, made on the spot: PDFs, scans, photos with GPS, bombs, disguises.

Shared by the evidence and dossier tests and the benchmarks (no Django needed).
"""

from __future__ import annotations

import io
import random
import struct
import zlib
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")

SUMMONS_RU = """ПОВЕСТКА
Гражданину Иванову Ивану Петровичу, 1995 года рождения.
На основании Федерального закона «О воинской обязанности и военной службе»
Вы обязаны явиться 14 октября 2024 года к 09 часам 00 минутам
в военный комиссариат Центрального района города Новосибирска
по адресу: ул. Ленина, д. 12, кабинет 305, для уточнения данных воинского учёта.
При себе иметь паспорт, военный билет и настоящую повестку.
Неявка без уважительной причины влечёт ответственность по закону."""


def scan_of(text: str = SUMMONS_RU, *, dpi: int = 200, point: int = 12, noise: float = 0.02, angle: float = 0.7,
            seed: int = 7) -> Image.Image:  # fmt: skip
    """A grey 'scan' of ``text``: DejaVu Serif at ``point`` pt and ``dpi``, rotated, blurred, speckled."""
    rnd = random.Random(seed)
    pixels = round(point * dpi / 72)
    font = ImageFont.truetype(str(FONT), pixels)
    lines = text.split("\n")
    width = int(8.27 * dpi)
    height = int(pixels * 1.6 * len(lines) + 2 * dpi)
    image = Image.new("L", (width, height), 243)
    draw = ImageDraw.Draw(image)
    y = dpi
    for line in lines:
        draw.text((int(0.8 * dpi), y), line, font=font, fill=28)
        y += int(pixels * 1.6)
    image = image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=243)
    image = image.filter(ImageFilter.GaussianBlur(0.6))
    canvas = image.load()
    for _ in range(int(width * height * noise)):
        canvas[rnd.randrange(width), rnd.randrange(height)] = rnd.choice((0, 255))
    return image


def png_bytes(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def jpeg_with_gps(text: str = "PHOTO", *, latitude: float = 51.1694, longitude: float = 71.4491) -> bytes:
    """A small JPEG photo with camera make/model, a date and a GPS position in its EXIF."""
    image = Image.new("RGB", (640, 480), (200, 210, 220))
    ImageDraw.Draw(image).text((40, 200), text, font=ImageFont.truetype(str(FONT), 48), fill=(20, 20, 20))
    exif = Image.Exif()
    exif[0x010F] = "CanaryPhone"
    exif[0x0110] = "Model X"
    exif[0x0132] = "2024:10:01 12:00:00"

    def dms(value: float) -> tuple[float, float, float]:
        value = abs(value)
        degrees = int(value)
        minutes = int((value - degrees) * 60)
        return (float(degrees), float(minutes), round((value - degrees - minutes / 60) * 3600, 2))

    exif[0x8825] = {
        1: "N" if latitude >= 0 else "S",
        2: dms(latitude),
        3: "E" if longitude >= 0 else "W",
        4: dms(longitude),
    }
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, quality=85)
    return out.getvalue()


def text_pdf(text: str, *, title: str = "", author: str = "") -> bytes:
    """A PDF with a real text layer (WeasyPrint, fonts embedded), optional metadata."""
    from weasyprint import HTML

    body = "".join(f"<p>{line}</p>" for line in text.split("\n"))
    meta = (f"<title>{title}</title>" if title else "") + (f'<meta name="author" content="{author}">' if author else "")
    return HTML(
        string=f"<html><head>{meta}</head><body style='font-family: DejaVu Sans'>{body}</body></html>"
    ).write_pdf()


def image_pdf(image: Image.Image, *, dpi: int = 200) -> bytes:
    """A 'scanned' PDF: one page holding only an image (no text layer)."""
    out = io.BytesIO()
    image.convert("L").save(out, format="PDF", resolution=dpi)
    return out.getvalue()


def _pdf(objects: list[bytes], root: int = 1) -> bytes:
    """Assemble a PDF from numbered object bodies (1-based) with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root {root} 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def helvetica_pdf(text: str) -> bytes:
    """A one-page PDF drawing ASCII ``text`` in Helvetica, which it does NOT embed."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    return _pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ])  # fmt: skip


def page_count_bomb(pages: int = 100_000) -> bytes:
    """A tiny PDF whose page tree lists the same page ``pages`` times."""
    kids = b"[" + b" ".join([b"3 0 R"] * pages) + b"]"
    return _pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids " + kids + b" /Count " + str(pages).encode() + b" >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
    ])  # fmt: skip


def deflate_bomb(inflated_mb: int = 200) -> bytes:
    """A small PDF whose page content inflates to ``inflated_mb`` MB of zeros."""
    compressor = zlib.compressobj(9)
    chunk = b"\x00" * (1 << 20)
    packed = b"".join(compressor.compress(chunk) for _ in range(inflated_mb)) + compressor.flush()
    return _pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length " + str(len(packed)).encode() + b" /Filter /FlateDecode >>\nstream\n" + packed + b"\nendstream",
    ])  # fmt: skip


def pixel_bomb_png(width: int = 30_000, height: int = 30_000) -> bytes:
    """A small PNG declaring a gigantic canvas (900 megapixels) of one colour."""
    raw_row = b"\x00" + b"\x00" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(raw_row) for _ in range(height)) + compressor.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def elf_executable() -> bytes:
    """The start of a Linux ELF executable (what a malicious 'summons.pdf' might really be)."""
    return b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + bytes(range(256)) * 20


def windows_executable() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 50 + b"PE\x00\x00" + bytes(range(256)) * 20


def corrupt_pdf() -> bytes:
    return (
        b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ngarbage garbage\n%%EOF\n" + bytes(range(256)) * 4
    )


def truncated_png() -> bytes:
    return png_bytes(scan_of("truncated", dpi=72, noise=0))[:600]


def docx_bytes(author: str = "Canary Author") -> bytes:
    """A minimal Office Open XML document with an author in its core properties."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        )
        archive.writestr(
            "word/document.xml",
            '<w:document xmlns:w="w"><w:body><w:p><w:r><w:t>Заявление</w:t></w:r></w:p></w:body></w:document>',
        )
        archive.writestr(
            "docProps/core.xml",
            f'<cp:coreProperties xmlns:cp="cp" xmlns:dc="dc"><dc:creator>{author}</dc:creator></cp:coreProperties>',
        )
    return out.getvalue()
