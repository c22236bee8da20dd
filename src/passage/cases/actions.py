"""Domain actions on cases: the one place that encrypts, decrypts, audits and re-plans.

Views, API endpoints and commands call these functions; none of them touches keys, ciphertext
or the audit log directly. Every read of sensitive text is audited (who, which record, which
fields — never the text), every change too.
"""

from __future__ import annotations

import json
import secrets
import statistics
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone

from passage.audit.chain import record
from passage.cases.models import (
    Case,
    CaseAlias,
    CaseStatus,
    Direction,
    Incident,
    Institution,
    Letter,
    Note,
    ReplyStatus,
    Task,
    TaskKind,
)
from passage.cases.statements import PreparedRecords
from passage.routes import KnowledgeBase, Plan, Profile, load_knowledge, make_plan, profile_from_mapping
from passage.sealing import service

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud


@lru_cache(maxsize=1)
def knowledge() -> KnowledgeBase:
    """The shipped knowledge base, loaded once per process."""
    return load_knowledge()


def today() -> date:
    return timezone.localdate()


# -- cases ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseText:
    """The decrypted, non-identifying text of a case (true name only through reveal)."""

    aliases: list[str]
    contacts: str
    narrative: str
    facts: dict[str, Any]
    evidence: list[str]


def new_case_code() -> str:
    while True:
        code = "P-" + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(5))
        if not Case.objects.filter(code=code).exists():
            return code


def validate_facts(facts: Mapping[str, Any], evidence: Sequence[str] = (), *, as_of: date | None = None) -> Profile:
    """Check facts against the knowledge base's vocabulary; raises ``ProfileError`` (one line)."""
    data: dict[str, Any] = {"facts": dict(facts), "evidence": list(evidence)}
    if as_of is not None:
        data["as_of"] = as_of.isoformat()
    return profile_from_mapping(data, knowledge(), name="facts", today=as_of or today())


def _facts_json(profile: Profile) -> str:
    return json.dumps(
        {"facts": {k: _plain(v) for k, v in sorted(profile.facts.items())}, "evidence": sorted(profile.evidence)},
        ensure_ascii=False,
    )


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return sorted(value)
    return value


def _index_aliases(case: Case, aliases: Iterable[str]) -> None:
    digests = sorted({service.blind_index(alias, purpose="alias") for alias in aliases if alias.strip()})
    CaseAlias.objects.filter(case=case).delete()
    CaseAlias.objects.bulk_create([CaseAlias(case=case, digest=digest) for digest in digests])


@transaction.atomic
def create_case(
    actor: Any,
    *,
    true_name: str = "",
    aliases: Sequence[str] = (),
    contacts: str = "",
    narrative: str = "",
    facts: Mapping[str, Any] | None = None,
    evidence: Sequence[str] = (),
    assigned: Sequence[Any] = (),
) -> Case:
    """Open a case under a new pseudonym code; sensitive text is encrypted before it is stored."""
    profile = validate_facts(facts or {}, evidence)
    case = Case(id=uuid.uuid4(), code=new_case_code(), created_by=actor if getattr(actor, "pk", None) else None)
    service.new_case_key(case.id)
    cipher = service.case_cipher(case.id)
    table = Case._meta.db_table
    case.true_name_enc = cipher.encrypt(table, case.id, "true_name", true_name)
    case.aliases_enc = cipher.encrypt(table, case.id, "aliases", json.dumps(list(aliases), ensure_ascii=False))
    case.contacts_enc = cipher.encrypt(table, case.id, "contacts", contacts)
    case.narrative_enc = cipher.encrypt(table, case.id, "narrative", narrative)
    case.facts_enc = cipher.encrypt(table, case.id, "facts", _facts_json(profile))
    case.name_index = service.blind_index(true_name, purpose="true_name") if true_name.strip() else ""
    _apply_summary(case, profile)
    case.save(force_insert=True)
    _index_aliases(case, aliases)
    if assigned:
        case.assigned.set(assigned)
    record(actor, "create", case, fields=["true_name", "aliases", "contacts", "narrative", "facts"])
    return case


