"""Cases, institutions, letters, tasks, incidents and notes.

Sensitive text (names, aliases, contacts, narratives, facts, letter subjects and bodies, task
titles, incident descriptions, notes) is stored only as ciphertext in ``*_enc`` fields, each
encrypted with the case's data key and bound to its row and field. Columns the office must
query — ids, codes, statuses, dates, country codes, pathway ids — are plain. Primary keys are
UUIDs generated before saving, so ciphertext can be bound to its row from the first write.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")
    SHREDDED = "shredded", _("Crypto-shredded")


class RouteStatus(models.TextChoices):
    OPEN = "open", _("open")
    MISSING = "missing", _("missing")
    BLOCKED = "blocked", _("blocked")
    CIRCULAR = "circular", _("circular")
    NONE = "", _("not planned")


class Case(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(_("case code"), max_length=16, unique=True)
    status = models.CharField(max_length=12, choices=CaseStatus.choices, default=CaseStatus.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="assigned_cases")

    # Plain summary for the limbo dashboard, recomputed from the encrypted facts and the
    # knowledge base whenever either changes.
    current_country = models.CharField(max_length=2, blank=True)
    arrived_on = models.DateField(null=True, blank=True)
    permitted_stay_ends = models.DateField(null=True, blank=True)
    stay_rule = models.CharField(max_length=80, blank=True)
    wanted_federal = models.BooleanField(null=True)
    wanted_interstate = models.BooleanField(null=True)
    wanted_interpol = models.BooleanField(null=True)
    best_route_goal = models.CharField(max_length=80, blank=True)
    best_route_status = models.CharField(max_length=10, choices=RouteStatus.choices, blank=True)
    best_route_risk = models.CharField(max_length=10, blank=True)
    plan_kb_version = models.CharField(max_length=80, blank=True)
    plan_computed_at = models.DateTimeField(null=True, blank=True)
    last_contact = models.DateField(null=True, blank=True)
    next_deadline = models.DateField(null=True, blank=True)

    # Encrypted with the case key.
    true_name_enc = models.BinaryField(null=True, blank=True)
    aliases_enc = models.BinaryField(null=True, blank=True)
    contacts_enc = models.BinaryField(null=True, blank=True)
    narrative_enc = models.BinaryField(null=True, blank=True)
    facts_enc = models.BinaryField(null=True, blank=True)
    # Keyed blind indexes (HMAC) for exact look-ups of a name or an alias without plaintext.
    name_index = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        ordering = ["code"]
        indexes = [
            models.Index(fields=["status", "permitted_stay_ends"]),
            models.Index(fields=["next_deadline"]),
            # The dashboard counts cases planned with an older knowledge base on every visit, and
            # every list of letters selects the ids of the visible cases: without this covering
            # index both scan the whole table, ciphertext included (bench/office_bench.py).
            models.Index(fields=["status", "plan_kb_version", "id"]),
        ]

    def __str__(self) -> str:
        return self.code


class CaseAlias(models.Model):
    """Blind index of one alias (HMAC keyed by the vault), for exact look-ups by alias."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="alias_digests")
    digest = models.CharField(max_length=64, db_index=True)

    def __str__(self) -> str:
        return f"alias digest of {self.case_id}"


class InstitutionKind(models.TextChoices):
    EMBASSY = "embassy", _("Embassy")
    CONSULATE = "consulate", _("Consulate")
    NGO = "ngo", _("NGO")
    FOUNDATION = "foundation", _("Foundation")
    UNHCR = "unhcr", _("UNHCR")
    AUTHORITY = "authority", _("Authority")
    COURT = "court", _("Court")


