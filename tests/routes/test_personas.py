"""The demo personas against the shipped knowledge base: verdicts that follow from FACTS.md."""

from __future__ import annotations

from datetime import date

import pytest

from passage.routes import load_profile, make_plan, plan_json
from tests.routes.conftest import EXAMPLES


@pytest.fixture(scope="module")
def plans(shipped):
    return {path.stem: make_plan(load_profile(path, shipped), shipped) for path in sorted(EXAMPLES.glob("*.yaml"))}


def _status(plan, pathway_id):
    return next(r for r in plan.pathways if r.pathway.id == pathway_id).status


def _warnings(plan):
    return [w.render() for w in plan.warnings]


def test_there_are_at_least_six_personas(plans):
    assert len(plans) >= 6


def test_the_kazakhstan_deserter_cannot_reach_us_resettlement_and_is_told_why(plans):
    plan = plans["kz-deserter"]
    assert _status(plan, "us-usrap-p1") in {"blocked", "circular"}
    referral = next(
        r
        for r in next(p for p in plan.pathways if p.pathway.id == "us-usrap-p1").requirements
        if r.requirement.fact == "usrap_referral"
    )
    assert referral.status in {"fails", "circular"}
    chains = [[getattr(item, "id", None) or item.fact for item in o.chain] for o in referral.obstacles]
    # Who points to whom: the embassy sends walk-ins on to UNHCR or the host government.
    assert ["usrap_referral", "usrap-referral-us-embassy", "unhcr_registered"] in chains
    assert ["usrap_referral", "usrap-referral-us-embassy", "refugee_status_host"] in chains
    text = " ".join(_warnings(plan))
    assert "Referral to USRAP by a U.S. Embassy" in text and "Registered with UNHCR" in text


def test_the_kazakhstan_deserter_meets_the_swiss_third_country_trap(plans):
    plan = plans["kz-deserter"]
    result = next(p for p in plan.pathways if p.pathway.id == "ch-humanitarian-visa")
    assert result.status == "blocked"
    (trap,) = result.traps
    assert trap.conflicts_with.id == "ch-endangered"
    assert any("trap" in w and "third state" in w for w in _warnings(plan))


def test_the_kazakhstan_deserter_can_only_try_france_and_every_exit_is_severe(plans):
    plan = plans["kz-deserter"]
    assert {r.goal.id for r in plan.routes} == {"fr-visa-asile", "fr-asylum"}
    asylum = next(r for r in plan.routes if r.goal.id == "fr-asylum")
    exit_step = next(s for s in asylum.steps if s.action == "travel")
    assert exit_step.risk == "severe"
    assert any("CSTO" in w.render() for w in exit_step.warnings)
    # No foreign passport: every third country beyond KZ/KG/AM is out of reach.
    assert _status(plan, "mn-residence") == "blocked"
    assert any("permitted stay in Kazakhstan ends on 2026-11-29 (in 9 days)" in w for w in _warnings(plan))


def test_the_activist_with_a_sister_in_germany_can_ask_for_german_admission(plans):
    plan = plans["ge-activist"]
    assert _status(plan, "de-22-2-aufenthg") == "missing"  # evidence of threats still to collect
    result = next(p for p in plan.pathways if p.pathway.id == "de-22-2-aufenthg")
    statuses = {r.requirement.id: r.status for r in result.requirements}
    assert statuses == {
        "de22-abroad": "holds",
        "de22-commitment": "holds",
        "de22-endangered": "missing_evidence",
        "de22-ties": "holds",
    }
    assert plan.routes[0].goal.id == "de-22-2-aufenthg"
    assert [s.id for s in next(r for r in plan.routes if r.goal.id == "de-asylum").steps] == [
        "de-22-2-aufenthg.apply",
        "air-to-de",
        "de-asylum",
    ]


def test_the_reservist_is_warned_about_his_passport_and_france_says_reservist_is_not_enough(plans):
    plan = plans["kg-reservist"]
    assert any("2026-12-20 (in 30 days)" in w for w in _warnings(plan))
    assert _status(plan, "fr-visa-asile") == "blocked"
    assert any("mere reservist status is not enough" in w for w in _warnings(plan))


def test_the_draft_evader_in_armenia_can_apply_for_the_french_visa_via_kazakhstan(plans):
    plan = plans["am-draft-evader"]
    assert _status(plan, "fr-visa-asile") == "missing"
    route = next(r for r in plan.routes if r.goal.id == "fr-visa-asile")
    assert [s.id for s in route.steps] == ["air-to-kz", "fr-visa-asile", "fr-visa-asile.wait"]
    assert any("Armenia ends on 2026-12-06 (in 16 days)" in w for w in _warnings(plan))


def test_the_objector_in_serbia_is_told_the_stay_limit_is_unknown(plans):
    plan = plans["rs-objector"]
    assert any("permitted stay in Serbia is not known" in w for w in _warnings(plan))
    # Whether Russian authorities threaten him is unknown, but ties to Germany are absent: not met.
    assert _status(plan, "de-22-2-aufenthg") == "blocked"


def test_the_person_in_turkey_is_warned_six_days_before_the_stay_ends(plans):
    assert any("Turkey ends on 2026-11-26 (in 6 days)" in w for w in _warnings(plans["tr-stay-ending"]))


def test_every_route_step_and_requirement_cites_a_source(plans):
    for plan in plans.values():
        data = plan_json(plan)
        for pathway in data["pathways"]:
            assert pathway["sources"]
            assert all(r["citation"] for r in pathway["requirements"])
        for route in data["routes"]:
            assert all(step["citation"] for step in route["steps"])


def test_every_plan_names_the_unchecked_knowledge(plans):
    for plan in plans.values():
        assert plan.stale
        assert any("never checked by a person" in w for w in _warnings(plan))


def test_personas_are_dated_so_verdicts_do_not_drift(plans):
    assert {plan.profile.as_of for plan in plans.values()} == {date(2026, 11, 20)}
