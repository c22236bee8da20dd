"""Building the dossier PDF: WeasyPrint for what we write, pypdf for the evidence PDFs.

1. The written part — cover, letter, summary, checklist, index, image annexes and translated
   texts — is one HTML document rendered by WeasyPrint with DejaVu fonts (Cyrillic and Latin)
   handed to it as registered ``data:`` URIs, through :class:`RestrictiveFetcher`: user text is
   escaped by the template and could not fetch a URL or a file even if it were not.
2. Evidence PDFs are copied page by page into the result (no document catalogue, so no
   JavaScript, open actions, attachments, forms or document metadata come along; page-level
   actions, annotations and — when stripping — page XMP are removed). A page that uses a font
   that is not embedded, or carries form or comment annotations whose look would be lost, is
   printed as an image (``pdftoppm``, sandboxed) so every font in the dossier is embedded.
3. Each copied page gets a stamp with its annex number, drawn by WeasyPrint (all stamps in one
   render, one page size per page) and merged onto the page with pypdf.

Memory: the dossier is built in memory (every attached file is bounded by the upload limit,
pages by :data:`MAX_ANNEX_PAGES` and :data:`MAX_TOTAL_PAGES`).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from PIL import Image, ImageOps
from pypdf import PageObject, PdfReader, PdfWriter, Transformation
from pypdf._configuration import overwrite_configuration
from pypdf.generic import NameObject

from passage.dossier.content import DossierContent
from passage.dossier.fetcher import AssetRegistry, RestrictiveFetcher
from passage.dossier.wording import WORDS, format_date
from passage.evidence.sandbox import SandboxError, run_limited

__all__ = ["FONT_FILES", "BuildResult", "DossierBuildError", "build_pdf", "html_to_pdf"]

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = {
    ("DejaVu Sans", "normal", "normal"): "DejaVuSans.ttf",
    ("DejaVu Sans", "bold", "normal"): "DejaVuSans-Bold.ttf",
    ("DejaVu Sans", "normal", "italic"): "DejaVuSans-Oblique.ttf",
    ("DejaVu Sans Mono", "normal", "normal"): "DejaVuSansMono.ttf",
}
MAX_ANNEX_PAGES = 150
MAX_TOTAL_PAGES = 2000
IMAGE_MAX_SIDE = 2000
RASTER_DPI = 150
STREAM_LIMIT = 50_000_000

logging.getLogger("weasyprint").setLevel(logging.ERROR)  # its warnings quote URLs and text
logging.getLogger("fontTools").setLevel(logging.ERROR)


class DossierBuildError(Exception):
    """The dossier could not be built (fonts missing, an annex unreadable): a sentence, no content."""


@dataclass
class BuildResult:
    pdf: bytes
    pages: int
    notes: dict[int, str] = field(default_factory=dict)  # annex number -> why it was not (fully) attached
    refused_urls: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def _font_bytes() -> dict[tuple[str, str, str], bytes]:
    fonts = {}
    for key, name in FONT_FILES.items():
        path = FONT_DIR / name
        if not path.is_file():
            raise DossierBuildError(
                f"font {name} is missing: install the Debian package fonts-dejavu-core (scripts/install-system.sh)"
            )
        fonts[key] = path.read_bytes()
    return fonts


def _font_css(registry: AssetRegistry) -> str:
    rules = []
    for (family, weight, style), data in _font_bytes().items():
        uri = registry.add(data, "font/ttf")
        rules.append(
            f'@font-face {{ font-family: "{family}"; font-weight: {weight}; font-style: {style}; src: url("{uri}"); }}'
        )
    return "\n".join(rules)


def html_to_pdf(html: str, registry: AssetRegistry, css: str = "") -> tuple[bytes, Any, RestrictiveFetcher]:
    """Render HTML with only ``registry``'s assets reachable; returns (pdf, document, fetcher)."""
    from weasyprint import CSS, HTML

    fetcher = RestrictiveFetcher(registry)
    stylesheets = [CSS(string=_font_css(registry) + css, url_fetcher=fetcher)]
    document = HTML(string=html, base_url=None, url_fetcher=fetcher).render(stylesheets=stylesheets)
    return document.write_pdf(), document, fetcher


# -- images --------------------------------------------------------------------------------------


