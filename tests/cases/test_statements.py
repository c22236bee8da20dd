"""Prepared list queries: the same rows and counts as the ORM, compiled once, asked every time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from passage.cases import actions
from passage.cases.access import cases_for_user, viewer_of
from passage.cases.letters_html import OVERDUE_COLUMNS
from passage.cases.statements import PreparedPages, PreparedQuery
from passage.cases.views.dashboard import SUMMARY_FIELDS
from tests.conftest import statements_piped

pytestmark = pytest.mark.django_db


def _limbo(viewer: Any) -> Any:
    return (
        cases_for_user(viewer)
        .values(*SUMMARY_FIELDS)
        .order_by(F("permitted_stay_ends").asc(nulls_last=True), F("next_deadline").asc(nulls_last=True), "code")
    )


def _people(office: Any) -> list[Any]:
    return [office.admin, office.lawyer, office.volunteer, office.volunteer_none]


def _letters(office: Any, institution: Any, count: int) -> None:
    for number in range(count):
        actions.record_letter(office.lawyer, office.case if number % 2 else office.other_case,
                              institution=institution, direction="out", channel="email",
                              sent_on=actions.today() - timedelta(days=30 + number), subject=f"s{number}", body="b")  # fmt: skip


def test_it_gives_each_person_the_rows_and_count_the_orm_gives(office, make_cases):
    make_cases(3)
    make_cases(2, assign=False)
    actions.shred_case(office.other_case.id, actor=office.lawyer)
    limbo = PreparedQuery(_limbo)
    for person in _people(office):
        viewer = viewer_of(person)
        expected = list(_limbo(person))
        assert limbo.rows(viewer) == expected
        assert limbo.count(viewer) == len(expected)
    # Dates come back as dates and ids as UUIDs, as Django converts them.
    first = limbo.rows(viewer_of(office.lawyer))[0]
    assert first == next(row for row in _limbo(office.lawyer) if row["id"] == first["id"])
    assert type(first["id"]) is type(office.case.id)
    assert {len(limbo.rows(viewer_of(person))) for person in _people(office)} == {6, 4, 0}


def test_it_counts_on_the_plain_query_and_lists_the_columns(office, institution):
    _letters(office, institution, 6)
    overdue = PreparedQuery(actions.overdue_followups, columns=OVERDUE_COLUMNS)
    on = actions.today()
    for person in _people(office):
        plain = actions.overdue_followups(person, on)
        assert overdue.rows(viewer_of(person), on) == list(plain.values(*OVERDUE_COLUMNS))
        assert overdue.count(viewer_of(person), on) == plain.count()
    assert overdue.count(viewer_of(office.volunteer), on) == 3
    assert overdue.count(viewer_of(office.lawyer), on) == 6
    with CaptureQueriesContext(connection) as captured:
        overdue.count(viewer_of(office.lawyer), on)
    assert "JOIN" not in captured.captured_queries[0]["sql"].upper()


def test_counted_in_parts_it_gives_what_the_orm_counts_shredded_cases_left_out(office, institution, make_cases):
    """Rows less those on shredded cases, for those who see every case; the plain count for others."""
    from passage.cases.access import hidden_case_ids

    _letters(office, institution, 6)  # three each on the volunteer's case and the other case
    shredded = make_cases(1, assign=False)[0]
    for number in range(4):
        actions.record_letter(office.lawyer, shredded, institution=institution, direction="out", channel="email",
                              sent_on=actions.today() - timedelta(days=40 + number), subject="s", body="b")  # fmt: skip
    on = actions.today()
    overdue = PreparedQuery(actions.overdue_followups, columns=OVERDUE_COLUMNS, count_parts=actions.overdue_count_parts)

    def counted(person: Any) -> int:
        viewer = viewer_of(person)
        return overdue.count(viewer, on, count_inputs=(hidden_case_ids(viewer),))

    before = {person.username: counted(person) for person in _people(office)}
    assert before == {"alice-admin": 10, "lena-lawyer": 10, "vova-volunteer": 3, "nina-nobody": 0}
    actions.shred_case(shredded.id, actor=office.lawyer)
    assert counted(office.lawyer) == 6
    actions.shred_case(office.other_case.id, actor=office.lawyer)
    for _round in range(2):  # compiled for these shredded cases, then from the kept statements
        for person in _people(office):
            assert counted(person) == actions.overdue_followups(person, on).count()
    assert counted(office.lawyer) == 3  # seven letters are on shredded cases
    assert counted(office.volunteer) == 3 and hidden_case_ids(viewer_of(office.volunteer)) == ()
    assert len(overdue.rows(viewer_of(office.lawyer), on)) == 3
    hidden = hidden_case_ids(viewer_of(office.lawyer))
    with statements_piped() as piped:
        overdue.count(viewer_of(office.lawyer), on, count_inputs=(hidden,))
    assert len(piped) == 2  # the letters, and those on the shredded cases
    assert all(piped) if connection.vendor == "postgresql" else not any(piped)
    with pytest.raises(TypeError, match="counted in parts"):
        PreparedQuery(actions.overdue_followups, columns=OVERDUE_COLUMNS).count(viewer_of(office.lawyer), on,
                                                                                 count_inputs=(hidden,))  # fmt: skip


def test_it_compiles_once_per_set_of_inputs_and_asks_the_database_every_time(office, make_cases):
    limbo = PreparedQuery(_limbo)
    viewer = viewer_of(office.lawyer)
    before = limbo.rows(viewer)
    made = make_cases(1)
    with CaptureQueriesContext(connection) as captured:
        after = limbo.rows(viewer)
    assert len(captured.captured_queries) == 1
    assert [row["id"] for row in after if row["id"] not in {old["id"] for old in before}] == [made[0].id]
    rows_cache, _count_cache = limbo.cache_info()
    assert (rows_cache.misses, rows_cache.hits) == (1, 1)
    limbo.rows(viewer_of(office.volunteer))
    assert limbo.cache_info()[0].misses == 2
    for _first_then_compiled in range(2):  # compiling a count does not ask twice
        with CaptureQueriesContext(connection) as captured:
            assert limbo.count(viewer) == len(after)
        assert len(captured.captured_queries) == 1
    assert limbo.cache_info()[1][:2] == (1, 1)


def test_it_follows_a_role_change_and_a_deactivation_on_the_next_call(office):
    limbo = PreparedQuery(_limbo)
    volunteer = office.volunteer
    assert [row["id"] for row in limbo.rows(viewer_of(volunteer))] == [office.case.id]
    volunteer.role = "lawyer"
    volunteer.save(update_fields=["role"])
    assert {row["id"] for row in limbo.rows(viewer_of(volunteer))} == {office.case.id, office.other_case.id}
    volunteer.is_active = False
    volunteer.save(update_fields=["is_active"])
    with CaptureQueriesContext(connection) as captured:
        assert limbo.rows(viewer_of(volunteer)) == []
        assert limbo.count(viewer_of(volunteer)) == 0
    assert captured.captured_queries == []  # nothing to ask: the access rule gives an empty queryset


def test_it_pages_like_the_orm_including_the_short_last_page(office, make_cases):
    make_cases(7)
    limbo = PreparedQuery(_limbo)
    prepared = Paginator(PreparedPages(limbo, viewer_of(office.lawyer)), 4)
    plain = Paginator(_limbo(office.lawyer), 4)
    assert prepared.num_pages == plain.num_pages == 3
    for number in (1, 2, 3):
        assert list(prepared.page(number).object_list) == list(plain.page(number).object_list)
    assert len(prepared.page(3).object_list) == 1


def test_it_refuses_a_query_that_does_not_give_plain_columns(office):
    with pytest.raises(TypeError, match="values"):
        PreparedQuery(cases_for_user).rows(viewer_of(office.lawyer))
    with pytest.raises(TypeError, match="plain slice"):
        PreparedPages(PreparedQuery(_limbo), viewer_of(office.lawyer))[3]  # type: ignore[index]


# -- queries about one record: one statement for every case ---------------------------------------


def _tasks(case_id: Any) -> Any:
    from passage.cases.models import Task

    return Task.objects.filter(case_id=case_id).select_related("assigned_to")


def _fields(instance: Any) -> dict[str, Any]:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def test_a_record_query_gives_each_case_what_the_orm_gives_with_one_statement(office):
    from passage.cases.statements import PreparedRecords

    for case, person in ((office.case, office.volunteer), (office.other_case, office.lawyer)):
        for number in range(2):
            actions.add_task(office.lawyer, case, title=f"t{number}", due_on=actions.today(), kind="task",
                             assigned_to=person if number else None)  # fmt: skip
    tasks = PreparedRecords(_tasks)
    for case in (office.case, office.other_case, office.case):
        expected = list(_tasks(case.id))
        with CaptureQueriesContext(connection) as captured:
            found = tasks.fetch(case.id)
            assigned = [task.assigned_to.username if task.assigned_to else None for task in found]
        assert len(captured.captured_queries) == 1  # the people came with the tasks (select_related)
        assert [_fields(task) for task in found] == [_fields(task) for task in expected]
        assert assigned == [task.assigned_to.username if task.assigned_to else None for task in expected]
        assert all(task.case_id == case.id and not task._state.adding for task in found)
    assert tasks.cache_info()[:2] == (2, 1)  # compiled once, for every case


def test_a_record_query_keeps_the_access_rule_for_each_case(office):
    from django.http import Http404

    from passage.cases.access import get_case_for_user

    assert get_case_for_user(office.volunteer, office.case.id).id == office.case.id
    with pytest.raises(Http404):
        get_case_for_user(office.volunteer, office.other_case.id)
    with pytest.raises(Http404):
        get_case_for_user(office.volunteer_none, office.case.id)
    assert get_case_for_user(office.lawyer, str(office.other_case.id)).code == office.other_case.code
    actions.shred_case(office.other_case.id, actor=office.lawyer)
    with pytest.raises(Http404):
        get_case_for_user(office.lawyer, office.other_case.id)


def test_a_record_query_refuses_a_builder_that_uses_the_id_other_than_as_the_id(office):
    from passage.cases.models import Case, Task
    from passage.cases.statements import PreparedRecords

    with pytest.raises(RuntimeError, match="not the record's id"):
        PreparedRecords(lambda case_id: Case.objects.filter(code=str(case_id)[-4:])).fetch(office.case.id)
    with pytest.raises(RuntimeError, match="must ask for its record's id"):
        PreparedRecords(lambda case_id: Case.objects.all()).fetch(office.case.id)
    with pytest.raises(RuntimeError, match="depends on the record's id"):
        PreparedRecords(lambda case_id: Case.objects.filter(pk=case_id)[: case_id.int % 7 + 1]).fetch(office.case.id)
    with pytest.raises(TypeError, match="plain model instances"):
        PreparedRecords(lambda case_id: Case.objects.get(pk=office.case.pk).tasks.all()).fetch(office.case.id)
    with pytest.raises(TypeError, match="UUID"):
        PreparedRecords(lambda case_id: Task.objects.filter(case_id=case_id)).fetch(str(office.case.id))  # type: ignore[arg-type]


def test_record_queries_asked_together_give_what_each_gives_alone(office):
    """Several lists about a case in one go: on PostgreSQL every statement rides one pipeline."""
    from passage.cases.models import Case, Note
    from passage.cases.statements import PreparedRecords, fetch_together

    actions.add_task(office.lawyer, office.case, title="t", due_on=actions.today(), assigned_to=office.volunteer)
    actions.add_note(office.lawyer, office.case, text="n")
    tasks = PreparedRecords(_tasks)
    notes = PreparedRecords(lambda case_id: Note.objects.filter(case_id=case_id).select_related("created_by"))
    nothing = PreparedRecords(lambda case_id: Case.objects.filter(pk=case_id, code__in=[]))  # Django asks nothing
    piped: list[bool] = []
    for case in (office.case, office.other_case):
        with statements_piped() as asked:
            together = fetch_together((tasks, case.id), (nothing, case.id), (notes, case.id))
        piped += asked
        alone = [tasks.fetch(case.id), nothing.fetch(case.id), notes.fetch(case.id)]
        assert [[_fields(item) for item in found] for found in together] == [
            [_fields(item) for item in found] for found in alone
        ]
        assert together[1] == []
    assert [task.assigned_to.username for task in together[0]] == []  # the other case has no task
    first = fetch_together((tasks, office.case.id), (notes, office.case.id))
    assert first[0][0].assigned_to.username == office.volunteer.username
    assert first[1][0].created_by.username == office.lawyer.username
    assert len(piped) == 4  # two statements per case; the empty query asked nothing
    assert all(piped) if connection.vendor == "postgresql" else not any(piped)


def test_a_case_key_asked_with_the_lists_serves_the_decryptions_that_follow(office, make_cases):
    """The case page asks the case's wrapped key with its lists (one pipeline on PostgreSQL); the
    case's cipher is then in the request's scope. A shredded case's key is not there to ask."""
    from passage.cases.models import Case
    from passage.cases.statements import PreparedRecords, fetch_together
    from passage.sealing import service
    from passage.vault import VaultError

    tasks = PreparedRecords(_tasks)
    case, table = office.case, Case._meta.db_table
    expected = service.case_cipher(case.id).decrypt(table, case.id, "narrative", case.narrative_enc)
    with service.request_scope():
        with statements_piped() as asked:
            found, answer = fetch_together((tasks, case.id), also=(service.case_key_ask(case.id),))
        assert found == [] and answer is None
        assert len(asked) == 2
        assert all(asked) if connection.vendor == "postgresql" else not any(asked)
        with CaptureQueriesContext(connection) as later:
            narrative = service.case_cipher(case.id).decrypt(table, case.id, "narrative", case.narrative_enc)
        assert narrative == expected and expected
        assert later.captured_queries == []  # the key came with the lists
    shredded = make_cases(1)[0]
    actions.shred_case(shredded.id, actor=office.lawyer)
    with service.request_scope():
        assert fetch_together(also=(service.case_key_ask(shredded.id),)) == [None]
        with pytest.raises(VaultError, match="crypto-shredded"):
            service.case_cipher(shredded.id)


