"""Correspondence: letters per case, reply status, overdue follow-ups, the institutions directory."""

from __future__ import annotations

from datetime import timedelta

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from passage.audit.models import AuditEvent
from passage.cases import actions
from passage.cases.models import Case, Institution, Letter, ReplyStatus


def _letter(office, institution, *, days_ago: int = 20, case=None, **kwargs):
    return actions.record_letter(
        office.lawyer,
        case or office.case,
        institution=institution,
        direction=kwargs.pop("direction", "out"),
        channel="email",
        sent_on=actions.today() - timedelta(days=days_ago),
        subject=kwargs.pop("subject", "Canary subject"),
        body="Canary body",
        **kwargs,
    )


# -- recording and reading -----------------------------------------------------------------------


def test_it_records_a_letter_encrypted_with_a_follow_up_date(as_volunteer, office, institution, settings):
    sent = actions.today() - timedelta(days=3)
    response = as_volunteer.post(
        f"/cases/{office.case.id}/letters/new/",
        {
            "institution": institution.pk,
            "direction": "out",
            "channel": "post",
            "sent_on": sent.isoformat(),
            "subject": "Canary request for a visa",
            "body": "Canary: dear embassy",
            "reply_status": "awaiting",
            "answered_on": "",
        },
    )
    letter = Letter.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/letters/{letter.id}/"
    assert letter.case == office.case and letter.institution == institution and letter.channel == "post"
    assert letter.followup_due == sent + timedelta(days=settings.PASSAGE.followup_days)
    assert b"Canary" not in bytes(letter.subject_enc) and b"Canary" not in bytes(letter.body_enc)
    assert AuditEvent.objects.get(action="create", target_id=str(letter.pk)).fields == "body,subject"
    assert Case.objects.get(pk=office.case.pk).next_deadline == letter.followup_due


def test_it_gives_a_received_letter_no_follow_up(as_lawyer, office, institution):
    as_lawyer.post(
        f"/cases/{office.case.id}/letters/new/",
        {
            "institution": institution.pk,
            "direction": "in",
            "channel": "email",
            "sent_on": actions.today().isoformat(),
            "subject": "Their answer",
            "body": "",
            "reply_status": "awaiting",
        },
    )
    assert Letter.objects.get().followup_due is None


def test_it_refuses_a_letter_answered_before_it_was_sent(as_lawyer, office, institution):
    response = as_lawyer.post(
        f"/cases/{office.case.id}/letters/new/",
        {
            "institution": institution.pk,
            "direction": "out",
            "channel": "email",
            "sent_on": "2026-03-10",
            "subject": "s",
            "body": "",
            "reply_status": "answered",
            "answered_on": "2026-03-01",
        },
    )
    assert response.status_code == 400
    assert "The answer cannot come before the letter." in response.content.decode()
    assert not Letter.objects.exists()


def test_it_shows_the_letter_decrypted_and_audits_the_read(as_volunteer, office, institution):
    letter = _letter(office, institution)
    page = as_volunteer.get(f"/letters/{letter.id}/").content.decode()
    assert "Canary subject" in page and "Canary body" in page
    read = AuditEvent.objects.get(action="read", target_id=str(letter.pk))
    assert read.actor == office.volunteer and read.fields == "body,subject"


def test_it_lists_the_letters_on_the_case_page(as_lawyer, office, institution):
    _letter(office, institution, subject="Canary list subject")
    page = as_lawyer.get(f"/cases/{office.case.id}/").content.decode()
    assert "Canary list subject" in page and institution.name in page


def test_it_shows_each_letter_row_on_the_case_page_escaped_and_in_russian(as_lawyer, office, institution):
    due = _letter(office, institution, days_ago=30, subject="<b>Visa</b> & appeal")
    answered = _letter(office, institution, days_ago=40, direction="in", subject="")
    actions.set_reply_status(office.lawyer, answered, "refused", actions.today() - timedelta(days=3))
    as_lawyer.post("/i18n/setlang/", {"language": "ru"})
    page = as_lawyer.get(f"/cases/{office.case.id}/").content.decode()
    rows = {letter.id: page[page.index(f'href="/letters/{letter.id}/"') :] for letter in (due, answered)}
    rows = {key: row[: row.index("</tr>")] for key, row in rows.items()}
    assert "&lt;b&gt;Visa&lt;/b&gt; &amp; appeal</a>" in rows[due.id] and "<b>" not in page
    assert "ждём ответа" in rows[due.id]
    assert f'{due.followup_due.isoformat()} <strong class="bad">срок наступил</strong>' in rows[due.id]
    assert "(без темы)</a>" in rows[answered.id]
    assert "отказ" in rows[answered.id] and (actions.today() - timedelta(days=3)).isoformat() in rows[answered.id]
    before = page[: page.index(f'href="/letters/{answered.id}/"')]
    assert "получено · эл. почта" in before[before.rindex("<tr>") :]


