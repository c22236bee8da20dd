"""Evidence locker and dossier benchmarks, each against an anchor measured in the same run.

- **Ingest** (``ingest_vs_copy``, ``ingest_peak_mb``): a file goes through the real upload code
  path — Django's ``MultiPartParser`` with :class:`EncryptingUploadHandler`, chunked AES-256-GCM
  into the store, fsync, then :func:`passage.evidence.actions.add_item` (row, audit, rename) —
  against a plain read/write copy of the same file with fsync. Throughput ratio, medians.
  Each ingest runs in its own process so its peak RSS is its own (``VmHWM``, which also
  counts Django's start-up: the figure is an upper bound).
- **Decrypting read** (``read_vs_copy``): the verified read every download and OCR job uses
  (authenticate each chunk, hash, compare with the recorded SHA-256), against the same copy.
- **OCR** (``ocr_s_per_page``): a full A4 page of Russian text scanned at 300 dpi, through
  the production pipeline (preprocessing, Tesseract rus+eng with ``OMP_THREAD_LIMIT=1``).
- **Dossier** (``dossier_s``): build a dossier of 40 items (text PDFs, scanned PDFs, photos,
  audio, certified translations) through :func:`passage.dossier.actions.generate`, i.e.
  verified decryption of every file, WeasyPrint, stamping, encryption and storage.

Quick mode uses a 48 MB file, one OCR page and a 10-item dossier, and says so. Run alone with
``python -m bench.evidence_bench [--quick]``; ``run(quick)`` returns ``(headline, markdown)``.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MB = 1 << 20
CHUNK = 1 << 20

__all__ = ["run"]


# -- inside the measuring subprocess ---------------------------------------------------------------


PASSPHRASE = "bench passphrase for the evidence locker"  # noqa: S105 - a throwaway bench vault


def _setup() -> dict[str, str]:
    """First process: create the database, the vault and a case (its memory is not measured)."""
    import django

    django.setup()
    from django.core.management import call_command

    from passage.accounts.models import Role, User
    from passage.cases import actions
    from passage.sealing import service

    call_command("migrate", verbosity=0, interactive=False)
    service.initialise(PASSPHRASE)
    lawyer = User.objects.create_user("bench-lawyer", password="a-long-bench-password-1", role=Role.LAWYER)  # noqa: S106 - throwaway
    case = actions.create_case(lawyer, true_name="Bench Person", facts={"citizenship": "RU", "current_country": "KZ",
                                                                      "arrived_on": "2026-10-01", "military_status": "deserter"})  # fmt: skip
    return {"lawyer": str(lawyer.pk), "case": str(case.id)}


def _django(ids: dict[str, str]) -> Any:
    """A fresh process like a server worker: Django, the URL configuration, the vault unsealed."""
    import django

    django.setup()
    from django.urls import get_resolver

    from passage.accounts.models import User
    from passage.cases.models import Case
    from passage.evidence import actions, locker, upload  # noqa: F401 - what the upload path imports
    from passage.sealing import service

    get_resolver().url_patterns  # noqa: B018 - a worker that served one request has loaded them
    service.unseal_passphrase(PASSPHRASE)
    return User.objects.get(pk=ids["lawyer"]), Case.objects.get(pk=ids["case"])


class _Body:
    """A multipart body read lazily: prefix, the file from disk, suffix (like a socket would)."""

    def __init__(self, prefix: bytes, path: Path, suffix: bytes) -> None:
        self._parts = [prefix, path, suffix]
        self._handle: Any = None
        self.length = len(prefix) + path.stat().st_size + len(suffix)

    def read(self, size: int = -1) -> bytes:
        while self._parts:
            part = self._parts[0]
            if isinstance(part, bytes):
                if not part:
                    self._parts.pop(0)
                    continue
                taken, self._parts[0] = part[:size] if size >= 0 else part, part[size:] if size >= 0 else b""
                return taken
            if self._handle is None:
                self._handle = open(part, "rb", buffering=0)
            data = self._handle.read(size if size >= 0 else -1)
            if data:
                return data
            self._handle.close()
            self._parts.pop(0)
        return b""


def _copy(source: Path, target: Path) -> float:
    started = time.perf_counter()
    with open(source, "rb", buffering=0) as src, open(target, "wb", buffering=0) as dst:
        buffer = bytearray(CHUNK)
        view = memoryview(buffer)
        while True:
            got = src.readinto(buffer)
            if not got:
                break
            dst.write(view[:got])
        os.fsync(dst.fileno())
    elapsed = time.perf_counter() - started
    target.unlink()
    return elapsed


def _ingest(source: Path, lawyer: Any, case: Any) -> tuple[float, Any]:
    from django.http.multipartparser import MultiPartParser

    from passage.evidence import actions, locker
    from passage.evidence.upload import EncryptingUploadHandler

    boundary = "BenchBoundary0123456789"
    prefix = "".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
                     for name, value in (("kind", "proof_of_threats"), ("provenance", "client"))).encode()  # fmt: skip
    prefix += f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="video.mp4"\r\nContent-Type: video/mp4\r\n\r\n'.encode()
    body = _Body(prefix, source, f"\r\n--{boundary}--\r\n".encode())
    started = time.perf_counter()
    handler = EncryptingUploadHandler(None, lambda: locker.open_ingest(case.id))  # type: ignore[arg-type]
    meta = {"CONTENT_TYPE": f"multipart/form-data; boundary={boundary}", "CONTENT_LENGTH": str(body.length)}
    _post, files = MultiPartParser(meta, body, [handler], "utf-8").parse()
    upload = files["file"]
    item = actions.add_item(
        lawyer, case, upload.ingest, kind="proof_of_threats", provenance="client", filename=upload.name
    )
    elapsed = time.perf_counter() - started
    return elapsed, item


def _peak_rss_kb() -> int:
    """This process's peak resident set (VmHWM, kB).

    Not ``ru_maxrss``: Linux carries that across exec, so a child of a large parent (the bench
    runner after the batch benchmark) reported the parent's size instead of its own.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # pragma: no cover - not Linux


