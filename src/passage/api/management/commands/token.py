"""``passage token create|revoke|list USER``: personal API tokens.

``create`` prints the token once, on its own line on stdout (so a script can capture it); the
office keeps only a digest of it. Creation and revocation are audited.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from passage.api.models import ApiToken, Scope
from passage.api.tokens import DEFAULT_DAYS, MAX_DAYS, TokenError, create_token, revoke_tokens, token_state

ACTOR = "command-line"


class Command(BaseCommand):
    help = "Personal API tokens: create (printed once), revoke, list."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        scopes = ", ".join(scope.value for scope in Scope)

        create = actions.add_parser("create", help="issue a token and print it once")
        create.add_argument("user", metavar="USER")
        create.add_argument("--name", required=True, help="a label unique among the user's live tokens, e.g. laptop")
        create.add_argument(
            "--scopes",
            required=True,
            nargs="+",
            metavar="SCOPE",
            help=f"what the token may do (comma or space separated): {scopes}",
        )
        create.add_argument(
            "--days", type=int, default=DEFAULT_DAYS, help=f"validity in days, 1–{MAX_DAYS} (default {DEFAULT_DAYS})"
        )

        revoke = actions.add_parser("revoke", help="revoke a token by name, or all of a user's tokens")
        revoke.add_argument("user", metavar="USER")
        which = revoke.add_mutually_exclusive_group(required=True)
        which.add_argument("--name", help="the token to revoke")
        which.add_argument("--all", action="store_true", dest="every", help="revoke every live token of USER")

        listing = actions.add_parser("list", help="the user's tokens (never their secrets)")
        listing.add_argument("user", metavar="USER")
        listing.add_argument("--json", action="store_true", help="print JSON for programs")

    def handle(self, *args: Any, **options: Any) -> None:
        user = self._user(options["user"])
        try:
            if options["action"] == "create":
                self._create(user, options)
            elif options["action"] == "revoke":
                count = revoke_tokens(user, name=options["name"], every=options["every"], actor=ACTOR)
                self.stdout.write(f"revoked {count} token(s) of {user.get_username()}")
            else:
                self._list(user, as_json=options["json"])
        except TokenError as error:
            raise CommandError(str(error)) from None

    def _user(self, username: str) -> Any:
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"no user named {username!r}") from None

    def _create(self, user: Any, options: dict[str, Any]) -> None:
        issued = create_token(user, name=options["name"], scopes=options["scopes"], days=options["days"], actor=ACTOR)
        token = issued.token
        self.stderr.write(
            f"token {token.name!r} for {user.get_username()} ({user.role}), scopes {token.scopes}, "
            f"expires {token.expires_at:%Y-%m-%d %H:%M} UTC.\n"
            "It is shown only now: store it in a password manager. Send it as 'Authorization: Bearer <token>'."
        )
        self.stdout.write(issued.secret)

    def _list(self, user: Any, *, as_json: bool) -> None:
        now = timezone.now()
        rows = [
            {
                "name": token.name,
                "id": f"psg_{token.key_id}",
                "scopes": token.scope_list,
                "state": token_state(token, now),
                "created": token.created.isoformat(),
                "expires_at": token.expires_at.isoformat(),
                "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
                "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
            }
            for token in ApiToken.objects.filter(user=user).order_by("-created", "name")
        ]
        if as_json:
            self.stdout.write(json.dumps(rows, indent=2))
            return
        if not rows:
            self.stdout.write(f"{user.get_username()} has no API tokens")
            return
        self.stdout.write(f"{'NAME':<20} {'ID':<17} {'STATE':<8} {'EXPIRES':<11} {'LAST USED':<11} SCOPES")
        for row in rows:
            last_used = (row["last_used_at"] or "never")[:10]
            self.stdout.write(
                f"{row['name']:<20} {row['id']:<17} {row['state']:<8} {row['expires_at'][:10]:<11} {last_used:<11} {' '.join(row['scopes'])}"
            )
