"""Intake portal page weight: the heaviest page a person can get, HTML plus its CSS, in KB.

The portal must stay usable over Tor on a poor connection: every page ≤ 50 KB with its
stylesheet (DESIGN.md, ``intake_max_page_kb``). This walks the portal as a person would —
start, codename, practice, every questionnaire step, files, the overview for every demo
persona and for a "yes to everything" profile, sending, reading replies, the error and
"try later" pages — and weighs each page. It also times the overview (the one page that runs
the engine).

``run(quick)`` returns ``(headline, markdown)``: the headline keys for ``make bench-quick``
and a section for ``bench/RESULTS.md``. The measurement runs in a subprocess with its own data
folder and database, so it does not disturb (or depend on) whatever Django set-up the caller
has. ``python -m bench.intake_bench [--quick]`` prints the section and the JSON line.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LIMIT_KB = 50.0

__all__ = ["run"]


def _measure(quick: bool) -> dict[str, Any]:
    """Runs inside the subprocess: Django configured for a throwaway data folder."""
    import re

    import django

    django.setup()
    from django.contrib.staticfiles import finders
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test import Client

    from passage.cases.actions import knowledge
    from passage.intake import office
    from passage.intake.models import Account
    from passage.intake.questionnaire import STEPS, answers_from_facts
    from passage.intake.visits import current_visit
    from passage.routes import load_profile
    from passage.sealing import service

    call_command("migrate", verbosity=0, interactive=False)
    service.initialise("bench passphrase for the intake pages")
    service.seal(reason="bench")

    css_cache: dict[str, int] = {}

    def weigh(response: Any) -> int:
        html = response.content.decode("utf-8")
        total = len(response.content)
        for href in re.findall(r'<link[^>]+rel="stylesheet"[^>]*href="([^"]+)"', html):
            if href not in css_cache:
                found = finders.find(href.removeprefix("/static/"))
                css_cache[href] = Path(found).stat().st_size if found else 0
            total += css_cache[href]
        return total

    pages: dict[str, int] = {}
    client = Client()

    def post(path: str, data: dict[str, Any] | None = None) -> Any:
        if "csrftoken" not in client.cookies:
            client.get("/intake/")
        return client.post(path, {"csrfmiddlewaretoken": client.cookies["csrftoken"].value, **(data or {})})

    pages["start"] = weigh(client.get("/intake/"))
    shown = post("/intake/new/")
    pages["codename"] = weigh(shown)
    words = re.findall(r"<li>([a-z-]+)</li>", shown.content.decode().split('id="codename"', 1)[1].split("</ol>", 1)[0])
    pages["practice"] = weigh(client.get("/intake/practice/"))
    post("/intake/practice/", {"codename": " ".join(words)})
    for step in STEPS:
        pages[f"step {step.name}"] = weigh(client.get(f"/intake/q/{step.name}/"))
    post("/intake/q/story/", {"story": "Рассказ. " * 2000, "go": "next"})  # the longest story allowed
    post("/intake/files/", {"document": SimpleUploadedFile("повестка.pdf", b"%PDF-1.4\n" + b"0" * 1000)})
    pages["files"] = weigh(client.get("/intake/files/"))

    request = type("Request", (), {"COOKIES": {key: morsel.value for key, morsel in client.cookies.items()}})()
    visit = current_visit(request)  # type: ignore[arg-type]
    assert visit is not None
    kb = knowledge()
    profiles = sorted((ROOT / "examples" / "profiles").glob("*.yaml"))
    everything = {name: True for name, fact in kb.facts.items() if fact.type == "bool"}
    everything.update(current_country="KZ", arrived_on="2026-01-01", citizenship="RU", military_status="deserter")
    everything.update(
        ties_to=sorted(code for code in kb.countries if code != "RU"), foreign_passport_expires="2027-01-01"
    )
    cases: list[tuple[str, dict[str, Any], list[str]]] = [("yes to everything", everything, sorted(kb.evidence))]
    for path in profiles:
        profile = load_profile(path, kb)
        facts = {
            k: sorted(v) if isinstance(v, frozenset) else (v.isoformat() if hasattr(v, "isoformat") else v)
            for k, v in profile.facts.items()
        }
        cases.append((path.stem, facts, sorted(profile.evidence)))
    timings: list[float] = []
    for name, facts, evidence in cases:
        draft = visit.draft()
        draft["answers"] = answers_from_facts(facts, evidence)
        visit.save_draft(draft)
        started = time.perf_counter()
        response = client.get("/intake/overview/")
        timings.append((time.perf_counter() - started) * 1000)
        pages[f"overview {name}"] = weigh(response)
        for _ in range(0 if quick else 4):
            started = time.perf_counter()
            client.get("/intake/overview/")
            timings.append((time.perf_counter() - started) * 1000)

    pages["sent"] = weigh(client.get(post("/intake/send/")["Location"]))
    service.unseal_passphrase("bench passphrase for the intake pages")
    account = Account.objects.get()
    for _ in range(6):
        office.reply(None, account, "Ответ офиса, самый длинный из возможных. " * 140)
    service.seal(reason="bench")
    pages["login"] = weigh(client.get("/intake/login/"))
    pages["thread (6 long replies)"] = weigh(post("/intake/login/", {"codename": " ".join(words)}))
    pages["message sent"] = weigh(post("/intake/message/", {"text": "Ещё сообщение"}))
    pages["not found"] = weigh(client.get("/intake/nowhere/"))
    return {"pages": pages, "overview_ms": timings}


def run(quick: bool = True) -> tuple[dict[str, float], str]:
    """Weigh every intake page in a subprocess.

    Args:
        quick: fewer timing repetitions of the overview (the weights are the same).

    Returns:
        ``({"intake_max_page_kb": ..., "intake_overview_p50_ms": ...}, markdown_section)``.
    """
    with tempfile.TemporaryDirectory(prefix="passage-bench-intake-") as data_dir:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PASSAGE_", "DJANGO_", "DATABASE_URL"))}
        env.update(
            PASSAGE_DATA_DIR=data_dir,
            PASSAGE_SECRET_KEY="bench-intake-secret-key-0123456789abcdefghij",  # noqa: S106 - throwaway bench database
            PASSAGE_KDF="fast-for-tests",  # page weight does not depend on the KDF costs
            PASSAGE_SECURE_COOKIES="false",
            PASSAGE_ALLOWED_HOSTS="testserver",
            DJANGO_SETTINGS_MODULE="passage.web.settings",
        )
        done = subprocess.run(
            [sys.executable, "-m", "bench.intake_bench", "--measure", "--quick" if quick else "--full"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(f"intake bench failed:\n{done.stderr[-4000:]}")
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    pages: dict[str, int] = measured["pages"]
    heaviest = max(pages, key=pages.__getitem__)
    max_kb = round(pages[heaviest] / 1024, 1)
    p50 = round(statistics.median(measured["overview_ms"]), 1)
    rows = "\n".join(
        f"| {name} | {size / 1024:.1f} |" for name, size in sorted(pages.items(), key=lambda item: -item[1])
    )
    markdown = (
        "## Intake portal page weight\n\n"
        f"Heaviest page: **{heaviest}, {max_kb} KB** (HTML + CSS; limit {LIMIT_KB:.0f} KB). "
        f"Overview render (engine included) p50 **{p50} ms** over {len(measured['overview_ms'])} renders.\n\n"
        "| page | KB (HTML + CSS) |\n|---|---|\n"
        f"{rows}\n"
    )
    return {"intake_max_page_kb": max_kb, "intake_overview_p50_ms": p50}, markdown


if __name__ == "__main__":
    if "--measure" in sys.argv:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(_measure(quick="--quick" in sys.argv)))
    else:
        headline, section = run(quick="--quick" in sys.argv)
        print(section)
        print(json.dumps(headline))
