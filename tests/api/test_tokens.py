"""Token lifecycle: create, use, expire, revoke; only a digest is stored; all of it audited."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from passage.api.models import ApiToken
from passage.api.tokens import MAX_DAYS, TokenError, create_token, parse_scopes, revoke_tokens, token_state
from passage.audit.chain import verify
from passage.audit.models import AuditEvent
from tests.api.conftest import EVERY_SCOPE, Api
from tests.conftest import verified_client


def _token(office, **kwargs):
    options = {"name": "laptop", "scopes": ["cases:read"], "actor": office.admin} | kwargs
    return create_token(office.lawyer, **options)


def test_it_stores_only_a_digest_of_the_secret(office):
    issued = _token(office)
    prefix, key_id, secret = issued.secret.split("_", 2)
    assert prefix == "psg"
    row = ApiToken.objects.get(pk=issued.token.pk)
    assert row.key_id == key_id
    assert row.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM api_apitoken")
        stored = repr(cursor.fetchall())
    assert secret not in stored
    assert issued.secret not in stored


def test_it_expires_after_ninety_days_by_default_and_never_after_a_year(office):
    issued = _token(office)
    assert issued.token.expires_at - issued.token.created == pytest.approx(timedelta(days=90), abs=timedelta(seconds=5))
    with pytest.raises(TokenError, match="within 1 to 365 days"):
        _token(office, name="long", days=MAX_DAYS + 1)
    with pytest.raises(TokenError, match="within 1 to 365 days"):
        _token(office, name="none", days=0)


def test_it_refuses_unknown_scopes_and_no_scopes(office):
    with pytest.raises(TokenError, match="unknown scope 'cases:delete'"):
        _token(office, scopes=["cases:read,cases:delete"])
    with pytest.raises(TokenError, match="at least one scope"):
        _token(office, scopes=[" "])
    assert parse_scopes(["plan:read cases:read", "cases:read"]) == ["cases:read", "plan:read"]


def test_it_refuses_a_second_live_token_with_the_same_name(office):
    _token(office)
    with pytest.raises(TokenError, match="already has a live token named 'laptop'"):
        _token(office)


def test_an_expired_name_can_be_reused_and_the_old_token_is_retired(office):
    old = _token(office)
    ApiToken.objects.filter(pk=old.token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    new = _token(office)
    old.token.refresh_from_db()
    assert token_state(old.token) == "revoked"
    assert token_state(new.token) == "active"


def test_it_refuses_a_deactivated_account(office):
    office.lawyer.is_active = False
    office.lawyer.save()
    with pytest.raises(TokenError, match="deactivated"):
        _token(office)


def test_creation_and_revocation_are_audited_without_the_secret(office):
    issued = _token(office, scopes=["cases:read", "plan:read"])
    revoke_tokens(office.lawyer, name="laptop", actor=office.admin)
    created = AuditEvent.objects.get(action="token_create")
    assert created.actor == office.admin
    assert created.target_type == "api.apitoken"
    assert created.target_id == str(issued.token.pk)
    assert created.detail["user"] == "lena-lawyer"
    assert created.detail["scopes"] == ["cases:read", "plan:read"]
    revoked = AuditEvent.objects.get(action="token_revoke")
    assert revoked.target_id == str(issued.token.pk)
    secret = issued.secret.split("_", 2)[2]
    for event in AuditEvent.objects.all():
        assert secret not in repr((event.fields, event.detail, event.target_id, event.actor_label))
    assert verify() == []


def test_a_token_opens_the_api_and_records_its_last_use(client, office):
    issued = _token(office)
    response = Api(client, issued.secret).get("/api/v1/clients")
    assert response.status_code == 200
    issued.token.refresh_from_db()
    assert issued.token.last_used_at is not None


def test_an_expired_token_is_refused_with_401(client, office):
    issued = _token(office)
    ApiToken.objects.filter(pk=issued.token.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = Api(client, issued.secret).get("/api/v1/clients")
    assert response.status_code == 401
    assert "expired" in response.json()["error"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_refused_with_401(client, office):
    issued = _token(office)
    assert revoke_tokens(office.lawyer, name="laptop") == 1
    response = Api(client, issued.secret).get("/api/v1/clients")
    assert response.status_code == 401
    assert response.json() == {"error": "this token was revoked"}


def test_revoke_all_revokes_every_live_token(client, office):
    first = _token(office, name="one")
    second = _token(office, name="two")
    assert revoke_tokens(office.lawyer, every=True) == 2
    for issued in (first, second):
        assert Api(client, issued.secret).get("/api/v1/clients").status_code == 401
    with pytest.raises(TokenError, match="no live token named 'one'"):
        revoke_tokens(office.lawyer, name="one")


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Basic bGVuYTpwYXNz",
        "Bearer psg_nonsense",
        "Bearer psg_000000000000_" + "A" * 43,
    ],
)
def test_missing_malformed_and_unknown_tokens_get_401(client, office, header):
    headers = {"Authorization": header} if header is not None else {}
    response = client.get("/api/v1/clients", headers=headers)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]


def test_a_wrong_secret_does_not_reveal_whether_the_token_was_revoked(client, office):
    issued = _token(office)
    revoke_tokens(office.lawyer, every=True)
    forged = issued.secret[:-4] + ("AAAA" if not issued.secret.endswith("AAAA") else "BBBB")
    response = Api(client, forged).get("/api/v1/clients")
    assert response.status_code == 401
    assert response.json() == {"error": "unknown token"}


def test_a_deactivated_users_token_stops_working(client, office):
    issued = _token(office)
    office.lawyer.is_active = False
    office.lawyer.save()
    response = Api(client, issued.secret).get("/api/v1/clients")
    assert response.status_code == 401
    assert "deactivated" in response.json()["error"]


def test_a_role_change_applies_to_existing_tokens_at_once(client, office):
    from passage.accounts.models import Role

    api = Api(client, _token(office).secret)
    assert api.get(f"/api/v1/clients/{office.other_case.id}").status_code == 200
    office.lawyer.role = Role.VOLUNTEER
    office.lawyer.save()
    assert api.get(f"/api/v1/clients/{office.other_case.id}").status_code == 404


def test_a_staff_session_cookie_does_not_authenticate_the_api(client, office):
    verified_client(client, office.lawyer)
    assert client.get("/api/v1/clients").status_code == 401
    response = client.post("/api/v1/clients", "{}", content_type="application/json")
    assert response.status_code == 401
    assert office.lawyer.api_tokens.count() == 0


def test_token_requests_need_no_csrf_token(office):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    api = Api(strict, create_token(office.lawyer, name="csrf", scopes=EVERY_SCOPE).secret)
    response = api.post("/api/v1/clients", {"aliases": ["Sasha"]})
    assert response.status_code == 201
