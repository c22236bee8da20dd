"""The planner: ranked routes, risk from the person's situation, deterministic output."""

from __future__ import annotations

from datetime import date, timedelta

from passage.routes import Ranking, make_plan, plan_json
from passage.routes.conditions import FALSE, State, evaluate


def _routes(plan):
    return {route.goal.id: route for route in plan.routes}


def test_it_plans_travel_then_application_and_ranks_by_risk_then_days(mini, deserter):
    plan = make_plan(deserter, mini)
    routes = _routes(plan)
    assert [r.goal.id for r in plan.routes] == ["ds-visa", "ds-asylum"]
    assert [s.id for s in routes["ds-visa"].steps] == ["fly-ta-tb", "ds-visa", "ds-visa.wait"]
    assert [s.id for s in routes["ds-asylum"].steps] == [
        "fly-ta-tb",
        "ds-visa.apply",
        "ds-visa.apply.wait",
        "fly-to-ds",
        "ds-asylum",
    ]
    assert routes["ds-asylum"].days == 1 + 30 + 1


def test_it_marks_exits_from_a_wanted_list_state_severe_with_the_reason(mini, deserter):
    route = _routes(make_plan(deserter, mini))["ds-visa"]
    exit_step = route.steps[0]
    assert exit_step.risk == "severe"
    (reason,) = [w for w in exit_step.warnings if w.code == "risk_rule"]
    assert "border guards" in reason.render() and "Fixture source one" in reason.render()
    assert route.risk == "severe"


def test_someone_not_wanted_crosses_at_low_risk(mini, deserter):
    route = _routes(make_plan(deserter.with_facts(wanted=False), mini))["ds-visa"]
    assert route.risk == "low"


def test_an_unknown_wanted_status_is_assumed_risky_and_says_so(mini, deserter):
    route = _routes(make_plan(deserter.with_facts(wanted=None), mini))["ds-visa"]
    assert route.risk == "severe"
    assert any(w.code == "risk_rule_assumed" and "Wanted" in w.render() for w in route.steps[0].warnings)


def test_the_ranking_order_is_configurable(mini, deserter):
    cheapest = make_plan(deserter, mini, Ranking(order=("cost", "risk", "days")))
    assert _routes(cheapest)["ds-visa"].steps[0].id == "bus-ta-tb"
    fastest = make_plan(deserter, mini, Ranking(order=("days", "risk", "cost")))
    assert _routes(fastest)["ds-visa"].steps[0].id == "fly-ta-tb"


def test_it_plans_for_a_visa_instead_of_assuming_one(mini, deserter):
    # visa_ds is not stated; a step can produce it, so the route obtains it rather than assuming it.
    route = _routes(make_plan(deserter, mini))["ds-asylum"]
    assert "ds-visa.apply" in [s.id for s in route.steps]
    assert route.assumptions == ()


def test_it_warns_when_the_permitted_stay_ends_soon(mini, deserter):
    late = deserter.__class__(deserter.id, date(2024, 3, 25), deserter.facts, deserter.evidence)
    plan = make_plan(late, mini)
    stay = [w for w in plan.warnings if w.code == "stay_ends"]
    assert len(stay) == 1
    assert "2024-04-08" in stay[0].render() and "in 14 days" in stay[0].render()


def test_it_warns_about_an_overstay_on_the_route(mini, deserter):
    late = deserter.__class__(deserter.id, date(2024, 4, 5), deserter.facts, deserter.evidence)
    plan = make_plan(late.with_facts(current_country="TB", arrived_on=date(2024, 1, 10)), mini)
    # TB has no stay rule, so no overstay; in TA (90 days from 10 Jan) waiting 30 days overstays.
    assert not any(w.code == "overstay_on_route" for r in plan.routes for s in r.steps for w in s.warnings)
    stay_in_ta = make_plan(late, mini)
    assert any(w.code == "stay_ends" for w in stay_in_ta.warnings)


def test_it_is_deterministic(mini, deserter):
    first = plan_json(make_plan(deserter, mini))
    second = plan_json(make_plan(deserter, mini))
    assert first == second


def test_no_route_uses_a_step_whose_preconditions_fail(mini, deserter):
    plan = make_plan(deserter, mini)
    for route in plan.routes:
        facts = dict(deserter.facts)
        day = 0
        for route_step in route.steps:
            step = route_step.step
            if step is not None:
                state = State(facts, deserter.as_of + timedelta(days=day), mini.missions)
                assert step.available_in(str(facts["current_country"]))
                if step.requires is not None:
                    assert evaluate(step.requires, state) != FALSE
                facts.update(step.sets())
            day += route_step.days


def test_a_blocked_pathway_gets_no_route(mini, deserter):
    routes = _routes(make_plan(deserter, mini))
    assert "ds-resettle" not in routes and "ds-humvisa" not in routes and "ds-dead" not in routes


def test_an_obtainable_pathway_without_a_concrete_route_is_reported_blocked(mini, deserter):
    # The passport outlasts the visa wait only if the person leaves TA at once; one step allowed.
    plan = make_plan(deserter, mini, Ranking(max_steps=1))
    statuses = {r.pathway.id: r.status for r in plan.pathways}
    assert statuses["ds-asylum"] == "blocked"
    assert "ds-asylum" in plan.no_route
    assert any(w.code == "no_route" for w in plan.warnings)