def _measure_ingest(source: str, repeats: int, data_dir: str, ids: dict[str, str]) -> dict[str, Any]:
    lawyer, case = _django(ids)
    from passage.evidence import actions

    baseline_kb = _peak_rss_kb()
    path = Path(source)
    size = path.stat().st_size
    copies, ingests, reads = [], [], []
    item = None
    for _ in range(repeats):
        # Each pair starts with no dirty pages waiting (ours or another process's), so neither
        # pays for the other's writeback.
        os.sync()
        copies.append(_copy(path, Path(data_dir) / "copy.bin"))
        os.sync()
        elapsed, item = _ingest(path, lawyer, case)
        ingests.append(elapsed)
        started = time.perf_counter()
        for _chunk in actions._chunks(item):
            pass
        reads.append(time.perf_counter() - started)
        if len(reads) < repeats:
            actions.delete_item(lawyer, item)  # keep one copy on disk at a time
    peak_kb = _peak_rss_kb()
    assert item is not None and item.size == size
    copy_s, ingest_s, read_s = statistics.median(copies), statistics.median(ingests), statistics.median(reads)
    # Ratios of each back-to-back pair, then the median: one disturbed run does not decide.
    return {
        "size_mb": size / MB, "copy_mb_s": size / MB / copy_s, "ingest_mb_s": size / MB / ingest_s, "read_mb_s": size / MB / read_s,
        "ingest_vs_copy": statistics.median(c / i for c, i in zip(copies, ingests, strict=True)),
        "read_vs_copy": statistics.median(c / r for c, r in zip(copies, reads, strict=True)),
        "peak_mb": peak_kb / 1024, "baseline_mb": baseline_kb / 1024, "repeats": repeats,
        "pairs": [[round(c, 4), round(i, 4)] for c, i in zip(copies, ingests, strict=True)],
    }  # fmt: skip


def _full_page_scan() -> bytes:
    from tests.evidence import files

    text = "\n".join([line for _ in range(5) for line in files.SUMMONS_RU.split("\n")][:38])
    return files.png_bytes(files.scan_of(text, dpi=300, point=11, noise=0.01, angle=0.5))


