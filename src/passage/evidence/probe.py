"""Checks one file in a separate, resource-limited process: ``python -m passage.evidence.probe TYPE``.

The plaintext arrives on stdin (through a pipe: it is never written to disk) and one JSON object
leaves on stdout: whether the file can be read, why not, its page count, page sizes and the
metadata a lawyer should know about (EXIF with GPS, PDF author and dates, Office authors). A
malicious file (a PDF bomb, a decompression bomb, a parser crash) can only hurt this process,
which runs under memory, CPU-time and wall-clock limits set by :func:`run_probe` and dies alone.

Imports nothing from Django or the rest of Passage: it must start fast and hold no secrets.
"""

from __future__ import annotations

import io
import json
import re
import sys
import warnings
import zipfile
from typing import Any

__all__ = ["LIMITS", "probe"]

LIMITS = {
    "max_pages": 2000,  # a bigger "document" is a page-count bomb, not evidence
    "max_pixels": 80_000_000,  # per image (80 MP: any phone photo or A3 scan at 600 dpi)
    "max_frames": 200,
    "max_stream_bytes": 50_000_000,  # decompressed size of one PDF stream
    "pages_checked": 300,  # content streams decoded to find deflate bombs
    "max_zip_entries": 5000,
    "max_zip_bytes": 500_000_000,
    "max_value_chars": 300,
}

_EXIF_WANTED = {
    0x010F: "Camera make",
    0x0110: "Camera model",
    0x0131: "Software",
    0x0132: "Modified",
    0x013B: "Artist",
    0x8298: "Copyright",
    0x9003: "Taken",
    0x9004: "Digitised",
    0xA430: "Camera owner",
    0xA431: "Camera serial number",
    0xA434: "Lens",
    0x010E: "Description",
    0x9C9B: "Title",
    0x9C9D: "Author",
}
_DEVICE_TAGS = {0x010F, 0x0110, 0xA431, 0xA434}
_PERSON_TAGS = {0x013B, 0x8298, 0xA430, 0x9C9D}


def _clip(value: Any) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-16-le", "replace") if value[1:2] == b"\x00" else value.decode("utf-8", "replace")
    text = " ".join(str(value).replace("\x00", "").split())
    limit = LIMITS["max_value_chars"]
    return text if len(text) <= limit else text[:limit] + "…"


def _gps_degrees(values: Any, ref: Any) -> float | None:
    try:
        degrees, minutes, seconds = (float(part) for part in values)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    decimal = degrees + minutes / 60 + seconds / 3600
    if str(ref).upper().startswith(("S", "W")):
        decimal = -decimal
    return round(decimal, 6)


def _image(data: bytes, result: dict[str, Any]) -> None:
    from PIL import Image, ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = False
    Image.MAX_IMAGE_PIXELS = LIMITS["max_pixels"]
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except Image.DecompressionBombError:
            result.update(ok=False, error="bomb")
            return
        width, height = image.size
        frames = getattr(image, "n_frames", 1)
        if (
            width * height * min(frames, LIMITS["max_frames"]) > LIMITS["max_pixels"] * 2
            or frames > LIMITS["max_frames"]
        ):
            result.update(ok=False, error="bomb")
            return
        image.load()  # decodes every pixel of the first frame: truncated or corrupt data fails here
    result.update(width=width, height=height, pages=frames, format=image.format or "")
    metadata: list[list[str]] = []
    flags: set[str] = set()
    exif = image.getexif()
    for tag, label in _EXIF_WANTED.items():
        if tag in exif and str(exif[tag]).strip():
            metadata.append([label, _clip(exif[tag])])
            flags.add("device" if tag in _DEVICE_TAGS else "person" if tag in _PERSON_TAGS else "dates")
    try:
        sub = exif.get_ifd(0x8769)
    except Exception:
        sub = {}
    for tag in (0x9003, 0x9004, 0xA430, 0xA431, 0xA434):
        if tag in sub and str(sub[tag]).strip():
            metadata.append([_EXIF_WANTED[tag], _clip(sub[tag])])
            flags.add("device" if tag in _DEVICE_TAGS else "person" if tag in _PERSON_TAGS else "dates")
    try:
        gps = exif.get_ifd(0x8825)
    except Exception:
        gps = {}
    if gps:
        latitude = _gps_degrees(gps.get(2), gps.get(1, "N"))
        longitude = _gps_degrees(gps.get(4), gps.get(3, "E"))
        if latitude is not None and longitude is not None:
            metadata.append(["GPS position", f"{latitude}, {longitude}"])
        else:
            metadata.append(["GPS data", "present"])
        flags.add("gps")
    for key in ("Author", "Comment", "Description", "Software", "Title", "Creation Time", "comment"):
        value = image.info.get(key)
        if isinstance(value, str | bytes) and value:
            metadata.append([key.capitalize(), _clip(value)])
            flags.add("text")
    result.update(metadata=metadata, flags=sorted(flags))


def _pdf_date(value: Any) -> str:
    text = _clip(value)
    match = re.match(r"^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?", text)
    if not match:
        return text
    year, month, day, hour, minute = match.groups()
    out = "-".join(part for part in (year, month, day) if part)
    return f"{out} {hour}:{minute}" if hour and minute else out


