"""English and Russian are both complete.

(a) The Russian catalogue has no untranslated and no fuzzy entry, every plural has Django's four
    Russian forms, and ``msgfmt --check`` passes.
(b) Every string the templates (through Django's ``templatize``, as ``makemessages`` does) and the
    Python sources mark for translation is in the catalogue: ``makemessages`` would add nothing.
(c) Key staff pages and the intake portal, with Russian selected, are in Russian: none of their
    English headings, and no English sentence of the catalogue left on the page.
"""

from __future__ import annotations

import gettext
import html
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import django
import pytest
from django.conf import settings
from django.test import Client
from django.utils.translation import templatize

from tests.conftest import verified_client

SRC = Path(__file__).resolve().parents[2] / "src" / "passage"
LOCALE = SRC / "locale"
PO = LOCALE / "ru" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
DJANGO_RU_MO = Path(django.__file__).parent / "conf" / "locale" / "ru" / "LC_MESSAGES" / "django.mo"

# The keywords makemessages gives xgettext for the "django" domain (templates are templatized to Python first).
XGETTEXT = [
    "xgettext",
    "--language=Python",
    "--from-code=UTF-8",
    "--keyword=gettext_noop",
    "--keyword=gettext_lazy",
    "--keyword=ngettext_lazy:1,2",
    "--keyword=pgettext:1c,2",
    "--keyword=npgettext:1c,2,3",
    "--keyword=pgettext_lazy:1c,2",
    "--keyword=npgettext_lazy:1c,2,3",
    "--output=-",
]

needs_gettext = pytest.mark.skipif(
    shutil.which("msgfmt") is None or shutil.which("xgettext") is None,
    reason="GNU gettext is not installed (scripts/install-system.sh installs it)",
)


# -- a minimal reader of PO files ----------------------------------------------------------------


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda match: _ESCAPES.get(match.group(1), match.group(0)), text.strip()[1:-1])


def read_po(text: str) -> list[dict[str, Any]]:
    """The entries of a PO file: ``flags``, ``msgctxt``, ``msgid``, ``msgid_plural`` and ``msgstr`` (a list)."""
    entries: list[dict[str, Any]] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        entry: dict[str, Any] = {"flags": set(), "msgctxt": None, "msgid_plural": None, "msgstr": []}
        field = ""
        for line in block.splitlines():
            if line.startswith("#~"):
                entry["obsolete"] = True
            elif line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif match := re.match(r"(msgctxt|msgid_plural|msgid|msgstr)(?:\[\d+\])?\s+(\".*\")$", line):
                field = match.group(1)
                if field == "msgstr":
                    entry["msgstr"].append(_unquote(match.group(2)))
                else:
                    entry[field] = _unquote(match.group(2))
            elif line.startswith('"'):
                if field == "msgstr":
                    entry["msgstr"][-1] += _unquote(line)
                else:
                    entry[field] += _unquote(line)
        if "msgid" in entry and not entry.get("obsolete"):
            entries.append(entry)
    return entries


def key(entry: dict[str, Any]) -> tuple[str | None, str]:
    return entry["msgctxt"], entry["msgid"]


@pytest.fixture(scope="module")
def catalogue() -> list[dict[str, Any]]:
    return read_po(PO.read_text(encoding="utf-8"))


# -- (a) the catalogue is complete and valid ------------------------------------------------------


def test_the_catalogue_has_no_untranslated_and_no_fuzzy_entry(catalogue: list[dict[str, Any]]) -> None:
    header, *entries = catalogue
    assert header["msgid"] == "" and "fuzzy" not in header["flags"]
    assert len(entries) > 800
    fuzzy = [entry["msgid"] for entry in catalogue if "fuzzy" in entry["flags"]]
    empty = [entry["msgid"] for entry in entries if not entry["msgstr"] or not all(entry["msgstr"])]
    wrong_plurals = [entry["msgid"] for entry in entries if entry["msgid_plural"] and len(entry["msgstr"]) != 4]
    assert fuzzy == []
    assert empty == []
    assert wrong_plurals == []