def _image_for_print(data: bytes, strip: bool) -> tuple[bytes, str]:
    """The image upright, at most IMAGE_MAX_SIDE pixels, re-encoded (EXIF kept only if not stripping)."""
    Image.MAX_IMAGE_PIXELS = 80_000_000
    image = Image.open(io.BytesIO(data))
    exif = image.info.get("exif") if not strip else None
    image = ImageOps.exif_transpose(image) or image
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, "white")
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    image.thumbnail((IMAGE_MAX_SIDE, IMAGE_MAX_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    options: dict[str, Any] = {"quality": 85, "optimize": True}
    if exif:
        options["exif"] = exif
    image.save(out, format="JPEG", **options)
    return out.getvalue(), "image/jpeg"


# -- evidence PDFs -------------------------------------------------------------------------------


def _limits() -> None:
    overwrite_configuration(
        zlib_maximum_output_length=STREAM_LIMIT, lzw_maximum_output_length=STREAM_LIMIT,
        maximum_declared_stream_length=STREAM_LIMIT, page_tree_maximum_page_entries=MAX_TOTAL_PAGES * 10,
    )  # fmt: skip


def _fonts_embedded(resources: Any, depth: int = 0) -> bool:
    """True when every font the page (and its form XObjects) uses is embedded."""
    if resources is None or depth > 8:
        return True
    resources = resources.get_object()
    fonts = resources.get("/Font")
    if fonts is not None:
        for font_ref in fonts.get_object().values():
            font = font_ref.get_object()
            subtype = font.get("/Subtype")
            if subtype == "/Type3":
                if not _fonts_embedded(font.get("/Resources"), depth + 1):
                    return False
                continue
            if subtype == "/Type0":
                descendants = font.get("/DescendantFonts")
                font = descendants.get_object()[0].get_object() if descendants else font
            descriptor = font.get("/FontDescriptor")
            if descriptor is None:
                return False  # one of the 14 standard fonts, drawn by the reader's substitute
            descriptor = descriptor.get_object()
            if not any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                return False
    xobjects = resources.get("/XObject")
    if xobjects is not None:
        for xobject_ref in xobjects.get_object().values():
            xobject = xobject_ref.get_object()
            if xobject.get("/Subtype") == "/Form" and not _fonts_embedded(xobject.get("/Resources"), depth + 1):
                return False
    return True


def _needs_raster(page: PageObject) -> bool:
    annotations = page.get("/Annots")
    if annotations is not None:
        for annotation in annotations.get_object():
            if annotation.get_object().get("/Subtype") not in ("/Link", "/Popup"):
                return True  # form fields, comments, stamps: their look lives in the annotation
    return not _fonts_embedded(page.get("/Resources"))


def _rasterised(data: bytes, number: int) -> PageObject:
    argv = ["pdftoppm", "-q", "-r", str(RASTER_DPI), "-scale-to", "2400", "-f", str(number), "-l", str(number), "-"]
    try:
        pixels = run_limited(argv, data, timeout=120, memory_mb=1536, max_output=2400 * 2400 * 3 + 4096)
    except SandboxError:
        raise DossierBuildError("a page could not be printed as an image") from None
    image = Image.open(io.BytesIO(pixels)).convert("RGB")
    out = io.BytesIO()
    image.save(out, format="PDF", resolution=RASTER_DPI, quality=85)
    return PdfReader(io.BytesIO(out.getvalue())).pages[0]


def _clean(page: PageObject, strip: bool) -> PageObject:
    """Remove actions, annotations, thumbnails and (when stripping) page XMP; apply /Rotate."""
    page.transfer_rotation_to_content()
    for key in ("/Annots", "/AA", "/PieceInfo", "/B", "/Thumb", *(["/Metadata"] if strip else [])):
        if key in page:
            del page[NameObject(key)]
    return page


@dataclass
class _Insert:
    annex: int
    label: str  # "Annex 3" or "Annex 3 (translation)"
    pages: list[PageObject]  # source pages: changed only once copied into the output (pypdf 7)
    strip: bool = True
    rasterised: int = 0


def _shown_size(page: PageObject) -> tuple[float, float]:
    """Width and height as the page is displayed (after its /Rotate)."""
    width, height = round(float(page.cropbox.width), 2), round(float(page.cropbox.height), 2)
    if int(page.get("/Rotate", 0) or 0) % 180 == 90:
        width, height = height, width
    return width, height


def _pdf_pages(annex_number: int, label: str, data: bytes, strip: bool, budget: int) -> tuple[_Insert, str]:
    _limits()
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            reader.decrypt("")
        total = len(reader.pages)
    except Exception:
        return _Insert(annex_number, label, []), "unreadable"
    limit = min(total, MAX_ANNEX_PAGES, max(0, budget))
    insert = _Insert(annex_number, label, [], strip)
    for index in range(limit):
        page = reader.pages[index]
        if _needs_raster(page):
            page = _rasterised(data, index + 1)
            insert.rasterised += 1
        insert.pages.append(page)
    return insert, ("truncated" if limit < total else "")


# -- the HTML part -------------------------------------------------------------------------------

_CSS = """
@page { size: A4; margin: 18mm 18mm 20mm 18mm;
        @bottom-left { content: string(reference); font: 8pt "DejaVu Sans"; color: #555; } }
body { font: 10pt/1.45 "DejaVu Sans"; color: #111; }
h1 { font-size: 18pt; margin: 0 0 8mm; string-set: reference attr(data-reference); }
h2 { font-size: 13pt; margin: 6mm 0 3mm; break-after: avoid; }
section.part { break-before: page; }
table { width: 100%; border-collapse: collapse; margin: 2mm 0 4mm; }
th, td { border: 0.5pt solid #888; padding: 1.5mm 2mm; vertical-align: top; text-align: left; }
th { background: #eee; }
.hash { font: 7pt "DejaVu Sans Mono"; word-break: break-all; }
tbody.entry { break-inside: avoid; }
.letter p { margin: 0 0 3mm; white-space: pre-wrap; }
.meta td { border: none; padding: 0.5mm 2mm 0.5mm 0; }
.annex { break-before: page; }
.annex-head { border: 1pt solid #111; padding: 2mm 3mm; margin-bottom: 4mm; }
.annex-head .number { font-weight: bold; font-size: 12pt; }
.annex-image { display: block; max-width: 100%; max-height: 215mm; margin: 0 auto; }
.translated p { white-space: pre-wrap; margin: 0 0 2mm; }
.muted { color: #555; }
.missing { color: #8a1c1c; }
"""


def _html(content: DossierContent, registry: AssetRegistry, images: dict[int, str], translation_images: dict[int, str],
          notes: dict[int, str], inserted_pages: dict[int, int]) -> str:  # fmt: skip
    words = dict(WORDS[content.language])
    words["truncated"] = words["truncated"].format(count=MAX_ANNEX_PAGES)
    annexes = []
    for annex in content.annexes:
        annexes.append({
            "annex": annex,
            "image": images.get(annex.number),
            "translation_image": translation_images.get(annex.number),
            "note": notes.get(annex.number, ""),
            "pdf_pages": inserted_pages.get(annex.number, 0),
            "date": format_date(annex.document_date, content.language) if annex.document_date else "",
            "state": words.get(annex.translation_state if annex.translation_state != "missing" else "needed", annex.translation_state)
            if annex.translation_state != "original" else words["original_language"],
        })  # fmt: skip
    return render_to_string("dossier/document.html", {
        "c": content, "w": words, "annexes": annexes, "prepared": format_date(content.prepared_on, content.language),
        "letter_paragraphs": [part.strip("\n") for part in content.letter.replace("\r\n", "\n").split("\n\n") if part.strip()],
        "missing": [row for row in annexes if row["annex"].translation_state in ("missing", "needed", "draft")],
    })  # fmt: skip


def _stamps(inserts: list[_Insert], registry: AssetRegistry, page_word: str) -> list[PageObject]:
    """One stamp page per inserted page, each the size of its page, rendered in one go."""
    sizes: dict[tuple[float, float], str] = {}
    blocks = []
    for insert in inserts:
        total = len(insert.pages)
        for index, page in enumerate(insert.pages, start=1):
            width, height = _shown_size(page)
            name = sizes.setdefault((width, height), f"s{len(sizes)}")
            blocks.append(
                f'<div class="stamp-page {name}"><span class="stamp">{insert.label} · {page_word} {index}/{total}</span></div>'
            )
    if not blocks:
        return []
    css = "".join(
        f"@page {name} {{ size: {w}pt {h}pt; margin: 0 }} .{name} {{ page: {name}; }}\n"
        for (w, h), name in sizes.items()
    )
    css += (".stamp-page { break-before: page; text-align: right; padding: 5pt 7pt 0 0; }"
            ".stamp-page:first-child { break-before: auto; }"
            '.stamp { display: inline-block; font: bold 8.5pt "DejaVu Sans"; background: white; border: 0.8pt solid #111; padding: 1.5pt 4pt; }')  # fmt: skip
    pdf, _document, _fetcher = html_to_pdf("<html><body>" + "".join(blocks) + "</body></html>", registry, css)
    return list(PdfReader(io.BytesIO(pdf)).pages)


def _anchor_pages(document: Any) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, page in enumerate(document.pages):
        for anchor in page.anchors:
            found.setdefault(anchor, index)
    return found


def build_pdf(content: DossierContent) -> BuildResult:
    """The dossier as PDF bytes.

    Raises:
        DossierBuildError: fonts missing, or a page could not be printed.
    """
    registry = AssetRegistry()
    words = WORDS[content.language]
    notes: dict[int, str] = {}
    images: dict[int, str] = {}
    translation_images: dict[int, str] = {}
    evidence_inserts: dict[int, _Insert] = {}
    translation_inserts: dict[int, _Insert] = {}
    budget = MAX_TOTAL_PAGES
    for annex in content.annexes:
        label = f"{words['annex']} {annex.number}"
        if annex.attachable and annex.family == "image":
            try:
                data, media_type = _image_for_print(annex.data or b"", annex.strip_metadata)
                images[annex.number] = registry.add(data, media_type)
            except (OSError, ValueError, Image.DecompressionBombError):
                notes[annex.number] = "unreadable"
        elif annex.attachable and annex.family == "pdf":
            insert, note = _pdf_pages(annex.number, label, annex.data or b"", annex.strip_metadata, budget)
            budget -= len(insert.pages)
            evidence_inserts[annex.number] = insert
            if note:
                notes[annex.number] = note
            elif insert.rasterised:
                notes[annex.number] = "rasterised"
        translation = annex.translation
        if translation is not None and translation.file_data:
            if translation.file_media_type == "application/pdf":
                insert, _note = _pdf_pages(
                    annex.number, f"{label} ({words['translation']})", translation.file_data, True, budget
                )
                budget -= len(insert.pages)
                translation_inserts[annex.number] = insert
            elif translation.file_media_type.startswith("image/"):
                try:
                    data, media_type = _image_for_print(translation.file_data, True)
                    translation_images[annex.number] = registry.add(data, media_type)
                except (OSError, ValueError, Image.DecompressionBombError):
                    pass
    inserted = {number: len(insert.pages) for number, insert in evidence_inserts.items()}
    html = _html(content, registry, images, translation_images, notes, inserted)
    main_pdf, document, fetcher = html_to_pdf(html, registry, _CSS)
    main_pages = list(PdfReader(io.BytesIO(main_pdf)).pages)
    anchors = _anchor_pages(document)

    ordered_inserts = [evidence_inserts[number] for number in sorted(evidence_inserts)]
    ordered_inserts += [translation_inserts[number] for number in sorted(translation_inserts)]
    stamp_pages = iter(_stamps(ordered_inserts, registry, words["page"]))
    stamps = {id(insert): [next(stamp_pages) for _page in insert.pages] for insert in ordered_inserts}

    # Interleave: the written pages up to each annex's translation section (or the next annex),
    # then that annex's PDF pages, then its translation pages and translated PDF pages.
    starts = sorted(
        (anchors[name], annex.number)
        for annex in content.annexes
        for name in (f"annex-{annex.number}", f"annex-{annex.number}-t")
        if name in anchors
    )

    def next_start(number: int) -> int:
        return min((page for page, other in starts if other > number), default=len(main_pages))

    cuts: list[tuple[int, _Insert]] = []
    for annex in content.annexes:
        if annex.number in evidence_inserts:
            cuts.append(
                (anchors.get(f"annex-{annex.number}-t", next_start(annex.number)), evidence_inserts[annex.number])
            )
        if annex.number in translation_inserts:
            cuts.append((next_start(annex.number), translation_inserts[annex.number]))
    writer = PdfWriter()

    def copy(insert: _Insert) -> None:
        for page, stamp in zip(insert.pages, stamps[id(insert)], strict=True):
            copied = _clean(writer.add_page(page), insert.strip)
            copied.merge_transformed_page(
                stamp, Transformation().translate(float(copied.cropbox.left), float(copied.cropbox.bottom))
            )

    position = 0
    for cut, insert in sorted(cuts, key=lambda entry: entry[0]):
        for page in main_pages[position:cut]:
            writer.add_page(page)
        position = max(position, cut)
        copy(insert)
    for page in main_pages[position:]:
        writer.add_page(page)
    writer.add_metadata({"/Title": words["title"], "/Creator": "Passage", "/Producer": "Passage (WeasyPrint, pypdf)"})
    out = io.BytesIO()
    writer.write(out)
    return BuildResult(out.getvalue(), len(writer.pages), notes, fetcher.refused)