def _pdf(data: bytes, result: dict[str, Any]) -> None:
    from pypdf import PdfReader
    from pypdf._configuration import overwrite_configuration
    from pypdf.errors import PdfReadError

    overwrite_configuration(
        zlib_maximum_output_length=LIMITS["max_stream_bytes"],
        lzw_maximum_output_length=LIMITS["max_stream_bytes"],
        run_length_maximum_output_length=LIMITS["max_stream_bytes"],
        brotli_maximum_output_length=LIMITS["max_stream_bytes"],
        maximum_declared_stream_length=LIMITS["max_stream_bytes"],
        stream_decoding_work_maximum_length=LIMITS["max_stream_bytes"] * 2,
        page_tree_maximum_page_entries=LIMITS["max_pages"] * 10,
        page_tree_maximum_entries=LIMITS["max_pages"] * 10,
    )
    reader = PdfReader(io.BytesIO(data), strict=False)
    flags: set[str] = set()
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("")
        except (PdfReadError, NotImplementedError, ValueError):
            opened = 0
        if not opened:
            result.update(ok=False, error="encrypted")
            return
        flags.add("encrypted")
    count = len(reader.pages)
    if count == 0:
        result.update(ok=False, error="corrupt")
        return
    if count > LIMITS["max_pages"]:
        result.update(ok=False, error="bomb")
        return
    sizes: list[list[float]] = []
    for number, page in enumerate(reader.pages):
        if number >= LIMITS["pages_checked"]:
            break
        box = page.mediabox
        width, height = abs(float(box.width)), abs(float(box.height))
        if not (1 <= width <= 15000 and 1 <= height <= 15000):
            result.update(ok=False, error="corrupt")
            return
        sizes.append([round(width, 1), round(height, 1), int(page.get("/Rotate", 0) or 0) % 360])
        contents = page.get_contents()
        if contents is not None:
            contents.get_data()  # inflates the page's content: a deflate bomb fails here
    metadata: list[list[str]] = []
    info = reader.metadata or {}
    for key, label in (("/Author", "Author"), ("/Creator", "Created with"), ("/Producer", "Producer"),
                       ("/Title", "Title"), ("/Subject", "Subject"), ("/Keywords", "Keywords")):  # fmt: skip
        if info.get(key):
            metadata.append([label, _clip(info[key])])
            flags.add("person" if key == "/Author" else "text")
    for key, label in (("/CreationDate", "Created"), ("/ModDate", "Modified")):
        if info.get(key):
            metadata.append([label, _pdf_date(info[key])])
            flags.add("dates")
    root = reader.trailer["/Root"]
    if "/Metadata" in root:
        metadata.append(["XMP metadata", "present"])
        flags.add("xmp")
    names = root.get("/Names", {})
    if "/JavaScript" in names or "/OpenAction" in root or "/AA" in root:
        flags.add("javascript")
        metadata.append(["Active content", "JavaScript or automatic actions"])
    if "/EmbeddedFiles" in names:
        flags.add("embedded_files")
        metadata.append(["Attachments", "embedded files"])
    if "/AcroForm" in root:
        flags.add("forms")
    result.update(pages=count, page_sizes=sizes, metadata=metadata, flags=sorted(flags))


def _office(data: bytes, result: dict[str, Any]) -> None:
    from xml.etree import ElementTree

    archive = zipfile.ZipFile(io.BytesIO(data))
    entries = archive.infolist()
    if len(entries) > LIMITS["max_zip_entries"] or sum(entry.file_size for entry in entries) > LIMITS["max_zip_bytes"]:
        result.update(ok=False, error="bomb")
        return
    metadata: list[list[str]] = []
    flags: set[str] = set()
    names = {entry.filename: entry for entry in entries}
    if any(name.lower().endswith(("vbaproject.bin", ".bin")) for name in names):
        flags.add("macros")
        metadata.append(["Active content", "macros or embedded binaries"])
    for name in ("docProps/core.xml", "meta.xml"):
        entry = names.get(name)
        if entry is None or entry.file_size > 1_000_000:
            continue
        tree = ElementTree.fromstring(archive.read(entry))  # noqa: S314 - no entities in ElementTree, size bounded
        for element in tree.iter():
            tag = element.tag.rsplit("}", 1)[-1]
            label = {"creator": "Author", "lastModifiedBy": "Last modified by", "initial-creator": "Author",
                     "created": "Created", "modified": "Modified", "creation-date": "Created", "date": "Modified",
                     "title": "Title", "company": "Company"}.get(tag)  # fmt: skip
            if label and element.text and element.text.strip():
                metadata.append([label, _clip(element.text)])
                flags.add("dates" if label in ("Created", "Modified") else "person")
    result.update(metadata=metadata, flags=sorted(flags))


def probe(media_type: str, data: bytes) -> dict[str, Any]:
    """Check ``data`` of ``media_type``; returns ``{"ok": bool, "error": code, ...}``.

    Error codes: ``corrupt`` (cannot be read), ``bomb`` (over a page, pixel or decompression
    limit), ``encrypted`` (a password-protected PDF).
    """
    result: dict[str, Any] = {"ok": True, "error": "", "pages": None, "metadata": [], "flags": []}
    family = media_type.split("/", 1)[0]
    try:
        if media_type == "application/pdf":
            _pdf(data, result)
        elif family == "image" and media_type not in ("image/heic", "image/avif"):
            _image(data, result)
        elif media_type.startswith(("application/vnd.openxmlformats", "application/vnd.oasis")):
            _office(data, result)
    except MemoryError:
        result.update(ok=False, error="bomb")
    except RecursionError:
        result.update(ok=False, error="corrupt")
    except Exception as error:
        result.update(ok=False, error="bomb" if type(error).__name__ == "LimitReachedError" else "corrupt")
    return result


def main() -> int:
    import logging

    logging.disable(logging.CRITICAL)  # parser warnings may quote the file: say nothing
    warnings.simplefilter("ignore")
    media_type = sys.argv[1] if len(sys.argv) > 1 else ""
    data = sys.stdin.buffer.read()
    json.dump(probe(media_type, data), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