def test_the_plural_forms_are_djangos_own(catalogue: list[dict[str, Any]]) -> None:
    """The same Plural-Forms text as Django's Russian catalogue, so Django merges the two catalogues."""
    with DJANGO_RU_MO.open("rb") as compiled:
        django_ru = gettext.GNUTranslations(compiled)
    plural_forms = re.search(r"^Plural-Forms: (.*)$", catalogue[0]["msgstr"][0], re.M)
    assert plural_forms is not None
    assert plural_forms.group(1) == django_ru.info()["plural-forms"]
    plural = gettext.c2py(plural_forms.group(1).split("plural=", 1)[1].rstrip(";"))
    forms = {n: plural(n) for n in (1, 2, 4, 5, 11, 12, 14, 21, 22, 25, 101, 111, 112, 121)}
    assert forms == {1: 0, 2: 1, 4: 1, 5: 2, 11: 2, 12: 2, 14: 2, 21: 0, 22: 1, 25: 2, 101: 0, 111: 2, 112: 2, 121: 0}


@needs_gettext
def test_msgfmt_check_passes(tmp_path: Path) -> None:
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", str(tmp_path / "django.mo"), str(PO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "fuzzy" not in result.stderr and "untranslated" not in result.stderr, result.stderr


@needs_gettext
def test_the_compiled_catalogue_is_up_to_date(tmp_path: Path) -> None:
    """The .mo the server reads says what the .po says (``make translations`` compiles it)."""
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "-o", str(fresh), str(PO)], check=True)
    assert MO.exists(), "run `make translations`"
    with fresh.open("rb") as wanted, MO.open("rb") as installed:
        assert gettext.GNUTranslations(installed)._catalog == gettext.GNUTranslations(wanted)._catalog, (  # type: ignore[attr-defined]
            "the compiled catalogue is out of date: run `make translations`"
        )


# -- (b) nothing marked for translation is missing from the catalogue -----------------------------


def _templates() -> list[Path]:
    return sorted(
        path
        for path in SRC.glob("*/templates/**/*")
        if path.is_file() and path.suffix in {".html", ".txt"} and "locale" not in path.parts
    )