def _measure_ocr(pages: int) -> dict[str, Any]:
    from passage.evidence.ocr import OcrConfig, read_document

    scan = _full_page_scan()
    times = []
    for _ in range(pages):
        started = time.perf_counter()
        outcome = read_document(scan, "image/png", OcrConfig(languages="rus+eng"))
        times.append(time.perf_counter() - started)
    return {
        "ocr_s_per_page": statistics.median(times),
        "pages": pages,
        "characters": len(outcome.text),
        "engine": outcome.engine,
    }


def _measure_dossier(count: int, ids: dict[str, str]) -> dict[str, Any]:
    lawyer, case = _django(ids)
    from passage.dossier import actions as dossier_actions
    from passage.evidence import actions, locker, translations
    from tests.evidence import files

    text_pdf = files.text_pdf("\n".join(files.SUMMONS_RU.split("\n") * 6))
    scan_pdf = files.image_pdf(files.scan_of(dpi=150), dpi=150)
    photo = files.jpeg_with_gps("УГРОЗА")
    voice = b"OggS\x00\x02" + os.urandom(200_000)
    recipe = [
        (text_pdf, "criminal_case_notice"),
        (scan_pdf, "summons"),
        (photo, "proof_of_threats"),
        (voice, "proof_of_threats"),
    ]
    items = []
    for index in range(count):
        data, kind = recipe[index % len(recipe)] if index % 8 else (text_pdf, "proof_antiwar_activity")
        ingest = locker.open_ingest(case.id)
        ingest.write(data)
        items.append(
            actions.add_item(lawyer, case, ingest, kind=kind, provenance="client", title=f"Документ {index + 1}")
        )
    for item in items[::5]:
        translations.save_translation(lawyer, item, language="de", status="certified", translator="Bench",
                                      text="Beglaubigte Übersetzung. " * 40)  # fmt: skip
    letter = dossier_actions.letter_draft(lawyer, case, "de-22-2-aufenthg", "de", count)
    started = time.perf_counter()
    dossier = dossier_actions.generate(lawyer, case, pathway_id="de-22-2-aufenthg", language="de",
                                       item_ids=[item.id for item in items], letter=letter, statement="Заявление.")  # fmt: skip
    elapsed = time.perf_counter() - started
    return {"dossier_s": elapsed, "items": count, "pages": dossier.page_count, "size_mb": dossier.size / MB}


def _measure(kind: str, argument: str) -> dict[str, Any]:
    data_dir = os.environ["PASSAGE_DATA_DIR"]
    if kind == "setup":
        return _setup()
    if kind == "ocr":
        return _measure_ocr(int(argument))
    ids = json.loads(os.environ["PASSAGE_BENCH_IDS"])
    if kind == "ingest":
        source, repeats = argument.split(",")
        return _measure_ingest(source, int(repeats), data_dir, ids)
    return _measure_dossier(int(argument), ids)


# -- in the caller -----------------------------------------------------------------------------------


def _subprocess(kind: str, argument: str) -> dict[str, Any]:
    """Set up a throwaway office in one process, then measure in a fresh one (its own RSS)."""
    with tempfile.TemporaryDirectory(prefix="passage-bench-evidence-") as data_dir:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PASSAGE_", "DJANGO_", "DATABASE_URL"))}
        env.update(
            PASSAGE_DATA_DIR=data_dir,
            PASSAGE_SECRET_KEY="bench-evidence-secret-key-0123456789abcdefghij",  # noqa: S106 - throwaway bench database
            PASSAGE_KDF="fast-for-tests",  # unseal cost is not what is measured here
            PASSAGE_SECURE_COOKIES="false",
            PASSAGE_MAX_UPLOAD_MB="2048",
            DJANGO_SETTINGS_MODULE="passage.web.settings",
            OMP_THREAD_LIMIT="1",
        )
        result: dict[str, Any] = {}
        steps = [("setup", "-")] if kind != "ocr" else []
        for step, step_argument in (*steps, (kind, argument)):
            done = subprocess.run([sys.executable, "-m", "bench.evidence_bench", "--measure", step, step_argument], cwd=ROOT,
                                  env=env, capture_output=True, text=True, timeout=3600, check=False)  # fmt: skip
            if done.returncode != 0:
                raise RuntimeError(f"evidence bench ({step}) failed:\n{done.stderr[-4000:]}")
            result = json.loads(done.stdout.strip().splitlines()[-1])
            env["PASSAGE_BENCH_IDS"] = json.dumps(result)
    return result


