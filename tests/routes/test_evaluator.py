"""The evaluator: requirement traces, unknown facts, circles, traps and dead ends."""

from __future__ import annotations

from passage.routes import Profile, evaluate_all, evaluate_pathway
from passage.routes.plan import chain_text


def _result(knowledge, profile, pathway_id):
    return evaluate_pathway(knowledge.pathway(pathway_id), profile, knowledge)


def _statuses(result):
    return {r.requirement.id: r.status for r in result.requirements}


def test_it_traces_every_requirement_with_its_citation(mini, deserter):
    result = _result(mini, deserter, "ds-visa")
    assert _statuses(result) == {
        "dsv-mission": "fails",  # no DS embassy in TA
        "dsv-deserter": "holds",  # papers held
        "dsv-activist": "unknown",  # the profile does not say
        "dsv-passport": "holds",
    }
    assert result.status == "missing"
    assert all(r.requirement.citation.startswith("Fixture source") for r in result.requirements)


def test_it_never_treats_an_unstated_fact_as_false(mini, deserter):
    unstated = deserter.with_facts(status=None)
    result = _result(mini, unstated, "ds-visa")
    assert _statuses(result)["dsv-deserter"] == "unknown"
    assert _statuses(result)["dsv-activist"] == "unknown"
    # Unknown is neither a refusal nor a pass: the pathway is not blocked and not open.
    assert result.status == "missing"
    assert result.unknown_facts == ("activist", "status")


def test_it_never_treats_an_unstated_fact_as_true(mini, deserter):
    moved = deserter.with_facts(current_country="TB", status=None)
    result = _result(mini, moved, "ds-visa")
    assert result.status != "open"
    stated = _result(mini, moved.with_facts(status="deserter"), "ds-visa")
    assert stated.status == "open"


def test_it_lists_the_evidence_still_to_collect(mini, deserter):
    moved = deserter.with_facts(current_country="TB", status=None, activist=True)
    result = _result(mini, moved, "ds-visa")
    activist = next(r for r in result.requirements if r.requirement.id == "dsv-activist")
    assert activist.status == "missing_evidence"
    assert activist.evidence_needed == ("proof",)
    assert result.status == "missing"
    with_proof = Profile(moved.id, moved.as_of, moved.facts, moved.evidence | {"proof"})
    assert _result(mini, with_proof, "ds-visa").status == "open"


def test_it_names_the_vicious_circle_and_who_points_to_whom(mini, deserter):
    result = _result(mini, deserter, "ds-resettle")
    assert result.status == "circular"
    (referral,) = result.requirements
    assert referral.status == "circular"
    assert referral.cycle == ["referral", "embassy-referral", "case_known", "open-case", "referral"]
    text = chain_text(next(o for o in referral.obstacles if o.kind == "cycle"), mini)
    assert "«Embassy referral»" in text and "«Open a case»" in text


def test_it_names_the_trap_between_two_requirements(mini, deserter):
    result = _result(mini, deserter, "ds-humvisa")
    assert result.status == "blocked"
    (trap,) = result.traps
    assert trap.conflicts_with is not None and trap.conflicts_with.id == "dsh-endangered"
    assert [item.id for item in trap.chain if hasattr(item, "action")] == ["go-home"]
    assert trap.chain[-1].fact == "endangered"


def test_it_is_no_trap_for_someone_who_could_go_home(mini, deserter):
    safe = deserter.with_facts(endangered=False)
    result = _result(mini, safe, "ds-humvisa")
    # Not endangered: the danger requirement itself fails, and nothing can produce it.
    assert result.status == "blocked"
    assert result.traps == []
    assert _statuses(result) == {"dsh-endangered": "fails", "dsh-home": "fails"}


def test_a_personal_fact_that_fails_is_not_met_rather_than_a_dead_end(mini, deserter):
    result = _result(mini, deserter, "ds-dead")
    assert result.status == "blocked"
    (magic,) = result.requirements
    assert [o.kind for o in magic.obstacles] == ["not_met"]


def test_it_reports_a_dead_end_naming_the_chain(mini, deserter):
    evader = deserter.with_facts(status="evader", activist=False)
    result = _result(mini, evader, "ds-asylum")
    assert result.status == "blocked"
    (presence,) = result.requirements
    kinds = {o.kind for o in presence.obstacles}
    assert kinds == {"dead_end"}
    chains = [[getattr(item, "id", None) or item.fact for item in o.chain] for o in presence.obstacles]
    assert ["current_country", "fly-to-ds", "visa_ds", "ds-visa.apply", "status"] in chains
    assert ["current_country", "fly-to-ds", "visa_ds", "ds-visa.apply", "activist"] in chains


def test_adding_evidence_turns_missing_evidence_into_holds(mini, deserter):
    before = _result(mini, deserter.with_facts(activist=True), "ds-visa")
    after = _result(
        mini,
        Profile(deserter.id, deserter.as_of, {**deserter.facts, "activist": True}, deserter.evidence | {"proof"}),
        "ds-visa",
    )
    assert _statuses(before)["dsv-activist"] == "missing_evidence"
    assert _statuses(after)["dsv-activist"] == "holds"


def test_a_passport_valid_too_briefly_fails_the_validity_test(mini, deserter):
    short = deserter.with_facts(passport_expires=deserter.as_of.replace(day=10))
    result = _result(mini, short, "ds-visa")
    assert _statuses(result)["dsv-passport"] == "fails"
    assert result.status == "blocked"


def test_evaluate_all_keeps_knowledge_base_order(mini, deserter):
    assert [r.pathway.id for r in evaluate_all(deserter, mini)] == [p.id for p in mini.pathways]