@needs_gettext
def test_every_marked_string_is_in_the_catalogue(tmp_path: Path, catalogue: list[dict[str, Any]]) -> None:
    templates = _templates()
    assert len(templates) > 50
    sources: list[Path] = []
    for number, template in enumerate(templates):
        code = templatize(template.read_text(encoding="utf-8"), origin=str(template))
        converted = tmp_path / f"{number:03d}-{template.name}.py"
        converted.write_text(code, encoding="utf-8")
        sources.append(converted)
    sources += sorted(path for path in SRC.rglob("*.py") if "locale" not in path.relative_to(SRC).parts)
    listing = tmp_path / "files.txt"
    listing.write_text("\n".join(str(path) for path in sources), encoding="utf-8")
    result = subprocess.run([*XGETTEXT, f"--files-from={listing}"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    marked = {key(entry): entry for entry in read_po(result.stdout) if entry["msgid"]}
    assert ("user account", "Active") in marked and (None, "Skip to content") in marked
    known = {key(entry) for entry in catalogue}
    missing = sorted(str(found) for found in marked if found not in known)
    assert missing == [], "run makemessages and translate the new strings (see the module docstring)"
    plurals = {key(entry): entry["msgid_plural"] for entry in catalogue}
    changed = sorted(str(k) for k, entry in marked.items() if entry["msgid_plural"] != plurals[k])
    assert changed == []


# -- (c) pages with Russian selected are in Russian -----------------------------------------------


def _visible_text(page: str) -> str:
    page = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r"<[^>]+>", " ", page)
    return " ".join(html.unescape(page).split())


def _english_sentences(catalogue: list[dict[str, Any]]) -> set[str]:
    """Every English phrase of the catalogue long enough to be unmistakable (placeholders cut out)."""
    phrases: set[str] = set()
    for entry in catalogue[1:]:
        for msgid in filter(None, (entry["msgid"], entry["msgid_plural"])):
            for chunk in re.split(r"%\(\w+\)[sd]|\{\w+\}|%%", msgid):
                chunk = chunk.strip(" .,:;·—")
                if len(chunk) >= 12 and " " in chunk:
                    phrases.add(chunk)
    return phrases


def _russian(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    return client


def assert_russian(page: str, english_headings: list[str], catalogue: list[dict[str, Any]]) -> None:
    assert 'lang="ru"' in page
    text = _visible_text(page)
    assert len(re.findall(r"[а-яё]+", text, re.I)) > 20, text[:500]
    assert [heading for heading in english_headings if heading in text] == []
    assert sorted(phrase for phrase in _english_sentences(catalogue) if phrase in text) == []


STAFF_PAGES = {
    "dashboard": ("/", ["Dashboard", "Your reminders", "Cases in limbo", "Permitted stay ends", "Wanted lists"]),
    "case": (
        "/cases/{case}/",
        ["Summary", "Details", "Facts", "Tasks and deadlines", "Incidents", "Letters", "Add a note", "Case status"],
    ),
    "plan": ("/cases/{case}/plan/", ["Route plan for", "Routes", "Pathways", "Legal basis", "Requirements"]),
    "case list": ("/cases/", ["All cases", "Find a person", "Filter by code", "Open a new case"]),
    "facts": ("/cases/{case}/facts/", ["Facts of", "Military service", "Save facts and re-plan", "I don't know"]),
    "new letter": ("/cases/{case}/letters/new/", ["New letter for", "Record the letter", "Date sent or received"]),
    "evidence": ("/evidence/case/{case}/", ["Evidence of case", "Add evidence", "Upload and encrypt"]),
    "requirements": ("/evidence/case/{case}/requirements/", ["Requirements met", "Evidence it needs", "open"]),
    "dossiers": ("/dossiers/case/{case}/", ["Dossiers of case", "Build a dossier", "Language of the dossier"]),
    "institutions": ("/institutions/", ["Institutions", "Add an institution", "Located in"]),
    "follow-ups": ("/follow-ups/", ["Overdue follow-ups", "No follow-ups are due"]),
    "statistics": ("/statistics/", ["How institutions answer", "No letters have been sent yet"]),
    "users": ("/accounts/users/", ["Users", "New account", "Create account", "Initial password"]),
    "intake inbox": ("/inbox/", ["Intake inbox", "Nothing has arrived through the portal yet"]),
}


def test_the_login_page_speaks_russian(client: Client, vault: Any, catalogue: list[dict[str, Any]]) -> None:
    response = _russian(client).get("/accounts/login/")
    assert response.status_code == 200
    assert_russian(response.content.decode(), ["Log in", "Continue", "User name", "Password"], catalogue)


def test_the_staff_pages_speak_russian(client: Client, office: Any, catalogue: list[dict[str, Any]]) -> None:
    staff = _russian(verified_client(client, office.admin))
    problems: list[str] = []
    for name, (path, headings) in STAFF_PAGES.items():
        response = staff.get(path.format(case=office.case.id))
        if response.status_code != 200:
            problems.append(f"{name}: status {response.status_code}")
            continue
        try:
            assert_russian(response.content.decode(), headings, catalogue)
        except AssertionError as failure:
            problems.append(f"{name}: {failure}")
    assert problems == []


def test_the_language_switch_turns_the_staff_pages_russian(
    client: Client, office: Any, catalogue: list[dict[str, Any]]
) -> None:
    lawyer = verified_client(client, office.lawyer)
    assert "Cases in limbo" in lawyer.get("/").content.decode()
    lawyer.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    page = lawyer.get(f"/cases/{office.case.id}/").content.decode()
    assert_russian(page, ["Summary", "Permitted stay ends", "Reveal true name"], catalogue)
    assert "Сводка" in page and "Срок пребывания истекает" in page


def test_the_unseal_page_speaks_russian(client: Client, vault: Any, catalogue: list[dict[str, Any]]) -> None:
    vault.seal(reason="translation test")
    response = _russian(client).get("/unseal/")
    assert response.status_code == 200
    page = response.content.decode()
    assert_russian(page, ["The vault is sealed", "Passphrase", "Recovery shares", "Unseal"], catalogue)
    assert "Хранилище запечатано" in page


def test_the_intake_portal_speaks_russian(db: Any, sealed_office: Any, catalogue: list[dict[str, Any]]) -> None:
    from tests.intake.conftest import Person

    person = Person(Client())
    start = person.client.get("/intake/").content.decode()
    assert_russian(start, ["Reach the legal-aid office safely", "How this site protects you"], catalogue)
    codename = person.get_codename().content.decode()
    assert_russian(codename, ["Your codename", "It cannot be recovered", "I have written it down"], catalogue)
    person.practise()
    step = person.client.get("/intake/q/where/").content.decode()
    assert_russian(step, ["Which country are you in now?", "Your citizenship", "Next"], catalogue)


@pytest.fixture
def sealed_office(vault: Any) -> Any:
    vault.seal(reason="translation test")
    return vault
