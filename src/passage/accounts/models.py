"""Staff users with one role each."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    LAWYER = "lawyer", _("Lawyer")
    VOLUNTEER = "volunteer", _("Volunteer")


class User(AbstractUser):
    """A member of the office. Admins manage users, the vault and settings; lawyers see every
    case; volunteers see only the cases assigned to them, never true names or evidence files."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.VOLUNTEER)
    language = models.CharField(
        _("language"), max_length=5, choices=[("en", "English"), ("ru", "Русский")], default="en"
    )

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_lawyer(self) -> bool:
        return self.role == Role.LAWYER

    @property
    def is_volunteer(self) -> bool:
        return self.role == Role.VOLUNTEER