def test_an_error_in_joined_statements_is_djangos_and_the_connection_goes_on(office):
    from django.db import DatabaseError, transaction

    from passage.round_trips import joined_round_trips

    with pytest.raises(DatabaseError), transaction.atomic():
        with joined_round_trips(connection), connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.execute("SELECT * FROM no_such_table_here")
            cursor.execute("SELECT 2")
    with joined_round_trips(connection) as joined, connection.cursor() as cursor:
        cursor.execute("SELECT 3")
        assert cursor.fetchone()[0] == 3
    assert joined is (connection.vendor == "postgresql")


@pytest.mark.parametrize("asked", ["", "1", "2", "3", "4", "99", "-1", "0", "x", "2.0"])
def test_a_page_asked_with_other_questions_is_the_page_the_orm_gives(office, make_cases, rf, asked):
    """Count, page and other lists in one go: the same page as the plain paginator, any number asked."""
    from passage.cases.statements import asked_together
    from passage.cases.views.common import paginate, paginate_with

    make_cases(5)  # seven cases in all, three pages of three
    limbo = PreparedQuery(_limbo)
    viewer = viewer_of(office.lawyer)
    request = rf.get("/", {"page": asked} if asked else {})
    expected = paginate(request, _limbo(office.lawyer), size=3)
    limbo.count(viewer)  # compiled before, so that what follows is what a page view does
    with statements_piped() as piped:
        page, (others,) = paginate_with(request, PreparedPages(limbo, viewer), limbo.rows_ask(viewer), size=3)
    assert (page.number, page.paginator.num_pages, page.paginator.count) == (expected.number, 3, 7)
    assert list(page.object_list) == list(expected.object_list)
    assert others == asked_together(limbo.rows_ask(viewer))[0] == list(_limbo(office.lawyer))
    within = asked in ("", "1", "2", "3", "x", "2.0")  # asked as the page it turns out to be (1 if not a number)
    assert len(piped) == (3 if within else 4)  # past either end: the paginator gives the last page, asked again
    if connection.vendor == "postgresql":
        assert all(piped[:3])


def test_the_first_page_asked_asks_no_more_than_the_next(office, make_cases, rf):
    """Compiling the count runs it once; that answer is used, not asked a second time."""
    from django.test.utils import CaptureQueriesContext

    from passage.cases.views.common import paginate_with

    make_cases(4)
    limbo = PreparedQuery(_limbo)
    viewer = viewer_of(office.lawyer)
    counts = []
    for _visit in range(2):
        with CaptureQueriesContext(connection) as captured:
            page, _none = paginate_with(rf.get("/"), PreparedPages(limbo, viewer), size=2)
        counts.append(len(captured.captured_queries))
        assert (page.paginator.count, len(page.object_list)) == (6, 2)
    assert counts == [2, 2]