def read_case(actor: Any, case: Case) -> CaseText:
    """Decrypt a case's text for display (audited)."""
    cipher = service.case_cipher(case.id)
    table = Case._meta.db_table
    stored = json.loads(cipher.decrypt(table, case.id, "facts", case.facts_enc) or "{}")
    text = CaseText(
        aliases=json.loads(cipher.decrypt(table, case.id, "aliases", case.aliases_enc) or "[]"),
        contacts=cipher.decrypt(table, case.id, "contacts", case.contacts_enc),
        narrative=cipher.decrypt(table, case.id, "narrative", case.narrative_enc),
        facts=stored.get("facts", {}),
        evidence=stored.get("evidence", []),
    )
    record(actor, "read", case, fields=["aliases", "contacts", "narrative", "facts"])
    return text


def reveal_true_name(actor: Any, case: Case) -> str:
    """The person's true name: only for lawyers and admins, always audited as a reveal."""
    from passage.accounts.access import can_reveal_true_names, require

    require(can_reveal_true_names(actor))
    name = service.case_cipher(case.id).decrypt(Case._meta.db_table, case.id, "true_name", case.true_name_enc)
    record(actor, "reveal", case, fields=["true_name"])
    return name


def case_profile(case: Case, *, as_of: date | None = None) -> Profile:
    """The engine profile of a case (not audited: callers audit what they show)."""
    cipher = service.case_cipher(case.id)
    stored = json.loads(cipher.decrypt(Case._meta.db_table, case.id, "facts", case.facts_enc) or "{}")
    profile = validate_facts(stored.get("facts", {}), stored.get("evidence", []), as_of=as_of or today())
    return Profile(case.code, profile.as_of, profile.facts, profile.evidence, case.code)


@transaction.atomic
def update_facts(actor: Any, case: Case, facts: Mapping[str, Any], evidence: Sequence[str] | None = None) -> Profile:
    """Replace the case's facts (checked against the vocabulary) and re-plan."""
    if evidence is None:
        evidence = list(case_profile(case).evidence)
    profile = validate_facts(facts, evidence)
    cipher = service.case_cipher(case.id)
    case.facts_enc = cipher.encrypt(Case._meta.db_table, case.id, "facts", _facts_json(profile))
    _apply_summary(case, profile)
    case.save()
    record(actor, "update", case, fields=["facts"])
    return profile


@transaction.atomic
def update_details(
    actor: Any,
    case: Case,
    *,
    aliases: Sequence[str] | None = None,
    contacts: str | None = None,
    narrative: str | None = None,
    true_name: str | None = None,
) -> None:
    """Change the case's free text; only the given parts change."""
    cipher = service.case_cipher(case.id)
    table = Case._meta.db_table
    changed: list[str] = []
    if aliases is not None:
        case.aliases_enc = cipher.encrypt(table, case.id, "aliases", json.dumps(list(aliases), ensure_ascii=False))
        _index_aliases(case, aliases)
        changed.append("aliases")
    if contacts is not None:
        case.contacts_enc = cipher.encrypt(table, case.id, "contacts", contacts)
        changed.append("contacts")
    if narrative is not None:
        case.narrative_enc = cipher.encrypt(table, case.id, "narrative", narrative)
        changed.append("narrative")
    if true_name is not None:
        from passage.accounts.access import can_reveal_true_names, require

        require(can_reveal_true_names(actor))
        case.true_name_enc = cipher.encrypt(table, case.id, "true_name", true_name)
        case.name_index = service.blind_index(true_name, purpose="true_name") if true_name.strip() else ""
        changed.append("true_name")
    if changed:
        case.save()
        record(actor, "update", case, fields=changed)


def find_cases_by_alias(user: Any, alias: str) -> list[Case]:
    """Exact look-up of an alias through its blind index (the alias itself is never stored)."""
    from passage.cases.access import cases_for_user

    wanted = service.blind_index(alias, purpose="alias")
    found = list(cases_for_user(user).filter(alias_digests__digest=wanted).distinct())
    record(user, "search", target_type="cases.case", detail={"by": "alias", "results": len(found)})
    return found