def _source(folder: Path, size: int) -> Path:
    """A file of ``size`` bytes that the locker takes as an MP4 video (no parser runs on it)."""
    path = folder / f"source-{size // MB}mb.mp4"
    with open(path, "wb") as out:
        out.write(b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2")
        written = 24
        block = os.urandom(4 * MB)
        while written < size:
            piece = block[: min(len(block), size - written)]
            out.write(piece)
            written += len(piece)
    return path


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


def run(quick: bool = True) -> tuple[dict[str, float], str]:
    """Run the evidence benchmarks; returns the headline keys and a markdown section."""
    sizes = [48 * MB] if quick else [100 * MB, 1024 * MB]
    repeats = {48 * MB: 3, 100 * MB: 7, 1024 * MB: 3}
    ingests = []
    with tempfile.TemporaryDirectory(prefix="passage-bench-sources-") as folder:
        for size in sizes:
            source = _source(Path(folder), size)
            ingests.append(_subprocess("ingest", f"{source},{repeats[size]}"))
            source.unlink()
    ocr = _subprocess("ocr", "1" if quick else "3")
    dossier = _subprocess("dossier", "10" if quick else "40")
    largest = ingests[-1]
    headline = {
        "ingest_vs_copy": round(min(entry["ingest_vs_copy"] for entry in ingests), 3),
        "read_vs_copy": round(min(entry["read_vs_copy"] for entry in ingests), 3),
        "ingest_peak_mb": round(largest["peak_mb"], 1),
        "ocr_s_per_page": round(ocr["ocr_s_per_page"], 2),
        "dossier_s": round(dossier["dossier_s"], 2),
    }
    lines = [
        "## Evidence locker and dossiers" + (" (quick)" if quick else ""),
        "",
        f"Machine: {_machine()}. "
        + (
            "Quick run: one 48 MB file, one OCR page, a 10-item dossier."
            if quick
            else "Full run: 100 MB and 1 GB files, three OCR pages, a 40-item dossier."
        ),
        "",
        "| file | plain copy MB/s | encrypted ingest MB/s | ingest ÷ copy (target ≥ 0.6; median of pairs) | decrypting read MB/s | read ÷ copy | peak RSS MB (target < 200 for 1 GB) |",
        "|---|---|---|---|---|---|---|",
    ]
    for entry in ingests:
        lines.append(
            f"| {entry['size_mb']:.0f} MB (median of {entry['repeats']}) | {entry['copy_mb_s']:.0f} | {entry['ingest_mb_s']:.0f} | "
            f"{entry['ingest_vs_copy']:.2f} | {entry['read_mb_s']:.0f} | {entry['read_vs_copy']:.2f} | {entry['peak_mb']:.0f} "
            f"(Django alone: {entry['baseline_mb']:.0f}) |"
        )
    lines += [
        "",
        "Ingest is the upload handler's path: Django's multipart parser, the encrypting handler (chunked AES-256-GCM, "
        "SHA-256 on a second thread), fsync, the database row and the rename. The copy reads and writes 1 MiB blocks "
        "with one fsync. Both read a source in the page cache. Peak RSS is the whole process's, Django start-up included.",
        "",
        f"OCR: **{ocr['ocr_s_per_page']:.2f} s per page** (median of {ocr['pages']}; a full A4 page of Russian text "
        f"scanned at 300 dpi, {ocr['characters']} characters read; {ocr['engine']}, one thread).",
        "",
        f"Dossier: **{dossier['dossier_s']:.2f} s** for {dossier['items']} items ({dossier['pages']} pages, "
        f"{dossier['size_mb']:.1f} MB; target ≤ 10 s for 40 items) — every file decrypted and verified, WeasyPrint, "
        "stamped annexes, encrypted and stored.",
        "",
    ]
    return headline, "\n".join(lines)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--measure"]:
        print(json.dumps(_measure(argv[1], argv[2])))
        return 0
    headline, section = run(quick="--quick" in argv)
    print(section)
    print(json.dumps(headline))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
