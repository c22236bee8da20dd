"""``passage token create|revoke|list``."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from passage.api.models import ApiToken
from passage.audit.models import AuditEvent
from tests.api.conftest import Api


def _run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_prints_the_token_once_and_it_works(client, office):
    out, err = _run("create", "lena-lawyer", "--scopes", "cases:read,plan:read", "--name", "laptop", "--days", "30")
    secret = out.strip()
    assert secret.startswith("psg_")
    assert "shown only now" in err
    assert secret not in err
    token = ApiToken.objects.get(user=office.lawyer, name="laptop")
    assert token.scope_list == ["cases:read", "plan:read"]
    assert (token.expires_at - token.created).days in (29, 30)
    assert Api(client, secret).get(f"/api/v1/clients/{office.case.id}/plan").status_code == 200
    assert Api(client, secret).post("/api/v1/clients", {}).status_code == 403
    event = AuditEvent.objects.get(action="token_create")
    assert event.actor_label == "command-line"


def test_scopes_may_be_given_as_separate_words(office):
    _run("create", "vova-volunteer", "--scopes", "cases:read", "tasks:read", "--name", "phone")
    assert ApiToken.objects.get(name="phone").scope_list == ["cases:read", "tasks:read"]


def test_list_shows_tokens_without_secrets(office):
    out, _ = _run("create", "lena-lawyer", "--scopes", "cases:read", "--name", "laptop")
    secret_part = out.strip().split("_", 2)[2]
    table, _ = _run("list", "lena-lawyer")
    assert "laptop" in table
    assert "active" in table
    assert secret_part not in table
    rows = json.loads(_run("list", "lena-lawyer", "--json")[0])
    assert rows[0]["name"] == "laptop"
    assert rows[0]["state"] == "active"
    assert rows[0]["last_used_at"] is None
    assert secret_part not in json.dumps(rows)


def test_revoke_by_name_and_all(client, office):
    laptop = _run("create", "lena-lawyer", "--scopes", "cases:read", "--name", "laptop")[0].strip()
    _run("create", "lena-lawyer", "--scopes", "cases:read", "--name", "phone")
    _run("create", "lena-lawyer", "--scopes", "cases:read", "--name", "tablet")
    out, _ = _run("revoke", "lena-lawyer", "--name", "laptop")
    assert "revoked 1 token(s)" in out
    assert Api(client, laptop).get("/api/v1/clients").status_code == 401
    out, _ = _run("revoke", "lena-lawyer", "--all")
    assert "revoked 2 token(s)" in out
    assert AuditEvent.objects.filter(action="token_revoke").count() == 3
    assert "revoked" in _run("list", "lena-lawyer")[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["create", "nobody", "--scopes", "cases:read", "--name", "x"], "no user named 'nobody'"),
        (["create", "lena-lawyer", "--scopes", "cases:eat", "--name", "x"], "unknown scope 'cases:eat'"),
        (["create", "lena-lawyer", "--scopes", "cases:read", "--name", "x", "--days", "400"], "within 1 to 365 days"),
        (["revoke", "lena-lawyer", "--name", "missing"], "no live token named 'missing'"),
    ],
)
def test_mistakes_are_one_clear_error(office, args, message):
    with pytest.raises(CommandError, match=message):
        _run(*args)
    assert not ApiToken.objects.exists()


def test_it_runs_as_passage_token(office, capsys, monkeypatch):
    from django.db import connections

    from passage.cli import main

    # Django closes every connection after a command run from a command line: keep the test's.
    monkeypatch.setattr(connections, "close_all", lambda: None)

    assert main(["token", "create", "lena-lawyer", "--scopes", "plan:read", "--name", "cli"]) == 0
    assert capsys.readouterr().out.strip().startswith("psg_")
    assert main(["token", "list", "lena-lawyer"]) == 0
    assert "cli" in capsys.readouterr().out
