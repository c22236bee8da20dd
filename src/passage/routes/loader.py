"""Loading and validating the knowledge base.

Every problem is reported as ``file:line: message`` and all of them are collected, so that
``passage kb check`` lists everything wrong in one run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from passage.routes import schema
from passage.routes._compile import ConditionCompiler, Invalid, convert_value
from passage.routes._yaml import Located, load_file
from passage.routes.conditions import OPERATORS, Cond, Leaf, all_of, any_of
from passage.routes.errors import KnowledgeError, SourceError
from passage.routes.model import (
    Country,
    KnowledgeBase,
    Pathway,
    ReqAll,
    ReqAny,
    ReqNode,
    Requirement,
    RiskRule,
    Step,
    cite,
    requirement_leaves,
)

__all__ = ["DEFAULT_KNOWLEDGE_DIR", "load_knowledge"]

DEFAULT_KNOWLEDGE_DIR = Path(__file__).resolve().parent.parent / "knowledge"

_REQUIREMENT_KEYS = {
    "id",
    "label",
    "fact",
    "evidence",
    "sources",
    "confidence",
    "citation",
    "last_verified",
    "verified_by",
}


@dataclass
class _Parsed:
    located: Located
    model: schema.KnowledgeFile
    display: str


class _Problems:
    def __init__(self) -> None:
        self.items: list[SourceError] = []

    def add(self, located: Located, path: tuple[str | int, ...], message: str) -> None:
        self.items.append(SourceError(located.file, located.line_of(path), message))


def _describe_loc(loc: tuple[str | int, ...]) -> str:
    parts = [str(part) for part in loc if not str(part).startswith("function-")]
    return ".".join(parts)


def _validation_messages(located: Located, error: ValidationError, problems: _Problems) -> None:
    for item in error.errors(include_url=False):
        loc = tuple(part for part in item["loc"] if isinstance(part, str | int))
        # pydantic's location of a union member includes the member's name; drop it.
        path = tuple(part for part in loc if part not in {"str", "list[str]"})
        message = item["msg"]
        if item["type"] == "too_short" and path and path[-1] == "sources":
            message = "has no source (every claim needs at least one)"
        elif item["type"] == "extra_forbidden":
            message = f"unknown field '{path[-1]}'"
        elif item["type"] == "missing":
            message = f"missing field '{path[-1]}'"
        problems.add(located, path, f"{_describe_loc(path)}: {message}")


def _files(directory: Path) -> list[Path]:
    return sorted(path for path in directory.rglob("*.yaml") if path.is_file())


def load_knowledge(directory: Path | None = None, *, today: date | None = None) -> KnowledgeBase:
    """Load, validate and compile the knowledge base in ``directory``.

    Args:
        directory: folder of YAML files; the shipped knowledge base when omitted.
        today: the date against which "in the future" is judged (default: the real today).

    Returns:
        The compiled :class:`KnowledgeBase`.

    Raises:
        KnowledgeError: listing every problem as ``file:line: message``.
    """
    root = (directory or DEFAULT_KNOWLEDGE_DIR).resolve()
    today = today or date.today()  # noqa: DTZ011 - a calendar date; the engine has no time zone
    problems = _Problems()
    if not root.is_dir():
        raise KnowledgeError([SourceError(str(root), 0, "not a directory")])
    paths = _files(root)
    if not paths:
        raise KnowledgeError([SourceError(str(root), 0, "no .yaml files found")])
    digest = hashlib.sha256()
    parsed: list[_Parsed] = []
    for path in paths:
        display = str(path.relative_to(root.parent)) if root.parent in path.parents else str(path)
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
        try:
            located = load_file(path, display)
        except SourceError as error:
            problems.items.append(error)
            continue
        if located.data is None:
            continue
        if not isinstance(located.data, dict):
            problems.add(located, (), "a knowledge file must be a mapping of sections")
            continue
        try:
            model = schema.KnowledgeFile.model_validate(located.data)
        except ValidationError as error:
            _validation_messages(located, error, problems)
            continue
        parsed.append(_Parsed(located, model, display))
    if problems.items:
        raise KnowledgeError(problems.items)
    builder = _Builder(parsed, problems, today, digest.hexdigest()[:12])
    knowledge = builder.build()
    if problems.items or knowledge is None:
        raise KnowledgeError(problems.items)
    return knowledge


class _Builder:
    """Cross-checks the parsed files and compiles them into a :class:`KnowledgeBase`."""

    def __init__(self, parsed: list[_Parsed], problems: _Problems, today: date, digest: str) -> None:
        self.parsed = parsed
        self.problems = problems
        self.today = today
        self.digest = digest
        self.claim_ids: dict[str, str] = {}
        self.reviewable: list[tuple[str, date | None]] = []

    # -- helpers -------------------------------------------------------------------------------

    def _collect(self, section: str) -> list[tuple[_Parsed, int, Any]]:
        found = []
        for item in self.parsed:
            for index, entry in enumerate(getattr(item.model, section)):
                found.append((item, index, entry))
        return found

    def _unique(self, entries: list[tuple[_Parsed, int, Any]], section: str) -> dict[str, Any]:
        seen: dict[str, tuple[_Parsed, int, Any]] = {}
        for item, index, entry in entries:
            first = seen.get(entry.id)
            if first is not None:
                where = first[0].located.where((section, first[1], "id"))
                self.problems.add(item.located, (section, index, "id"), f"duplicate id '{entry.id}' (first at {where})")
                continue
            seen[entry.id] = (item, index, entry)
        return {key: value[2] for key, value in seen.items()}

    def _claim(self, located: Located, path: tuple[str | int, ...], claim_id: str, last_verified: date | None) -> None:
        first = self.claim_ids.get(claim_id)
        where = located.where(path)
        if first is not None:
            self.problems.add(located, path, f"duplicate id '{claim_id}' (first at {first})")
            return
        self.claim_ids[claim_id] = where
        self.reviewable.append((claim_id, last_verified))
        if last_verified is not None and last_verified > self.today:
            self.problems.add(located, path, f"'{claim_id}': last_verified {last_verified} is in the future")

    def _sources(self, located: Located, path: tuple[str | int, ...], ids: Iterable[str]) -> tuple[schema.Source, ...]:
        found = []
        for index, source_id in enumerate(ids):
            source = self.sources.get(source_id)
            if source is None:
                self.problems.add(located, (*path, index), f"unknown source '{source_id}'")
                continue
            found.append(source)
        return tuple(found)

    def _published(self, located: Located, path: tuple[str | int, ...], text: str) -> None:
        if text in {"undated", "current"}:
            return
        parts = [int(part) for part in text.split("-")]
        earliest = date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
        if earliest > self.today:
            self.problems.add(located, path, f"date {text} is in the future")

    def _country_ref(self, located: Located, path: tuple[str | int, ...], code: str | None) -> None:
        if code is not None and code not in self.country_models:
            self.problems.add(located, path, f"unknown country '{code}'")

    # -- build ---------------------------------------------------------------------------------

    def build(self) -> KnowledgeBase | None:
        metas = [(item, item.model.meta) for item in self.parsed if item.model.meta is not None]
        if len(metas) != 1:
            where = self.parsed[0] if self.parsed else None
            if where is not None:
                self.problems.add(
                    where.located, (), f"exactly one file must have a 'meta' section (found {len(metas)})"
                )
            return None
        meta = metas[0][1]
        assert meta is not None  # noqa: S101 - narrowed above

        self.sources = self._unique(self._collect("sources"), "sources")
        for item, index, source in self._collect("sources"):
            self._published(item.located, ("sources", index, "date"), source.date)
        self.facts = self._unique(self._collect("facts"), "facts")
        for item, index, fact in self._collect("facts"):
            if fact.type == "enum" and not fact.values:
                self.problems.add(item.located, ("facts", index), f"enum fact '{fact.id}' needs values")
        self.evidence = self._unique(self._collect("evidence"), "evidence")
        self.country_models = self._unique(self._collect("countries"), "countries")

        self.compiler = ConditionCompiler(self.facts, self.country_models, lambda p, m: None)
        missions = self._institutions()
        countries = self._countries()
        self.entry_conditions: dict[str, Cond | None] = {
            code: any_of([cond for _rule, cond in rules]) if rules else None
            for code, rules in self._entry_compiled.items()
        }
        steps = self._steps()
        pathways = self._pathways()
        steps.extend(self._grant_steps(pathways))
        risk_rules = self._risk_rules(countries)
        safety = self._safety()
        if self.problems.items:
            return None
        return KnowledgeBase(
            meta=meta,
            version=f"{meta.name}+{self.digest}",
            facts=self.facts,
            evidence=self.evidence,
            sources=self.sources,
            countries=countries,
            pathways=tuple(pathways),
            steps=tuple(steps),
            institutions=tuple(self._institution_models),
            risk_rules=tuple(risk_rules),
            safety=tuple(safety),
            missions=frozenset(missions),
            reviewable=tuple(self.reviewable),
        )

    def _point_compiler_at(self, located: Located) -> None:
        def problem(path: tuple[str | int, ...], message: str) -> None:
            self.problems.add(located, path, message)

        self.compiler.problem = problem
        self.compiler.expand_entry = self._entry_for

    def _compile(self, located: Located, raw: Any, path: tuple[str | int, ...], refs: dict[str, str]) -> Cond | None:
        self._point_compiler_at(located)
        return self.compiler.compile(raw, path, refs)

    def _entry_for(self, code: str) -> Cond | None:
        return self.entry_conditions.get(code)

    def _institutions(self) -> set[tuple[str, str]]:
        missions: set[tuple[str, str]] = set()
        self._institution_models = []
        for item, index, inst in self._collect("institutions"):
            path = ("institutions", index)
            self._claim(item.located, (*path, "id"), inst.id, inst.last_verified)
            self._sources(item.located, (*path, "sources"), inst.sources)
            self._country_ref(item.located, (*path, "of"), inst.of)
            for position, code in enumerate(inst.located_in):
                self._country_ref(item.located, (*path, "located_in", position), code)
                if inst.kind in {"embassy", "consulate"} and inst.of is not None:
                    missions.add((code, inst.of))
            self._institution_models.append(inst)
        return missions

    def _countries(self) -> dict[str, Country]:
        compiled: dict[str, Country] = {}
        self._entry_compiled: dict[str, list[tuple[schema.EntryRule, Cond]]] = {}
        for item, index, country in self._collect("countries"):
            if country.id not in self.country_models or self.country_models[country.id] is not country:
                continue
            located = item.located
            path = ("countries", index)
            for key in ("refugee_convention", "shares_wanted_list"):
                flag = getattr(country, key)
                if flag is not None:
                    self._claim(located, (*path, key, "id"), flag.id, flag.last_verified)
                    self._sources(located, (*path, key, "sources"), flag.sources)
            for section in ("facts", "stay_rules", "entry", "risk_notes"):
                for position, record in enumerate(getattr(country, section)):
                    record_path = (*path, section, position)
                    self._claim(located, (*record_path, "id"), record.id, record.last_verified)
                    self._sources(located, (*record_path, "sources"), record.sources)
                    if section == "risk_notes":
                        self._published(located, (*record_path, "date"), record.date)
            rules = []
            for position, rule in enumerate(country.entry):
                cond = self._compile(
                    located, rule.requires, (*path, "entry", position, "requires"), {"destination": country.id}
                )
                if cond is not None:
                    rules.append((rule, cond))
            self._entry_compiled[country.id] = rules
            compiled[country.id] = Country(
                id=country.id,
                name=country.name,
                refugee_convention=country.refugee_convention,
                shares_wanted_list=country.shares_wanted_list,
                entry=tuple(country.entry),
                stay_rules=tuple(country.stay_rules),
                facts=tuple(country.facts),
                risk_notes=tuple(country.risk_notes),
                unknowns=tuple(country.unknowns),
            )
        return compiled

    def _steps(self) -> list[Step]:
        steps: list[Step] = []
        for item, index, step in self._collect("steps"):
            located = item.located
            path = ("steps", index)
            self._claim(located, (*path, "id"), step.id, step.last_verified)
            sources = self._sources(located, (*path, "sources"), step.sources)
            refs: dict[str, str] = {}
            if step.action == "travel":
                if step.to is None or step.from_ is None or step.mode is None:
                    self.problems.add(located, path, f"travel step '{step.id}' needs from, to and mode")
                    continue
                if step.from_ != "*":
                    self._country_ref(located, (*path, "from"), step.from_)
                self._country_ref(located, (*path, "to"), step.to)
                refs["to"] = step.to
            elif step.to is not None or step.from_ is not None:
                self.problems.add(located, path, f"only travel steps have from/to ('{step.id}' is {step.action})")
            for position, code in enumerate(step.transit):
                self._country_ref(located, (*path, "transit", position), code)
            at: frozenset[str] | None = None
            if step.at is not None:
                for position, code in enumerate(step.at):
                    self._country_ref(located, (*path, "at", position), code)
                at = frozenset(step.at)
            if step.missions_of is not None:
                self._country_ref(located, (*path, "missions_of"), step.missions_of)
                hosts = {host for host, of in self._missions_known() if of == step.missions_of}
                at = frozenset(hosts) if at is None else at & hosts
            requires = None
            if step.requires is not None:
                requires = self._compile(located, step.requires, (*path, "requires"), refs)
            if step.action == "travel" and step.to is not None:
                entry = self.entry_conditions.get(step.to)
                if entry is None:
                    # Nobody recorded how one may enter: the step stays possible but unknown.
                    entry = Leaf("__entry_unknown__", "eq", step.to)
                requires = entry if requires is None else _and(requires, entry)
            effects = self._effects(located, (*path, "effects"), step.effects)
            steps.append(
                Step(
                    id=step.id,
                    action=step.action,
                    label=step.label,
                    requires=requires,
                    effects=effects,
                    from_=step.from_,
                    to=step.to,
                    mode=step.mode,
                    transit=tuple(step.transit),
                    at=at,
                    risk=step.risk,
                    risk_reason=step.risk_reason,
                    days=step.days,
                    wait_days=step.wait_days,
                    cost_eur=step.cost_eur,
                    estimate=step.estimate,
                    note=step.note,
                    sources=sources,
                    confidence=step.confidence,
                    last_verified=step.last_verified,
                )
            )
        return steps

    def _missions_known(self) -> set[tuple[str, str]]:
        return {
            (host, inst.of)
            for inst in self._institution_models
            if inst.kind in {"embassy", "consulate"} and inst.of is not None
            for host in inst.located_in
        }

    def _requirements(
        self, located: Located, raw: Any, path: tuple[str | int, ...], refs: dict[str, str]
    ) -> ReqNode | None:
        if isinstance(raw, dict) and len(raw) == 1 and next(iter(raw)) in {"all", "any"}:
            key = next(iter(raw))
            items = raw[key]
            if not isinstance(items, list) or not items:
                self.problems.add(located, (*path, key), f"'{key}' needs a non-empty list")
                return None
            children = [self._requirements(located, child, (*path, key, i), refs) for i, child in enumerate(items)]
            if any(child is None for child in children):
                return None
            kept = tuple(child for child in children if child is not None)
            return ReqAll(kept) if key == "all" else ReqAny(kept)
        if not isinstance(raw, dict):
            self.problems.add(located, path, "a requirement must be a mapping (or all/any of requirements)")
            return None
        return self._requirement(located, raw, path, refs)

    def _requirement(
        self, located: Located, raw: dict[str, Any], path: tuple[str | int, ...], refs: dict[str, str]
    ) -> Requirement | None:
        unknown = [key for key in raw if key not in _REQUIREMENT_KEYS and key not in self.compiler_ops]
        for key in unknown:
            self.problems.add(located, (*path, key), f"unknown field '{key}' in requirement")
        req_id = raw.get("id")
        if not isinstance(req_id, str) or not req_id:
            self.problems.add(located, path, "requirement needs an 'id'")
            return None
        try:
            label = schema.Text.model_validate(raw.get("label"))
            meta = schema.Sourced.model_validate(
                {key: raw[key] for key in ("sources", "confidence", "last_verified", "verified_by") if key in raw}
            )
        except ValidationError as error:
            for item in error.errors(include_url=False):
                loc = tuple(part for part in item["loc"] if isinstance(part, str | int))
                message = item["msg"]
                if item["type"] in {"too_short", "missing"} and loc[:1] == ("sources",):
                    message = "has no source (every requirement needs at least one)"
                where = (*path, *loc) if item["type"] != "model_type" else (*path, "label")
                self.problems.add(located, where, f"requirement '{req_id}': {_describe_loc(loc) or 'label'}: {message}")
            return None
        self._claim(located, (*path, "id"), req_id, meta.last_verified)
        sources = self._sources(located, (*path, "sources"), meta.sources)
        test = self.compiler.leaf(raw, path, refs)
        evidence = raw.get("evidence", [])
        if not isinstance(evidence, list):
            self.problems.add(located, (*path, "evidence"), "evidence must be a list of evidence kinds")
            evidence = []
        for position, kind in enumerate(evidence):
            if kind not in self.evidence:
                self.problems.add(located, (*path, "evidence", position), f"unknown evidence kind '{kind}'")
        if test is None:
            return None
        citation = raw.get("citation") or cite(sources)
        return Requirement(
            id=req_id,
            label=label,
            test=test,
            evidence=tuple(evidence),
            sources=sources,
            confidence=meta.confidence,
            citation=str(citation),
            last_verified=meta.last_verified,
        )

    @property
    def compiler_ops(self) -> frozenset[str]:
        return OPERATORS

    def _pathways(self) -> list[Pathway]:
        pathways: list[Pathway] = []
        for item, index, pathway in self._collect("pathways"):
            located = item.located
            path = ("pathways", index)
            self._claim(located, (*path, "id"), pathway.id, pathway.last_verified)
            sources = self._sources(located, (*path, "sources"), pathway.sources)
            self._sources(located, (*path, "duration_sources"), pathway.duration_sources)
            self._country_ref(located, (*path, "country"), pathway.country)
            for position, practice in enumerate(pathway.practice):
                practice_path = (*path, "practice", position)
                self._claim(located, (*practice_path, "id"), practice.id, practice.last_verified)
                self._sources(located, (*practice_path, "sources"), practice.sources)
                self._published(located, (*practice_path, "date"), practice.date)
            self._point_compiler_at(located)
            tree = self._requirements(
                located, pathway.requirements, (*path, "requirements"), {"destination": pathway.country}
            )
            if tree is None:
                continue
            pathways.append(
                Pathway(
                    id=pathway.id,
                    name=pathway.name,
                    country=pathway.country,
                    kind=pathway.kind,
                    legal_basis=pathway.legal_basis,
                    apply_where=pathway.apply_where,
                    requirements=tree,
                    leaves=tuple(requirement_leaves(tree)),
                    outcome=pathway.outcome,
                    typical_days=pathway.typical_days,
                    cost_eur=pathway.cost_eur,
                    practice=tuple(pathway.practice),
                    notes=tuple(pathway.notes),
                    sources=sources,
                    confidence=pathway.confidence,
                    last_verified=pathway.last_verified,
                )
            )
        return pathways

    def _grant_steps(self, pathways: list[Pathway]) -> list[Step]:
        """Pathways that grant something (a visa) become apply steps for the planner."""
        by_id = {pathway.id: pathway for pathway in pathways}
        steps: list[Step] = []
        for item, index, raw in self._collect("pathways"):
            pathway = by_id.get(raw.id)
            if pathway is None or not raw.grants:
                continue
            effects = self._effects(item.located, ("pathways", index, "grants"), raw.grants)
            steps.append(
                Step(
                    id=f"{pathway.id}.apply",
                    action="apply",
                    label=pathway.name,
                    requires=_tree_condition(pathway.requirements),
                    effects=effects,
                    from_=None,
                    to=None,
                    mode=None,
                    transit=(),
                    at=None,
                    risk="low",
                    risk_reason=None,
                    days=0,
                    wait_days=pathway.typical_days or 0,
                    cost_eur=pathway.cost_eur or 0,
                    estimate=False,
                    note=None,
                    sources=pathway.sources,
                    confidence=pathway.confidence,
                    last_verified=pathway.last_verified,
                )
            )
        return steps

    def _effects(self, located: Located, path: tuple[str | int, ...], raw: dict[str, Any]) -> dict[str, object]:
        effects: dict[str, object] = {}
        for name, value in raw.items():
            fact = self.facts.get(name)
            if fact is None:
                self.problems.add(located, (*path, name), f"unknown fact '{name}'")
                continue
            try:
                effects[name] = convert_value(fact, value, None)
            except Invalid as error:
                self.problems.add(located, (*path, name), str(error))
        return effects

    def _risk_rules(self, countries: dict[str, Country]) -> list[RiskRule]:
        rules: list[RiskRule] = []
        for item, index, rule in self._collect("risk_rules"):
            located = item.located
            path = ("risk_rules", index)
            self._claim(located, (*path, "id"), rule.id, rule.last_verified)
            sources = self._sources(located, (*path, "sources"), rule.sources)
            if rule.countries == "shares_wanted_list":
                selected = frozenset(
                    code
                    for code, country in countries.items()
                    if country.shares_wanted_list is not None and country.shares_wanted_list.value
                )
            else:
                for position, code in enumerate(rule.countries):
                    self._country_ref(located, (*path, "countries", position), code)
                selected = frozenset(rule.countries)
            when = self._compile(located, rule.when, (*path, "when"), {})
            if when is None:
                continue
            rules.append(
                RiskRule(
                    id=rule.id,
                    event=rule.event,
                    countries=selected,
                    modes=frozenset(rule.modes),
                    when=when,
                    risk=rule.risk,
                    reason=rule.reason,
                    sources=sources,
                    confidence=rule.confidence,
                )
            )
        return rules

    def _safety(self) -> list[schema.SafetyNote]:
        notes = []
        for item, index, note in self._collect("safety"):
            path = ("safety", index)
            self._claim(item.located, (*path, "id"), note.id, note.last_verified)
            self._sources(item.located, (*path, "sources"), note.sources)
            self._published(item.located, (*path, "date"), note.date)
            for position, code in enumerate(note.countries):
                self._country_ref(item.located, (*path, "countries", position), code)
            notes.append(note)
        return notes


def _and(first: Cond, second: Cond) -> Cond:
    return all_of([first, second])


def _tree_condition(node: ReqNode) -> Cond:
    if isinstance(node, Requirement):
        return node.test
    children = [_tree_condition(child) for child in node.children]
    return all_of(children) if isinstance(node, ReqAll) else any_of(children)
