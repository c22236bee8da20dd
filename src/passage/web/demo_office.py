"""The demo office that ``make run`` creates: accounts, the personas as cases, letters, deadlines.

Only for ``PASSAGE_DEMO=1``. The passphrase and the TOTP secrets are printed on purpose so a
newcomer can log in; a real office creates its vault with ``passage vault init`` and its
accounts through the Users page.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from passage.accounts.models import Role, User
from passage.cases import actions
from passage.cases.models import Channel, Direction, IncidentKind, Institution, ReplyStatus, TaskKind
from passage.routes import load_profile

DEMO_PASSPHRASE = "demo office passphrase — never use in production"  # noqa: S105 - printed demo secret
DEMO_PASSWORD = "demo-password-change-me"  # noqa: S105 - printed demo secret
PROFILES = Path(__file__).resolve().parents[3] / "examples" / "profiles"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    password: str
    totp_secret_base32: str
    otpauth_uri: str


def _account(username: str, role: str) -> DemoAccount:
    user, _created = User.objects.get_or_create(username=username, defaults={"role": role})
    user.role = role
    user.set_password(DEMO_PASSWORD)
    user.save()
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="demo", confirmed=True)
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return DemoAccount(username, role, DEMO_PASSWORD, secret, device.config_url)


def _shift(value: Any, delta: timedelta) -> Any:
    return value + delta if isinstance(value, date) else value


def _institution(kb_id: str) -> Institution:
    return Institution.objects.get(kb_id=kb_id)


@transaction.atomic
def create_demo_office() -> list[DemoAccount]:
    """Accounts with TOTP, the six personas as cases (dates moved to today), letters and tasks."""
    if not settings.PASSAGE.demo:
        raise RuntimeError("the demo office is only created with PASSAGE_DEMO=1")
    accounts = [_account("admin", Role.ADMIN), _account("lawyer", Role.LAWYER), _account("volunteer", Role.VOLUNTEER)]
    lawyer = User.objects.get(username="lawyer")
    volunteer = User.objects.get(username="volunteer")
    actions.seed_institutions()
    kb = actions.knowledge()
    today = actions.today()
    for index, path in enumerate(sorted(PROFILES.glob("*.yaml"))):
        profile = load_profile(path, kb)
        delta = today - profile.as_of  # keep each persona's timeline relative to today
        facts = {name: _shift(value, delta) for name, value in profile.facts.items()}
        case = actions.create_case(
            lawyer,
            true_name=f"Demo Person {index + 1}",
            aliases=[f"demo-{profile.id}"],
            contacts="(demo) Signal via the office phone",
            narrative=f"(demo) {profile.label}",
            facts={
                k: (sorted(v) if isinstance(v, frozenset) else v.isoformat() if isinstance(v, date) else v)
                for k, v in facts.items()
            },
            evidence=sorted(profile.evidence),
            assigned=[volunteer] if index % 2 == 0 else [],
        )
        _demo_correspondence(lawyer, case, profile.id, today)
    return accounts


def _demo_correspondence(lawyer: User, case: Any, persona: str, today: date) -> None:
    letters = {
        "kz-deserter": [
            ("us-embassy-kz", 60, ReplyStatus.NOT_RESPONSIBLE, 12, "Request for a USRAP referral"),
            ("de-embassy-kz", 45, ReplyStatus.REFUSED, 20, "Humanitarian admission (§ 22 AufenthG)"),
            ("fr-mission-kz", 20, ReplyStatus.AWAITING, None, "Visa au titre de l'asile"),
        ],
        "ge-activist": [
            ("de-embassy-kz", 30, ReplyStatus.AWAITING, None, "§ 22 S. 2 AufenthG — request for admission")
        ],
        "am-draft-evader": [("fr-mission-kz", 16, ReplyStatus.AWAITING, None, "Appointment for an asylum visa")],
        "tr-stay-ending": [("connection-ev", 25, ReplyStatus.ANSWERED, 3, "Counselling request")],
    }.get(persona, [])
    for kb_id, days_ago, status, answered_after, subject in letters:
        try:
            institution = _institution(kb_id)
        except Institution.DoesNotExist:
            continue
        sent = today - timedelta(days=days_ago)
        actions.record_letter(
            lawyer,
            case,
            institution=institution,
            direction=Direction.OUT,
            channel=Channel.EMAIL,
            sent_on=sent,
            subject=f"(demo) {subject}",
            body="(demo) Letter text kept encrypted in the vault.",
            reply_status=status,
            answered_on=sent + timedelta(days=answered_after) if answered_after is not None else None,
        )
    if case.permitted_stay_ends:
        actions.add_task(
            lawyer,
            case,
            title="(demo) Permitted stay ends: plan the next step",
            due_on=case.permitted_stay_ends - timedelta(days=3),
            kind=TaskKind.DEADLINE,
        )
    actions.add_note(
        lawyer,
        case,
        text="(demo) First contact through the intake portal.",
        is_contact=True,
        on=today - timedelta(days=10),
    )
    if persona == "kz-deserter":
        actions.add_incident(
            lawyer,
            case,
            kind=IncidentKind.THREAT,
            occurred_on=today - timedelta(days=5),
            country="KZ",
            description="(demo) Police visited the flat and asked for him by name.",
        )