def test_it_hides_letters_of_cases_a_volunteer_may_not_see(as_nobody, office, institution):
    letter = _letter(office, institution)
    assert as_nobody.get(f"/letters/{letter.id}/").status_code == 404
    assert as_nobody.post(f"/letters/{letter.id}/status/", {"reply_status": "answered"}).status_code == 404
    assert Letter.objects.get().reply_status == ReplyStatus.AWAITING


# -- reply status --------------------------------------------------------------------------------


def test_it_records_an_answer_and_clears_the_follow_up(as_lawyer, office, institution):
    letter = _letter(office, institution, days_ago=30)
    answered = actions.today() - timedelta(days=2)
    response = as_lawyer.post(
        f"/letters/{letter.id}/status/", {"reply_status": "refused", "answered_on": answered.isoformat()}
    )
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.reply_status == "refused" and letter.answered_on == answered and letter.followup_due is None
    assert AuditEvent.objects.get(action="update", target_id=str(letter.pk)).detail == {"reply_status": "refused"}
    assert Case.objects.get(pk=office.case.pk).next_deadline is None


def test_it_refuses_an_answer_dated_before_the_letter(as_lawyer, office, institution):
    letter = _letter(office, institution, days_ago=5)
    before = (actions.today() - timedelta(days=6)).isoformat()
    response = as_lawyer.post(f"/letters/{letter.id}/status/", {"reply_status": "answered", "answered_on": before})
    assert response.status_code == 400
    letter.refresh_from_db()
    assert letter.reply_status == ReplyStatus.AWAITING


# -- overdue follow-ups --------------------------------------------------------------------------


def test_it_lists_overdue_follow_ups_only(as_lawyer, office, institution):
    overdue = _letter(office, institution, days_ago=30)
    _letter(office, institution, days_ago=2)  # not yet due
    answered = _letter(office, institution, days_ago=40, case=office.other_case)
    actions.set_reply_status(office.lawyer, answered, "answered")
    page = as_lawyer.get("/follow-ups/").content.decode()
    assert page.count('href="/letters/') == 1
    assert f'href="/letters/{overdue.id}/"' in page
    assert "16 days" in page  # 30 days ago, 14 days to follow up
    assert "Canary" not in page  # no subjects: nothing decrypted for a list


def test_it_lists_overdue_follow_ups_in_russian(as_lawyer, office, institution):
    overdue = _letter(office, institution, days_ago=30)
    as_lawyer.post("/i18n/setlang/", {"language": "ru"})
    page = as_lawyer.get("/follow-ups/").content.decode()
    row = page[page.index(f'href="/cases/{office.case.id}/"') :]
    row = row[: row.index("</tr>")]
    assert "Посольство Германии в Казахстане" in row and "эл. почта" in row
    assert f'<a href="/letters/{overdue.id}/">открыть</a>' in row
    assert "16 дней" in page


def test_it_lists_for_a_volunteer_only_assigned_follow_ups(as_volunteer, office, institution):
    _letter(office, institution, days_ago=30)
    other = _letter(office, institution, days_ago=30, case=office.other_case)
    page = as_volunteer.get("/follow-ups/").content.decode()
    assert office.case.code in page
    assert str(other.id) not in page


def test_it_keeps_the_overdue_query_count_constant(
    as_lawyer, office, institution, make_cases, django_assert_max_num_queries
):
    cases = make_cases(5)
    for case in cases:
        _letter(office, institution, days_ago=30, case=case)
    with CaptureQueriesContext(connection) as five:
        assert as_lawyer.get("/follow-ups/").status_code == 200
    for case in make_cases(45):
        _letter(office, institution, days_ago=30, case=case)
    with django_assert_max_num_queries(len(five.captured_queries)):
        page = as_lawyer.get("/follow-ups/").content.decode()
    assert page.count('href="/letters/') == 50


