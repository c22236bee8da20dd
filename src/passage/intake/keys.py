"""Keys the intake side may hold: the office's PUBLIC key and codename hashes. Never a private key.

The portal encrypts to ``load_header().office_public()``, which is readable while the vault is
sealed. It can optionally be pinned (``PASSAGE_INTAKE_OFFICE_KEY``, the fingerprint printed by
``manage.py intake fingerprint``): a header whose public key was swapped on disk is refused
before anything is encrypted to it.

Codename look-up: ``lookup = Argon2id(canonical codename, office-wide salt)``. The salt is the
same for every account, so the hash is deterministic and a login is one Argon2id and one
indexed query instead of one Argon2id per stored account. What that costs: an attacker with a
copy of the database tests each guess against all accounts at once, instead of one. With 7
random words (90.5 bits) a guess succeeds with probability N × 2⁻⁹⁰ for N accounts: with a
million accounts, 2⁻⁷⁰ per Argon2id evaluation of 64 MiB. A per-account salt would buy
nothing that the entropy does not already give, and would make every login cost N hashes.
"""

from __future__ import annotations

import hashlib
import secrets

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from django.conf import settings
from django.db import IntegrityError, transaction

from passage.intake.models import IntakeOffice
from passage.vault import KdfParams, VaultError, field_aad, file_aad
from passage.vault.kdf import ALGORITHM

__all__ = [
    "OfficeKeyUnavailable",
    "codename_kdf",
    "fingerprint",
    "lookup_hash",
    "office_public_key",
]


class OfficeKeyUnavailable(Exception):
    """No vault yet, or its public key does not match the pinned fingerprint: store nothing."""


def fingerprint(public_key: X25519PublicKey) -> str:
    """SHA-256 of the raw public key, in hex (what ``PASSAGE_INTAKE_OFFICE_KEY`` pins)."""
    return hashlib.sha256(public_key.public_bytes_raw()).hexdigest()


def office_public_key() -> X25519PublicKey:
    """The key every submission is sealed to.

    Raises:
        OfficeKeyUnavailable: the vault does not exist yet, or the key is not the pinned one.
    """
    from passage.sealing.service import load_header

    try:
        key = load_header().office_public()
    except (VaultError, ValueError):
        raise OfficeKeyUnavailable("the office vault has not been created") from None
    pinned = settings.PASSAGE.intake_office_key
    if pinned is not None and not secrets.compare_digest(fingerprint(key), pinned):
        raise OfficeKeyUnavailable("the office public key does not match PASSAGE_INTAKE_OFFICE_KEY")
    return key


def codename_kdf() -> KdfParams:
    """Argon2id costs for codename hashes and reply keys (a fresh salt each call).

    64 MiB and 3 passes (about 0.13 s on the 2-core reference box): a codename has 90 bits of
    entropy, so the cost only has to make bulk guessing pointless, not rescue a weak secret,
    and a busy portal must hash at every registration and login.
    """
    if settings.PASSAGE.kdf == "fast-for-tests":
        return KdfParams.fast_for_tests()
    return KdfParams(ALGORITHM, 3, 64 * 1024, 1, secrets.token_bytes(16))


def _office_params() -> KdfParams:
    row = IntakeOffice.objects.filter(pk=1).first()
    if row is None:
        fresh = codename_kdf()
        try:
            with transaction.atomic():
                row = IntakeOffice.objects.create(
                    pk=1,
                    lookup_salt=fresh.salt,
                    time_cost=fresh.time_cost,
                    memory_kib=fresh.memory_kib,
                    parallelism=fresh.parallelism,
                )
        except IntegrityError:  # another process created it first
            row = IntakeOffice.objects.get(pk=1)
    return KdfParams(ALGORITHM, row.time_cost, row.memory_kib, row.parallelism, bytes(row.lookup_salt))


def lookup_hash(canonical_codename: str) -> str:
    """Argon2id(codename, office salt) in hex: the account's look-up key and login verifier.

    Raises:
        ValueError: empty codename.
    """
    if not canonical_codename:
        raise ValueError("empty codename")
    params = _office_params()
    secret = b"passage/intake/codename-lookup/v1\x00" + canonical_codename.encode("utf-8")
    return params.derive(secret).hex()


# Associated data: every sealed blob is bound to its row and role, so none can be moved.
def submission_aad(public_id: object) -> bytes:
    return field_aad("intake_submission", str(public_id), "payload")


def upload_key_aad(public_id: object) -> bytes:
    return file_aad("intake_upload", str(public_id), "content")


def upload_meta_aad(public_id: object) -> bytes:
    return field_aad("intake_upload", str(public_id), "meta")


def reply_aad(public_id: object, reader: str) -> bytes:
    return field_aad("intake_reply", str(public_id), reader)


def draft_aad(session_id: object) -> bytes:
    return field_aad("intake_portalsession", str(session_id), "draft")