def case_plan(actor: Any, case: Case) -> Plan:
    """The engine's plan for a case, with its explanations (audited as a read of the facts)."""
    profile = case_profile(case)
    plan = make_plan(profile, knowledge())
    record(actor, "read", case, fields=["facts"], detail={"view": "plan"})
    return plan


def _apply_summary(case: Case, profile: Profile) -> None:
    """Recompute the plain dashboard columns from the facts and the knowledge base."""
    kb = knowledge()
    facts = profile.facts
    country = facts.get("current_country")
    arrived = facts.get("arrived_on")
    case.current_country = country if isinstance(country, str) else ""
    case.arrived_on = arrived if isinstance(arrived, date) else None
    case.permitted_stay_ends = None
    case.stay_rule = ""
    if case.current_country and case.arrived_on:
        country_model = kb.countries.get(case.current_country)
        found = country_model.permitted_stay_ends(facts.get("citizenship"), case.arrived_on) if country_model else None
        if found is not None:
            case.permitted_stay_ends, rule = found
            case.stay_rule = rule.id
    case.wanted_federal = _bool_or_none(facts.get("wanted_federal"))
    case.wanted_interstate = _bool_or_none(facts.get("wanted_interstate"))
    case.wanted_interpol = _bool_or_none(facts.get("wanted_interpol"))
    plan = make_plan(profile, kb)
    statuses = {result.pathway.id: result.status for result in plan.pathways}
    if plan.routes:
        best = plan.routes[0]
        case.best_route_goal = best.goal.id
        case.best_route_status = statuses.get(best.goal.id, "")
        case.best_route_risk = best.risk
    else:
        case.best_route_goal = ""
        case.best_route_status = ""
        case.best_route_risk = ""
    case.plan_kb_version = kb.version
    case.plan_computed_at = timezone.now()