class Institution(models.Model):
    """Embassies, consulates, NGOs, foundations, UNHCR: a directory, not about any person."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kb_id = models.CharField(max_length=80, blank=True, unique=True, null=True)
    name = models.CharField(_("name"), max_length=200)
    name_ru = models.CharField(_("name in Russian"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=InstitutionKind.choices)
    country = models.CharField(_("country it represents"), max_length=2, blank=True)
    located_in = models.CharField(_("located in"), max_length=2, blank=True)
    contact = models.CharField(_("contact"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Direction(models.TextChoices):
    OUT = "out", _("sent")
    IN = "in", _("received")


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    POST = "post", _("post")
    IN_PERSON = "in_person", _("in person")
    PHONE = "phone", _("phone")
    MESSENGER = "messenger", _("messenger")
    WEB_FORM = "web_form", _("web form")


class ReplyStatus(models.TextChoices):
    AWAITING = "awaiting", _("awaiting")
    ANSWERED = "answered", _("answered")
    NO_ANSWER = "no_answer", _("no answer")
    REFUSED = "refused", _("refused")
    NOT_RESPONSIBLE = "not_responsible", _("not responsible")


class Letter(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="letters")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="letters")
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices, default=Direction.OUT)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices, default=Channel.EMAIL)
    date = models.DateField(_("date"))
    reply_status = models.CharField(
        _("reply"), max_length=16, choices=ReplyStatus.choices, default=ReplyStatus.AWAITING
    )
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    followup_due = models.DateField(_("follow up on"), null=True, blank=True, db_index=True)
    subject_enc = models.BinaryField(null=True, blank=True)
    body_enc = models.BinaryField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-created_at"]
        indexes = [
            models.Index(fields=["institution", "reply_status"]),
            # Covers the overdue follow-ups' count without reading the letters' rows. With the case
            # as a third column, PostgreSQL counted 13,000 entries in 1.9 ms instead of 0.8 ms; the
            # few letters of one case (a volunteer's list, shredded cases) come by the case's index.
            models.Index(fields=["reply_status", "followup_due"]),
        ]

    def __str__(self) -> str:
        return f"letter {self.id}"


class TaskKind(models.TextChoices):
    TASK = "task", _("task")
    DEADLINE = "deadline", _("deadline")
    FOLLOW_UP = "follow_up", _("follow-up")


class Task(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(_("kind"), max_length=12, choices=TaskKind.choices, default=TaskKind.TASK)
    due_on = models.DateField(_("due on"), db_index=True)
    done = models.BooleanField(_("done"), default=False)
    title_enc = models.BinaryField(null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["done", "due_on"]

    def __str__(self) -> str:
        return f"task {self.id}"


class IncidentKind(models.TextChoices):
    DETENTION = "detention", _("detention")
    ENTRY_REFUSAL = "entry_refusal", _("entry refusal")
    THREAT = "threat", _("threat")
    DEPORTATION = "deportation", _("deportation or hand-over")
    OTHER = "other", _("other")


class Incident(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="incidents")
    kind = models.CharField(_("kind"), max_length=16, choices=IncidentKind.choices)
    occurred_on = models.DateField(_("date"))
    country = models.CharField(_("country"), max_length=2, blank=True)
    description_enc = models.BinaryField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on"]

    def __str__(self) -> str:
        return f"incident {self.id}"


class Note(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    text_enc = models.BinaryField(null=True, blank=True)
    is_contact = models.BooleanField(_("contact with the person"), default=False)
    created_on = models.DateField(_("date"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_on", "-created_at"]

    def __str__(self) -> str:
        return f"note {self.id}"


class Reminder(models.Model):
    """An in-app reminder (there are no e-mail or SMS notifications): no sensitive text."""

    id = models.BigAutoField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    letter = models.ForeignKey(Letter, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    due_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    read = models.BooleanField(default=False)

    class Meta:
        ordering = ["read", "due_on"]
        constraints = [
            models.UniqueConstraint(fields=["user", "task", "letter", "kind", "due_on"], name="one_reminder_per_due")
        ]

    def __str__(self) -> str:
        return f"reminder {self.kind} {self.due_on}"
