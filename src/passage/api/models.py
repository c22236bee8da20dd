"""Personal API tokens.

A token is ``psg_<key id>_<secret>``. The key id is visible and stored, so a token can be found
without scanning the table; of the secret (32 random bytes) only a SHA-256 digest is stored. A
fast hash is enough here because the secret is random, not a password: there is nothing to
guess. A copied database therefore holds no usable token.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    CASES_READ = "cases:read", _("read clients (decrypted text, facts)")
    CASES_WRITE = "cases:write", _("create clients and change their facts")
    LETTERS_READ = "letters:read", _("read letters (decrypted subject and body)")
    LETTERS_WRITE = "letters:write", _("record letters and their replies")
    TASKS_READ = "tasks:read", _("read tasks and deadlines")
    TASKS_WRITE = "tasks:write", _("add and complete tasks")
    PLAN_READ = "plan:read", _("read a client's route plan")


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80)
    key_id = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    scopes = models.CharField(_("scopes"), max_length=200)  # space-separated Scope values
    created = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        ordering = ["user", "-created"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"], condition=models.Q(revoked_at__isnull=True), name="api_token_live_name_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} (psg_{self.key_id}_…)"

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()

    def has_scope(self, scope: str) -> bool:
        return scope in self.scope_list
