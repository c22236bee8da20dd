"""Case list, look-up, new case, case page, reveal, details, notes, incidents, close and reopen."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from passage.audit.models import AuditEvent
from passage.cases import actions
from passage.cases.models import Case, CaseAlias, CaseStatus, Incident, Note


def _events(action: str, target: object | None = None, **filters: object):
    rows = AuditEvent.objects.filter(action=action, **filters)
    if target is not None:
        rows = rows.filter(target_id=str(target.pk))
    return rows


# -- list and look-up ----------------------------------------------------------------------------


def test_it_lists_cases_and_filters_by_code(as_lawyer, office):
    page = as_lawyer.get("/cases/").content.decode()
    assert office.case.code in page and office.other_case.code in page
    filtered = as_lawyer.get("/cases/", {"code": office.case.code[2:5].lower()}).content.decode()
    assert office.case.code in filtered


def test_it_lists_closed_cases_only_when_asked(as_lawyer, office):
    Case.objects.filter(pk=office.other_case.pk).update(status=CaseStatus.CLOSED)
    assert office.other_case.code not in as_lawyer.get("/cases/").content.decode()
    assert office.other_case.code in as_lawyer.get("/cases/", {"closed": "on"}).content.decode()


def test_it_lists_for_a_volunteer_only_the_assigned_case(as_volunteer, office):
    page = as_volunteer.get("/cases/").content.decode()
    assert office.case.code in page and office.other_case.code not in page


def test_it_finds_a_case_by_exact_alias_by_post_only(as_lawyer, office):
    response = as_lawyer.post("/cases/", {"by": "alias", "value": "  VANYA "})
    page = response.content.decode()
    assert response.status_code == 200
    assert f'href="/cases/{office.case.id}/"' in page
    assert "VANYA" not in page and "Vanya" not in page  # the typed alias is not echoed back
    search = _events("search").get()
    assert search.detail == {"by": "alias", "results": 1}
    assert "Vanya" not in str(AuditEvent.objects.values_list("detail", "fields", "target_id"))


def test_it_finds_nothing_for_a_different_alias(as_lawyer, office):
    page = as_lawyer.post("/cases/", {"by": "alias", "value": "Vanechka"}).content.decode()
    assert "No case you can see matches exactly." in page


def test_it_hides_alias_matches_from_an_unassigned_volunteer(as_nobody, office):
    page = as_nobody.post("/cases/", {"by": "alias", "value": "Vanya"}).content.decode()
    assert office.case.code not in page


def test_it_lets_a_lawyer_look_up_a_true_name(as_lawyer, office):
    page = as_lawyer.post("/cases/", {"by": "true_name", "value": "ivan testov"}).content.decode()
    assert f'href="/cases/{office.case.id}/"' in page
    assert _events("search").get().detail == {"by": "true_name", "results": 1}


def test_it_does_not_let_a_volunteer_look_up_a_true_name(as_volunteer, office):
    page = as_volunteer.get("/cases/").content.decode()
    assert 'value="true_name"' not in page
    response = as_volunteer.post("/cases/", {"by": "true_name", "value": "Ivan Testov"})
    assert response.status_code == 400
    assert not _events("search").exists()


# -- new case ------------------------------------------------------------------------------------


def test_it_opens_a_case_with_everything_encrypted(as_lawyer, office):
    response = as_lawyer.post(
        "/cases/new/",
        {
            "true_name": "Sergei Canary",
            "aliases": "Seryozha\nSerge",
            "contacts": "telegram canary-handle",
            "narrative": "Canary story",
            "assigned": [office.volunteer_none.pk],
        },
    )
    case = Case.objects.exclude(pk__in=[office.case.pk, office.other_case.pk]).get()
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.id}/facts/"
    assert re.fullmatch(r"P-[A-Z2-9]{5}", case.code)
    for field, plain in (
        ("true_name_enc", b"Canary"),
        ("aliases_enc", b"Seryozha"),
        ("contacts_enc", b"canary-handle"),
        ("narrative_enc", b"Canary story"),
    ):
        assert plain not in bytes(getattr(case, field))
    assert CaseAlias.objects.filter(case=case).count() == 2
    assert list(case.assigned.all()) == [office.volunteer_none]
    event = _events("create", case).get()
    assert event.actor == office.lawyer
    assert event.fields == "aliases,contacts,facts,narrative,true_name"
    assert actions.find_cases_by_alias(office.lawyer, "serge") == [case]


def test_it_refuses_a_volunteer_a_new_case(as_volunteer, office):
    assert as_volunteer.get("/cases/new/").status_code == 403
    assert as_volunteer.post("/cases/new/", {"true_name": "X"}).status_code == 403
    assert Case.objects.count() == 2
    assert "/cases/new/" not in as_volunteer.get("/cases/").content.decode()


# -- the case page -------------------------------------------------------------------------------


def test_it_shows_the_decrypted_case_and_audits_the_read(as_lawyer, office):
    page = as_lawyer.get(f"/cases/{office.case.id}/").content.decode()
    assert "Vanya" in page and "signal: +000" in page and "Left the unit in 2025." in page
    assert "Ivan Testov" not in page
    assert "Reveal true name" in page
    read = _events("read", office.case).get()
    assert read.actor == office.lawyer
    assert read.fields == "aliases,contacts,facts,narrative"
    assert "Served (mobilised or contract) and left the unit" in page  # facts panel, in words


def test_it_shows_a_volunteer_the_assigned_case_without_name_or_reveal(as_volunteer, office):
    page = as_volunteer.get(f"/cases/{office.case.id}/").content.decode()
    assert "Vanya" in page
    assert "Ivan Testov" not in page
    assert "Reveal true name" not in page
    assert "/shred/" not in page


@pytest.mark.parametrize("suffix", ["", "facts/", "plan/", "details/", "letters/new/"])
def test_it_answers_404_to_an_unassigned_volunteer(as_nobody, office, suffix):
    assert as_nobody.get(f"/cases/{office.case.id}/{suffix}").status_code == 404
    assert not _events("read", office.case).exists()


@pytest.mark.parametrize("suffix", ["notes/", "tasks/", "incidents/"])
def test_it_refuses_an_unassigned_volunteer_every_change(as_nobody, office, suffix):
    assert as_nobody.post(f"/cases/{office.case.id}/{suffix}", {}).status_code == 404


def test_it_answers_404_for_an_unknown_case(as_lawyer, office):
    assert as_lawyer.get("/cases/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_it_reveals_the_true_name_on_post_only_and_audits_it(as_lawyer, office):
    assert as_lawyer.get(f"/cases/{office.case.id}/reveal/").status_code == 405
    page = as_lawyer.post(f"/cases/{office.case.id}/reveal/").content.decode()
    assert "Ivan Testov" in page
    reveal = _events("reveal", office.case).get()
    assert reveal.actor == office.lawyer and reveal.fields == "true_name"
    assert "Ivan" not in str(reveal.detail)
    assert "Ivan Testov" not in as_lawyer.get(f"/cases/{office.case.id}/").content.decode()


def test_it_refuses_a_volunteer_the_reveal(as_volunteer, office):
    response = as_volunteer.post(f"/cases/{office.case.id}/reveal/")
    assert response.status_code == 403
    assert "Ivan" not in response.content.decode()
    assert not _events("reveal").exists()


# -- details -------------------------------------------------------------------------------------


def test_it_changes_details_and_reindexes_aliases(as_lawyer, office):
    response = as_lawyer.post(
        f"/cases/{office.case.id}/details/",
        {
            "aliases": "Ivanushka",
            "contacts": "new contact",
            "narrative": "new story",
            "new_true_name": "",
            "assigned": [office.volunteer.pk, office.volunteer_none.pk],
        },
    )
    assert response.status_code == 302
    text = actions.read_case(office.lawyer, Case.objects.get(pk=office.case.pk))
    assert text.aliases == ["Ivanushka"] and text.contacts == "new contact"
    assert actions.find_cases_by_alias(office.lawyer, "Vanya") == []
    assert actions.find_cases_by_alias(office.lawyer, "ivanushka") == [office.case]
    assert actions.reveal_true_name(office.lawyer, office.case) == "Ivan Testov"  # empty keeps the name
    assert set(office.case.assigned.all()) == {office.volunteer, office.volunteer_none}
    assert _events("assign", office.case).get().detail == {"added": [office.volunteer_none.pk], "removed": []}
    assert _events("update", office.case).get().fields == "aliases,contacts,narrative"


def test_it_lets_a_lawyer_change_the_true_name(as_lawyer, office):
    as_lawyer.post(
        f"/cases/{office.case.id}/details/",
        {
            "aliases": "Vanya",
            "contacts": "",
            "narrative": "",
            "new_true_name": "Ivan Novy",
            "assigned": [office.volunteer.pk],
        },
    )
    case = Case.objects.get(pk=office.case.pk)
    assert actions.reveal_true_name(office.lawyer, case) == "Ivan Novy"
    assert b"Novy" not in bytes(case.true_name_enc)


def test_it_lets_a_volunteer_edit_details_but_not_the_name_or_assignment(as_volunteer, office):
    form = as_volunteer.get(f"/cases/{office.case.id}/details/").content.decode()
    assert "new_true_name" not in form and 'name="assigned"' not in form
    assert "Vanya" in form
    as_volunteer.post(
        f"/cases/{office.case.id}/details/",
        {
            "aliases": "Vanya",
            "contacts": "c",
            "narrative": "n",
            "new_true_name": "Hacked",
            "assigned": [office.volunteer_none.pk],
        },
    )
    assert actions.reveal_true_name(office.lawyer, office.case) == "Ivan Testov"
    assert list(office.case.assigned.all()) == [office.volunteer]


# -- notes and incidents -------------------------------------------------------------------------


def test_it_adds_a_contact_note_and_updates_the_last_contact(as_volunteer, office):
    on = actions.today() - timedelta(days=2)
    response = as_volunteer.post(
        f"/cases/{office.case.id}/notes/",
        {"note-text": "Canary call went fine", "note-is_contact": "on", "note-on": on.isoformat()},
    )
    assert response.status_code == 302 and response["Location"].endswith("#notes")
    note = Note.objects.get(case=office.case)
    assert note.is_contact and b"Canary" not in bytes(note.text_enc)
    assert Case.objects.get(pk=office.case.pk).last_contact == on
    assert _events("create", note).get().actor == office.volunteer
    assert "Canary call went fine" in as_volunteer.get(f"/cases/{office.case.id}/").content.decode()


def test_it_refuses_a_note_dated_in_the_future(as_lawyer, office):
    response = as_lawyer.post(
        f"/cases/{office.case.id}/notes/",
        {"note-text": "x", "note-on": (actions.today() + timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 400
    assert "This date is in the future." in response.content.decode()
    assert not Note.objects.exists()


def test_it_records_incidents_encrypted_with_their_dates(as_lawyer, office):
    response = as_lawyer.post(
        f"/cases/{office.case.id}/incidents/",
        {
            "incident-kind": "entry_refusal",
            "incident-occurred_on": "2026-03-02",
            "incident-country": "GE",
            "incident-description": "Canary refused at Upper Lars",
        },
    )
    assert response.status_code == 302
    incident = Incident.objects.get(case=office.case)
    assert (
        incident.kind == "entry_refusal"
        and incident.occurred_on.isoformat() == "2026-03-02"
        and incident.country == "GE"
    )
    assert b"Canary" not in bytes(incident.description_enc)
    assert _events("create", incident).get().detail == {"case": office.case.code, "kind": "entry_refusal"}
    page = as_lawyer.get(f"/cases/{office.case.id}/").content.decode()
    assert "Canary refused at Upper Lars" in page and "entry refusal" in page and "Georgia" in page


def test_it_shows_one_clear_error_per_bad_incident_field(as_lawyer, office):
    response = as_lawyer.post(
        f"/cases/{office.case.id}/incidents/",
        {"incident-kind": "teleport", "incident-occurred_on": "2026-02-30", "incident-description": ""},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert page.count('class="errorlist') == 3
    assert not Incident.objects.exists()


# -- closing -------------------------------------------------------------------------------------


def test_it_closes_and_reopens_a_case(as_lawyer, office):
    as_lawyer.post(f"/cases/{office.case.id}/status/", {"status": "closed"})
    assert Case.objects.get(pk=office.case.pk).status == CaseStatus.CLOSED
    assert _events("update", office.case).get().detail == {"status": "closed"}
    as_lawyer.post(f"/cases/{office.case.id}/status/", {"status": "active"})
    assert Case.objects.get(pk=office.case.pk).status == CaseStatus.ACTIVE


def test_it_refuses_a_volunteer_closing_a_case(as_volunteer, office):
    assert as_volunteer.post(f"/cases/{office.case.id}/status/", {"status": "closed"}).status_code == 403
    assert Case.objects.get(pk=office.case.pk).status == CaseStatus.ACTIVE


def test_it_keeps_the_code_filter_across_pages(as_lawyer, office, make_cases):
    make_cases(51)
    page = as_lawyer.get("/cases/", {"code": "P-"}).content.decode()
    assert 'href="?code=P-&amp;page=2"' in page


def test_the_case_page_links_are_the_reversed_urls_of_that_case(as_lawyer, office):
    from django.urls import reverse

    from passage.cases.presenters import case_links

    for case in (office.case, office.other_case):
        links = case_links(case.id)
        assert links.pop("evidence") == reverse("evidence:case", args=[case.id])
        assert links.pop("dossiers") == reverse("dossier:case", args=[case.id])
        assert links == {name: reverse(f"cases:{name}", args=[case.id]) for name in links}
    page = as_lawyer.get(f"/cases/{office.other_case.id}/").content.decode()
    for name in ("plan", "details", "facts", "add_note", "add_task", "add_incident", "letter_new", "status", "shred"):
        assert f'"{reverse(f"cases:{name}", args=[office.other_case.id])}"' in page
    for name in ("evidence:case", "dossier:case"):
        assert f'"{reverse(name, args=[office.other_case.id])}"' in page
    assert str(office.case.id) not in page


def test_the_fact_rows_are_what_the_template_loop_rendered(as_lawyer, office):
    from django.template import Context, Template
    from django.utils import translation

    from passage.cases.presenters import FactLine, fact_lines, fact_rows_html

    loop = Template("{% for line in facts %}<dt>{{ line.label }}</dt><dd>{{ line.value }}</dd>{% endfor %}")
    text = actions.read_case(office.lawyer, office.case)
    for lang in ("en", "ru"):
        with translation.override(lang):
            lines = [*fact_lines(text.facts, lang), FactLine('Say "<b>"', "Tom & Jerry's")]
            assert len(lines) > 1
            assert fact_rows_html(lines) == loop.render(Context({"facts": lines}))
    assert "<dt>Say &quot;&lt;b&gt;&quot;</dt><dd>Tom &amp; Jerry&#x27;s</dd>" in fact_rows_html(lines)
    page = as_lawyer.get(f"/cases/{office.case.id}/").content.decode()
    english = fact_lines(text.facts, "en")
    assert f'<dl class="facts">{fact_rows_html(english)}</dl>' in page
