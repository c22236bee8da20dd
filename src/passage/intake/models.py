"""What the intake portal stores: slow hashes, public keys and ciphertext, nothing readable.

Every column that carries what a person said is sealed to the office's X25519 public key (or,
for replies, to the person's own public key) before it is saved. Plain columns hold only
ids, sizes, states and hour-truncated times. Nothing links a row to a network identity: no
address, user agent or referrer is ever recorded.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class IntakeOffice(models.Model):
    """The office-wide salt and Argon2id costs of the codename look-up hash (one row)."""

    lookup_salt = models.BinaryField()
    time_cost = models.PositiveIntegerField()
    memory_kib = models.PositiveIntegerField()
    parallelism = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return "intake office settings"


class Account(models.Model):
    """A codename holder.

    ``lookup`` is Argon2id(codename, office salt): the login finds the row by it. The reply key
    pair's private half is stored encrypted under Argon2id(codename, own salt) (PersonKeys), so
    only someone who types the codename can read the office's replies.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    lookup = models.CharField(max_length=64, unique=True)
    reply_public_key = models.BinaryField()
    reply_key_salt = models.BinaryField()
    reply_private_key = models.BinaryField()
    confirmed = models.BooleanField(default=False)
    created_on = models.DateField()
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return f"intake account {self.public_id}"


class PortalSession(models.Model):
    """One browser's visit. The cookie holds a random token; the server keeps its digest.

    ``draft`` holds the questionnaire answers between pages, encrypted under a key derived from
    the cookie's token, which the server never stores: a copy of the database cannot read it.
    """

    digest = models.CharField(max_length=64, unique=True)
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.CASCADE, related_name="sessions")
    draft = models.BinaryField(null=True, blank=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"portal session {self.pk}"


class SubmissionKind(models.TextChoices):
    QUESTIONNAIRE = "questionnaire", _("Questionnaire")
    MESSAGE = "message", _("Message")


class SubmissionStatus(models.TextChoices):
    UNREAD = "unread", pgettext_lazy("intake submission", "Unread")
    READ = "read", pgettext_lazy("intake submission", "Read")
    HANDLED = "handled", pgettext_lazy("intake submission", "Handled")


class Submission(models.Model):
    """What a person sent: a questionnaire or a follow-up message, sealed to the office key."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="submissions")
    kind = models.CharField(max_length=20, choices=SubmissionKind.choices)
    received_at = models.DateTimeField(db_index=True)  # truncated to the hour
    payload = models.BinaryField()
    size_bytes = models.PositiveBigIntegerField(default=0)  # payload + files, for the quota
    status = models.CharField(
        max_length=10, choices=SubmissionStatus.choices, default=SubmissionStatus.UNREAD, db_index=True
    )
    read_at = models.DateTimeField(null=True, blank=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"intake {self.kind} {self.public_id}"


class Upload(models.Model):
    """A file sent through the portal: streamed to disk encrypted under a key sealed to the office."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="uploads")
    session = models.ForeignKey(PortalSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="uploads")
    submission = models.ForeignKey(Submission, null=True, blank=True, on_delete=models.CASCADE, related_name="uploads")
    size_bytes = models.PositiveBigIntegerField()  # on disk (ciphertext)
    wrapped_key = models.BinaryField()
    meta = models.BinaryField()  # sealed: original name, detected type, size, SHA-256
    created_at = models.DateTimeField(db_index=True)  # truncated to the hour

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"intake file {self.public_id}"


class Reply(models.Model):
    """The office's answer: sealed to the person's reply key, with a copy sealed to the office."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    for_person = models.BinaryField()
    for_office = models.BinaryField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"intake reply {self.public_id}"


class Counter(models.Model):
    """A rate-limit counter for one scope (a session, an account, or the whole portal) and window."""

    scope = models.CharField(max_length=100)
    window = models.BigIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "window"], name="intake_counter_scope_window")]

    def __str__(self) -> str:
        return f"{self.scope}@{self.window}"