def _bool_or_none(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def refresh_summary(case: Case) -> None:
    """Re-plan one case from its stored facts (after a knowledge-base change)."""
    _apply_summary(case, case_profile(case))
    case.save(
        update_fields=[
            "current_country",
            "arrived_on",
            "permitted_stay_ends",
            "stay_rule",
            "wanted_federal",
            "wanted_interstate",
            "wanted_interpol",
            "best_route_goal",
            "best_route_status",
            "best_route_risk",
            "plan_kb_version",
            "plan_computed_at",
        ]
    )


def replan_stale_cases(limit: int | None = None) -> int:
    """Re-plan every active case planned with an older knowledge base; returns how many."""
    version = knowledge().version
    stale = Case.objects.filter(status=CaseStatus.ACTIVE).exclude(plan_kb_version=version).order_by("pk")
    count = 0
    for case in stale[:limit] if limit else stale:
        refresh_summary(case)
        count += 1
    if count:
        record(None, "replan", target_type="cases.case", detail={"cases": count, "knowledge": version})
    return count


def refresh_deadlines(case: Case) -> None:
    """Next deadline = the earliest open task or follow-up; last contact = the latest contact note."""
    open_task = case.tasks.filter(done=False).aggregate(first=Min("due_on"))["first"]
    followup = case.letters.filter(reply_status=ReplyStatus.AWAITING, followup_due__isnull=False).aggregate(
        first=Min("followup_due")
    )["first"]
    candidates = [d for d in (open_task, followup) if d is not None]
    case.next_deadline = min(candidates) if candidates else None
    contact = case.notes.filter(is_contact=True).order_by("-created_on").values_list("created_on", flat=True).first()
    case.last_contact = contact
    case.save(update_fields=["next_deadline", "last_contact", "updated_at"])


@transaction.atomic
def shred_case(case_id: uuid.UUID, *, actor: Any) -> None:
    """Crypto-shred a case: its key is destroyed; its ciphertext can never be read again."""
    case = Case.objects.select_for_update().get(pk=case_id)
    service.delete_case_key(case.id, actor=actor)
    CaseAlias.objects.filter(case=case).delete()
    Case.objects.filter(pk=case.pk).update(
        status=CaseStatus.SHREDDED,
        name_index="",
        true_name_enc=None,
        aliases_enc=None,
        contacts_enc=None,
        narrative_enc=None,
        facts_enc=None,
    )


# -- letters and institutions --------------------------------------------------------------------


def followup_due(direction: str, reply_status: str, sent_on: date) -> date | None:
    if direction == Direction.OUT and reply_status == ReplyStatus.AWAITING:
        return sent_on + timedelta(days=settings.PASSAGE.followup_days)
    return None


@transaction.atomic
def record_letter(
    actor: Any,
    case: Case,
    *,
    institution: Institution,
    direction: str,
    channel: str,
    sent_on: date,
    subject: str,
    body: str,
    reply_status: str = ReplyStatus.AWAITING,
    answered_on: date | None = None,
) -> Letter:
    """Record a letter to or from an institution; outgoing letters get a follow-up date."""
    letter = Letter(
        id=uuid.uuid4(),
        case=case,
        institution=institution,
        direction=direction,
        channel=channel,
        date=sent_on,
        reply_status=reply_status,
        answered_on=answered_on,
        followup_due=followup_due(direction, reply_status, sent_on),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    cipher = service.case_cipher(case.id)
    table = Letter._meta.db_table
    letter.subject_enc = cipher.encrypt(table, letter.id, "subject", subject)
    letter.body_enc = cipher.encrypt(table, letter.id, "body", body)
    letter.save(force_insert=True)
    record(actor, "create", letter, fields=["subject", "body"], detail={"case": case.code})
    refresh_deadlines(case)
    return letter


def read_letter(actor: Any, letter: Letter) -> tuple[str, str]:
    cipher = service.case_cipher(letter.case_id)
    table = Letter._meta.db_table
    subject = cipher.decrypt(table, letter.id, "subject", letter.subject_enc)
    body = cipher.decrypt(table, letter.id, "body", letter.body_enc)
    record(actor, "read", letter, fields=["subject", "body"])
    return subject, body


def letter_subjects(actor: Any, letters: Sequence[Letter]) -> dict[uuid.UUID, str]:
    """Subjects of several letters for a list (one audit row per case shown)."""
    subjects: dict[uuid.UUID, str] = {}
    ciphers: dict[uuid.UUID, Any] = {}
    for letter in letters:
        cipher = ciphers.get(letter.case_id) or ciphers.setdefault(letter.case_id, service.case_cipher(letter.case_id))
        subjects[letter.id] = cipher.decrypt(Letter._meta.db_table, letter.id, "subject", letter.subject_enc)
    for case_id in ciphers:
        record(
            actor, "read", target_type="cases.letter", target_id=str(case_id), fields=["subject"], detail={"list": True}
        )
    return subjects


@transaction.atomic
def set_reply_status(actor: Any, letter: Letter, status: str, answered_on: date | None = None) -> Letter:
    """Record the institution's answer (or its silence); answered letters need no follow-up."""
    letter.reply_status = status
    if status in (ReplyStatus.ANSWERED, ReplyStatus.REFUSED, ReplyStatus.NOT_RESPONSIBLE):
        letter.answered_on = answered_on or today()
        letter.followup_due = None
    elif status == ReplyStatus.NO_ANSWER:
        letter.answered_on = None
        letter.followup_due = None
    else:
        letter.answered_on = None
        letter.followup_due = followup_due(letter.direction, status, letter.date)
    letter.save(update_fields=["reply_status", "answered_on", "followup_due"])
    record(actor, "update", letter, detail={"reply_status": status})
    refresh_deadlines(letter.case)
    return letter


def overdue_followups(user: Any, on: date | None = None) -> Any:
    """Outgoing letters still awaiting an answer whose follow-up date has come."""
    from passage.cases.access import of_visible_cases

    return (
        of_visible_cases(user, _overdue_letters(on))
        .select_related("case", "institution")
        .order_by("followup_due", "id")
    )


def overdue_count_parts(user: Any, on: date | None, hidden: tuple[uuid.UUID, ...]) -> tuple[Any, Any]:
    """``overdue_followups`` for counting (see ``access.visible_count_parts``)."""
    from passage.cases.access import visible_count_parts

    return visible_count_parts(user, _overdue_letters(on), hidden)


def _overdue_letters(on: date | None) -> Any:
    return Letter.objects.filter(reply_status=ReplyStatus.AWAITING, followup_due__lte=on or today())


@dataclass(frozen=True)
class InstitutionStats:
    institution: Institution
    sent: int
    answered: int
    share_answered: float
    median_days: float | None
    outcomes: dict[str, int]


def institution_stats() -> list[InstitutionStats]:
    """Across all cases: how often each institution answers, how fast, and how."""
    rows = (
        Letter.objects.filter(direction=Direction.OUT)
        .values_list("institution_id", "reply_status", "date", "answered_on")
        .order_by()
    )
    grouped: dict[uuid.UUID, list[tuple[str, date, date | None]]] = {}
    for institution_id, status, sent, answered in rows:
        grouped.setdefault(institution_id, []).append((status, sent, answered))
    institutions = Institution.objects.in_bulk(list(grouped))
    stats: list[InstitutionStats] = []
    for institution_id, letters in grouped.items():
        outcomes: dict[str, int] = {}
        delays: list[int] = []
        for status, sent, answered in letters:
            outcomes[status] = outcomes.get(status, 0) + 1
            if answered is not None and status != ReplyStatus.AWAITING:
                delays.append((answered - sent).days)
        answered_count = sum(
            count
            for status, count in outcomes.items()
            if status in (ReplyStatus.ANSWERED, ReplyStatus.REFUSED, ReplyStatus.NOT_RESPONSIBLE)
        )
        stats.append(
            InstitutionStats(
                institution=institutions[institution_id],
                sent=len(letters),
                answered=answered_count,
                share_answered=answered_count / len(letters),
                median_days=statistics.median(delays) if delays else None,
                outcomes=outcomes,
            )
        )
    stats.sort(key=lambda item: (-item.sent, item.institution.name))
    return stats


def seed_institutions() -> int:
    """Create (or update) the institutions directory from the knowledge base."""
    count = 0
    for item in knowledge().institutions:
        located = item.located_in[0] if item.located_in else ""
        Institution.objects.update_or_create(
            kb_id=item.id,
            defaults={
                "name": item.name.en,
                "name_ru": item.name.ru,
                "kind": item.kind,
                "country": item.of or "",
                "located_in": located,
            },
        )
        count += 1
    return count


# -- tasks, incidents, notes ---------------------------------------------------------------------


@transaction.atomic
def add_task(
    actor: Any, case: Case, *, title: str, due_on: date, kind: str = TaskKind.TASK, assigned_to: Any = None
) -> Task:
    task = Task(id=uuid.uuid4(), case=case, kind=kind, due_on=due_on, assigned_to=assigned_to)
    task.title_enc = service.case_cipher(case.id).encrypt(Task._meta.db_table, task.id, "title", title)
    task.save(force_insert=True)
    record(actor, "create", task, fields=["title"], detail={"case": case.code})
    refresh_deadlines(case)
    return task


def task_titles(actor: Any, tasks: Sequence[Task]) -> dict[uuid.UUID, str]:
    titles: dict[uuid.UUID, str] = {}
    ciphers: dict[uuid.UUID, Any] = {}
    for task in tasks:
        cipher = ciphers.get(task.case_id) or ciphers.setdefault(task.case_id, service.case_cipher(task.case_id))
        titles[task.id] = cipher.decrypt(Task._meta.db_table, task.id, "title", task.title_enc)
    for case_id in ciphers:
        record(actor, "read", target_type="cases.task", target_id=str(case_id), fields=["title"], detail={"list": True})
    return titles


@transaction.atomic
def complete_task(actor: Any, task: Task, done: bool = True) -> Task:
    task.done = done
    task.save(update_fields=["done"])
    record(actor, "update", task, detail={"done": done})
    refresh_deadlines(task.case)
    return task


@transaction.atomic
def add_incident(actor: Any, case: Case, *, kind: str, occurred_on: date, country: str, description: str) -> Incident:
    incident = Incident(
        id=uuid.uuid4(),
        case=case,
        kind=kind,
        occurred_on=occurred_on,
        country=country,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    incident.description_enc = service.case_cipher(case.id).encrypt(
        Incident._meta.db_table, incident.id, "description", description
    )
    incident.save(force_insert=True)
    record(actor, "create", incident, fields=["description"], detail={"case": case.code, "kind": kind})
    return incident


# A case's notes and incidents: compiled once, asked for every case page (the page asks them
# together with its other lists, see ``fetch_together``).
INCIDENTS = PreparedRecords(lambda case_id: Incident.objects.filter(case_id=case_id))
NOTES = PreparedRecords(lambda case_id: Note.objects.filter(case_id=case_id).select_related("created_by"))


def read_incidents(actor: Any, case: Case, fetched: list[Incident] | None = None) -> list[tuple[Incident, str]]:
    """The case's incidents with their descriptions (audited); ``fetched``: ``INCIDENTS`` already asked."""
    cipher = service.case_cipher(case.id)
    items = [
        (i, cipher.decrypt(Incident._meta.db_table, i.id, "description", i.description_enc))
        for i in (INCIDENTS.fetch(case.id) if fetched is None else fetched)
    ]
    if items:
        record(actor, "read", target_type="cases.incident", target_id=str(case.id), fields=["description"])
    return items


@transaction.atomic
def add_note(actor: Any, case: Case, *, text: str, is_contact: bool = False, on: date | None = None) -> Note:
    note = Note(
        id=uuid.uuid4(),
        case=case,
        is_contact=is_contact,
        created_on=on or today(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    note.text_enc = service.case_cipher(case.id).encrypt(Note._meta.db_table, note.id, "text", text)
    note.save(force_insert=True)
    record(actor, "create", note, fields=["text"], detail={"case": case.code})
    refresh_deadlines(case)
    return note


def read_notes(actor: Any, case: Case, fetched: list[Note] | None = None) -> list[tuple[Note, str]]:
    """The case's notes with their text (audited); ``fetched``: ``NOTES`` already asked."""
    cipher = service.case_cipher(case.id)
    notes = NOTES.fetch(case.id) if fetched is None else fetched
    items = [(n, cipher.decrypt(Note._meta.db_table, n.id, "text", n.text_enc)) for n in notes]
    if items:
        record(actor, "read", target_type="cases.note", target_id=str(case.id), fields=["text"])
    return items


def stay_warning_level(case: Case, on: date | None = None) -> int | None:
    """Days left of the permitted stay when under a configured threshold (negative: overstayed)."""
    if case.permitted_stay_ends is None:
        return None
    left = (case.permitted_stay_ends - (on or today())).days
    thresholds = settings.PASSAGE.stay_warning_days
    if thresholds and left <= max(thresholds):
        return left
    return None


def due_reminders(on: date | None = None) -> int:
    """Create in-app reminders for tasks due and follow-ups falling due (the background job)."""
    from passage.cases.models import Reminder

    on = on or today()
    created = 0
    # Closed and crypto-shredded cases need no reminders (a shredded case is gone for everyone).
    tasks = (
        Task.objects.filter(done=False, due_on__lte=on + timedelta(days=1), case__status=CaseStatus.ACTIVE)
        .select_related("case", "assigned_to")
        .prefetch_related("case__assigned")
    )
    for task in tasks:
        users = [task.assigned_to] if task.assigned_to else list(task.case.assigned.all()) or _lawyers()
        for user in users:
            _, made = Reminder.objects.get_or_create(
                user=user, case=task.case, task=task, letter=None, kind="task", due_on=task.due_on
            )
            created += int(made)
        Task.objects.filter(pk=task.pk).update(reminded_at=timezone.now())
    letters = (
        Letter.objects.filter(reply_status=ReplyStatus.AWAITING, followup_due__lte=on, case__status=CaseStatus.ACTIVE)
        .select_related("case")
        .prefetch_related("case__assigned")
    )
    for letter in letters:
        users = list(letter.case.assigned.all()) or _lawyers()
        for user in users:
            _, made = Reminder.objects.get_or_create(
                user=user,
                case=letter.case,
                task=None,
                letter=letter,
                kind="follow_up",
                due_on=letter.followup_due or on,
            )
            created += int(made)
    return created


def _lawyers() -> list[Any]:
    from passage.accounts.models import Role, User

    return list(User.objects.filter(Q(role=Role.LAWYER) | Q(role=Role.ADMIN), is_active=True))