def test_it_pages_the_overdue_follow_ups_oldest_first(as_lawyer, office, institution, make_cases):
    letters = [_letter(office, institution, days_ago=100 - n, case=case) for n, case in enumerate(make_cases(55))]
    first = as_lawyer.get("/follow-ups/").content.decode()
    second = as_lawyer.get("/follow-ups/?page=2").content.decode()
    assert first.count('href="/letters/') == 50 and "Page 1 of 2" in first
    assert second.count('href="/letters/') == 5 and "Page 2 of 2" in second
    assert [f'href="/letters/{letter.id}/"' in second for letter in letters] == [False] * 50 + [True] * 5
    assert first.index(f'href="/letters/{letters[0].id}/"') < first.index(f'href="/letters/{letters[49].id}/"')


# -- institutions --------------------------------------------------------------------------------


def test_it_lists_the_directory_for_everyone(as_volunteer, office, institution):
    page = as_volunteer.get("/institutions/").content.decode()
    assert institution.name in page
    assert "/institutions/new/" not in page


def test_it_shows_institution_names_in_russian(as_lawyer, office, institution):
    as_lawyer.post("/i18n/setlang/", {"language": "ru"})
    assert institution.name_ru in as_lawyer.get("/institutions/").content.decode()


def test_it_lets_a_lawyer_add_and_edit_an_institution(as_lawyer, office):
    response = as_lawyer.post(
        "/institutions/new/",
        {
            "name": "Embassy of Canaryland",
            "kind": "embassy",
            "country": "de",
            "located_in": "KZ",
            "contact": "consular@example.org",
        },
    )
    assert response.status_code == 302
    added = Institution.objects.get(name="Embassy of Canaryland")
    assert added.country == "DE" and added.kb_id is None
    assert AuditEvent.objects.get(action="create", target_id=str(added.pk)).detail["fields"]
    as_lawyer.post(
        f"/institutions/{added.id}/edit/",
        {
            "name": "Embassy of Canaryland",
            "kind": "consulate",
            "country": "DE",
            "located_in": "KZ",
            "contact": "consular@example.org",
        },
    )
    added.refresh_from_db()
    assert added.kind == "consulate"
    assert AuditEvent.objects.get(action="update", target_id=str(added.pk)).detail == {"fields": ["kind"]}


def test_it_refuses_a_bad_country_code(as_lawyer, office):
    response = as_lawyer.post("/institutions/new/", {"name": "X", "kind": "ngo", "country": "Germany"})
    assert response.status_code == 400
    assert "two-letter country code" in response.content.decode()


def test_it_refuses_a_volunteer_changing_the_directory(as_volunteer, office, institution):
    assert as_volunteer.get("/institutions/new/").status_code == 403
    assert (
        as_volunteer.post(f"/institutions/{institution.id}/edit/", {"name": "Hacked", "kind": "ngo"}).status_code == 403
    )
    assert as_volunteer.post("/institutions/seed/").status_code == 403
    institution.refresh_from_db()
    assert institution.name != "Hacked"


def test_it_seeds_the_directory_from_the_knowledge_base(office):
    Institution.objects.filter(kb_id="de-embassy-kz").update(name="renamed", contact="kept@example.org")
    call_command("seed-institutions")
    seeded = Institution.objects.get(kb_id="de-embassy-kz")
    assert seeded.name == "Embassy of Germany in Kazakhstan" and seeded.contact == "kept@example.org"
    assert Institution.objects.filter(kb_id__isnull=False).count() == len(actions.knowledge().institutions)
    assert AuditEvent.objects.get(action="seed").detail == {"institutions": len(actions.knowledge().institutions)}


def test_it_seeds_from_the_page(as_lawyer, office):
    Institution.objects.filter(kb_id="de-embassy-kz").update(name="renamed")
    assert as_lawyer.post("/institutions/seed/").status_code == 302
    assert Institution.objects.get(kb_id="de-embassy-kz").name == "Embassy of Germany in Kazakhstan"
