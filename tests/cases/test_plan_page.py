"""The route plan page: computed on view, in the user's language, audited, sources as text."""

from __future__ import annotations

import re
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone
from django.utils.html import escape
from django_tasks_db.models import DBTaskResult

from passage.audit.models import AuditEvent
from passage.cases import actions
from passage.cases.jobs import replan_cases
from passage.cases.models import Case
from passage.routes import make_plan
from passage.routes.output import text_label


def _plan(office):
    return make_plan(actions.case_profile(office.case), actions.knowledge())


def test_it_shows_every_pathway_with_status_basis_and_trace(as_lawyer, office):
    page = as_lawyer.get(f"/cases/{office.case.id}/plan/").content.decode()
    plan = _plan(office)
    for result in plan.pathways:
        assert f'id="pathway-{result.pathway.id}"' in page
        assert f"status-{result.status}" in page
    first = plan.pathways[0]
    assert escape(first.pathway.legal_basis) in page
    assert escape(first.requirements[0].requirement.label.en) in page
    assert "verified source" in page or "source not verified" in page


def test_it_shows_ranked_routes_with_steps_risks_days_and_costs(as_lawyer, office):
    page = as_lawyer.get(f"/cases/{office.case.id}/plan/").content.decode()
    plan = _plan(office)
    assert plan.routes, "the fixture case has routes"
    best = plan.routes[0]
    assert f'id="route-1">1. {escape(best.goal.name.en)}' in page
    assert f"risk-{best.risk}" in page
    for step in best.steps:
        assert escape(text_label(step.label, "en")) in page


def test_it_explains_dead_ends_circles_and_traps(as_lawyer, office):
    page = as_lawyer.get(f"/cases/{office.case.id}/plan/").content.decode()
    from passage.routes.output import explanations

    plan = _plan(office)
    said = [text for result in plan.pathways for text in explanations(result, plan.knowledge, "en")]
    assert said, "the fixture case meets obstacles"
    assert "What stands in the way" in page
    assert escape(said[0]) in page


def test_it_shows_sources_as_plain_text_never_as_links(as_lawyer, office):
    page = as_lawyer.get(f"/cases/{office.case.id}/plan/").content.decode()
    source = _plan(office).pathways[0].pathway.sources[0]
    assert source.url in page
    assert not re.search(r'href="https?://', page)
    assert "<script" not in page


def test_it_warns_about_stale_knowledge(as_lawyer, office):
    page = as_lawyer.get(f"/cases/{office.case.id}/plan/").content.decode()
    assert _plan(office).stale
    assert "Knowledge to re-check" in page


def test_it_speaks_russian_to_a_russian_user(as_lawyer, office):
    as_lawyer.post("/i18n/setlang/", {"language": "ru"})
    page = as_lawyer.get(f"/cases/{office.case.id}/plan/").content.decode()
    best = _plan(office).routes[0]
    assert escape(best.goal.name.ru) in page


def test_it_audits_the_read_of_the_facts(as_lawyer, office):
    as_lawyer.get(f"/cases/{office.case.id}/plan/")
    event = AuditEvent.objects.get(action="read", target_id=str(office.case.pk))
    assert event.fields == "facts" and event.detail == {"view": "plan"}


def test_it_refreshes_a_summary_planned_with_an_older_knowledge_base(as_lawyer, office):
    Case.objects.filter(pk=office.case.pk).update(plan_kb_version="old", best_route_goal="", best_route_status="")
    as_lawyer.get(f"/cases/{office.case.id}/plan/")
    case = Case.objects.get(pk=office.case.pk)
    assert case.plan_kb_version == actions.knowledge().version
    assert case.best_route_goal == _plan(office).routes[0].goal.id


def test_it_refreshes_a_summary_computed_on_an_earlier_day(as_lawyer, office):
    yesterday = timezone.now() - timedelta(days=1)
    Case.objects.filter(pk=office.case.pk).update(plan_computed_at=yesterday, best_route_goal="")
    as_lawyer.get(f"/cases/{office.case.id}/plan/")
    assert Case.objects.get(pk=office.case.pk).best_route_goal


def test_it_shows_a_volunteer_the_plan_of_the_assigned_case(as_volunteer, office):
    assert as_volunteer.get(f"/cases/{office.case.id}/plan/").status_code == 200
    assert as_volunteer.get(f"/cases/{office.other_case.id}/plan/").status_code == 404


def test_it_replans_stale_cases_from_the_command(office):
    Case.objects.filter(pk__in=[office.case.pk, office.other_case.pk]).update(plan_kb_version="old")
    call_command("replan", "--now")
    assert not Case.objects.exclude(plan_kb_version=actions.knowledge().version).exists()
    assert AuditEvent.objects.get(action="replan").detail["cases"] == 2


def test_it_queues_the_replan_job_and_the_job_replans(office):
    Case.objects.filter(pk=office.case.pk).update(plan_kb_version="old")
    call_command("replan")
    assert DBTaskResult.objects.get().task_path == "passage.cases.jobs.replan_cases"
    assert replan_cases.call() == 1


def test_it_refuses_to_replan_while_sealed(office, vault):
    import pytest
    from django.core.management.base import CommandError

    from passage.cases.jobs import VaultSealedError

    vault.seal()
    with pytest.raises(CommandError, match="sealed"):
        call_command("replan", "--now")
    with pytest.raises(VaultSealedError):
        replan_cases.call()


def test_it_plans_a_new_case_with_no_facts_yet(as_lawyer, office):
    case = actions.create_case(office.lawyer, true_name="Nobody Yet")
    page = as_lawyer.get(f"/cases/{case.id}/plan/").content.decode()
    assert "No route was found with what is known." in page
    assert "the current country is not known" in page
    assert as_lawyer.get(f"/cases/{case.id}/").status_code == 200
