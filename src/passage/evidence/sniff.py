"""What a file is, from its first bytes (never from its name or the client's claim).

Accepted: PDF, common images, plain text and HTML (served only as attachments), Office Open
XML and OpenDocument files, RTF, and common audio and video containers (voice messages and
recordings of threats are evidence too). Refused with a reason: executables of every common
platform and scripts (whatever they are named), archives (they hide what they hold), legacy
OLE Office files (macro carriers: save them as PDF or DOCX), and anything unrecognised.

Text is only *probably* text from its head: :class:`TextCheck` follows the whole stream and
refuses a file that turns out not to be UTF-8 or holds NUL bytes.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

__all__ = ["HEAD_SIZE", "FileKind", "RefusedTypeError", "TextCheck", "sniff"]

HEAD_SIZE = 8192  # enough for every signature below


class RefusedTypeError(Exception):
    """The file's type is not accepted; ``reason`` is one of the codes below (no content)."""

    EXECUTABLE = "executable"
    ARCHIVE = "archive"
    LEGACY_OFFICE = "legacy_office"
    UNKNOWN = "unknown"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class FileKind:
    media_type: str
    family: str  # pdf | image | text | office | audio | video

    @property
    def is_text(self) -> bool:
        return self.family == "text"


PDF = FileKind("application/pdf", "pdf")
_IMAGES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
    b"II*\x00": "image/tiff",
    b"MM\x00*": "image/tiff",
}
_EXECUTABLES = (
    b"\x7fELF",  # Linux, BSD
    b"MZ",  # Windows PE, DOS
    b"\xfe\xed\xfa\xce",  # Mach-O 32
    b"\xfe\xed\xfa\xcf",  # Mach-O 64
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal, Java class
    b"#!",  # scripts
    b"\x00asm",  # WebAssembly
    b"dex\n",  # Android
)
_ARCHIVES = (b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00", b"\x28\xb5\x2f\xfd", b"MSCF")
_FTYP_IMAGES = {b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1", b"avif"}
_FTYP_AUDIO = {b"M4A ", b"M4B "}
_ODF = b"mimetypeapplication/vnd.oasis.opendocument."


def _ftyp(head: bytes) -> FileKind | None:
    if head[4:8] != b"ftyp":
        return None
    brand = head[8:12]
    if brand in _FTYP_IMAGES:
        return FileKind("image/avif" if brand == b"avif" else "image/heic", "image")
    if brand in _FTYP_AUDIO:
        return FileKind("audio/mp4", "audio")
    if brand == b"qt  ":
        return FileKind("video/quicktime", "video")
    if brand.startswith(b"3g"):
        return FileKind("video/3gpp", "video")
    return FileKind("video/mp4", "video")


def _zip(head: bytes) -> FileKind:
    if head[30 : 30 + len(_ODF)] == _ODF:
        subtype = head[30 + len(_ODF) : 30 + len(_ODF) + 12]
        if subtype.startswith(b"spreadsheet"):
            return FileKind("application/vnd.oasis.opendocument.spreadsheet", "office")
        if subtype.startswith(b"presentation"):
            return FileKind("application/vnd.oasis.opendocument.presentation", "office")
        return FileKind("application/vnd.oasis.opendocument.text", "office")
    if b"[Content_Types].xml" in head or b"_rels/.rels" in head:
        if b"word/" in head:
            return FileKind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "office")
        if b"xl/" in head:
            return FileKind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "office")
        if b"ppt/" in head:
            return FileKind("application/vnd.openxmlformats-officedocument.presentationml.presentation", "office")
        return FileKind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "office")
    raise RefusedTypeError(RefusedTypeError.ARCHIVE)


def _looks_like_text(head: bytes, complete: bool) -> bool:
    if b"\x00" in head:
        return False
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=complete)
    except UnicodeDecodeError:
        return False
    return True


def sniff(head: bytes, *, complete: bool = False) -> FileKind:
    """The kind of file whose first bytes are ``head``.

    Args:
        head: the first :data:`HEAD_SIZE` bytes (or the whole file if shorter).
        complete: ``head`` is the whole file.

    Raises:
        RefusedTypeError: the type is not accepted, with the reason.
        ValueError: ``head`` is empty.
    """
    if not head:
        raise ValueError("empty")
    for signature in _EXECUTABLES:
        if head.startswith(signature):
            raise RefusedTypeError(RefusedTypeError.EXECUTABLE)
    if b"%PDF-" in head[:1024]:
        return PDF
    for signature, media_type in _IMAGES.items():
        if head.startswith(signature):
            return FileKind(media_type, "image")
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return FileKind("image/webp", "image")
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return FileKind("audio/wav", "audio")
    if (
        head.startswith(b"BM")
        and len(head) >= 18
        and int.from_bytes(head[14:18], "little") in (12, 40, 52, 56, 108, 124)
    ):
        return FileKind("image/bmp", "image")
    found = _ftyp(head)
    if found is not None:
        return found
    if head.startswith(b"OggS"):
        return FileKind("audio/ogg", "audio")
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return FileKind("audio/mpeg", "audio")
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return FileKind("video/webm", "video")
    if head.startswith(b"PK\x03\x04"):
        return _zip(head)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise RefusedTypeError(RefusedTypeError.LEGACY_OFFICE)
    for signature in _ARCHIVES:
        if head.startswith(signature):
            raise RefusedTypeError(RefusedTypeError.ARCHIVE)
    if head.startswith(b"{\\rtf"):
        return FileKind("application/rtf", "text")
    if _looks_like_text(head, complete):
        start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:64].lower()
        if start.startswith((b"<!doctype html", b"<html")):
            return FileKind("text/html", "text")
        return FileKind("text/plain", "text")
    raise RefusedTypeError(RefusedTypeError.UNKNOWN)


class TextCheck:
    """Follows a text file to its end: refuses NUL bytes and invalid UTF-8 anywhere."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")()

    def feed(self, data: bytes, *, final: bool = False) -> None:
        """Raises :class:`RefusedTypeError` (unknown) when the data is not text after all."""
        if b"\x00" in data:
            raise RefusedTypeError(RefusedTypeError.UNKNOWN)
        try:
            self._decoder.decode(data, final=final)
        except UnicodeDecodeError:
            raise RefusedTypeError(RefusedTypeError.UNKNOWN) from None
