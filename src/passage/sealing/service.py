"""Unseal, seal, case keys and field encryption for the office app.

The master key lives in a :class:`passage.vault.KeyHolder`: in this process (tests, a single
process) or in the key daemon that every gunicorn worker and task worker asks
(``PASSAGE_KEY_SOCKET``), so all processes are unsealed and sealed together.
"""

from __future__ import annotations

import threading
import uuid
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from passage.audit.chain import append_waiting, record
from passage.round_trips import Asked
from passage.sealing.models import CaseKey, VaultRecord
from passage.vault import (
    BlindIndex,
    DataKey,
    KdfParams,
    KeyHolder,
    LocalKeyHolder,
    MasterKey,
    SealedError,
    SocketKeyHolder,
    VaultError,
    VaultHeader,
    create_vault,
    field_aad,
    rotate_master_key,
    unseal_with_passphrase,
    unseal_with_shares,
)

__all__ = [
    "FieldCipher",
    "SealedError",
    "VaultError",
    "blind_index",
    "case_cipher",
    "delete_case_key",
    "holder",
    "initialise",
    "kdf_params",
    "load_header",
    "new_case_key",
    "request_scope",
    "rotate",
    "seal",
    "unseal_passphrase",
    "unseal_shares",
    "unsealed_master",
    "vault_exists",
    "vault_is_sealed",
]

_lock = threading.Lock()
_holder: KeyHolder | None = None
# Inside one request: the master key and each case's cipher, fetched once (see request_scope).
_scope: ContextVar[dict[object, Any] | None] = ContextVar("passage_key_scope", default=None)


def holder() -> KeyHolder:
    """This process's key holder (created on first use from the settings)."""
    global _holder
    with _lock:
        if _holder is None:
            config = settings.PASSAGE
            if config.key_socket is not None:
                _holder = SocketKeyHolder(config.key_socket, passive=config.key_passive)
            else:
                minutes = config.auto_seal_minutes
                _holder = LocalKeyHolder(auto_seal_after=minutes * 60 if minutes else None)
        return _holder


def use_holder(new: KeyHolder | None) -> None:
    """Replace the process's holder (tests, the task worker)."""
    global _holder
    with _lock:
        _holder = new


def kdf_params() -> KdfParams:
    if settings.PASSAGE.kdf == "fast-for-tests":
        return KdfParams.fast_for_tests()
    return KdfParams.production()


def vault_exists() -> bool:
    return VaultRecord.objects.exists()


def load_header() -> VaultHeader:
    row = VaultRecord.objects.order_by("pk").first()
    if row is None:
        raise VaultError("the vault has not been created yet: run `passage vault init`")
    return VaultHeader.from_json(row.header)


def vault_is_sealed() -> bool:
    try:
        return holder().is_sealed()
    except VaultError:
        return True


def unsealed_master() -> MasterKey | None:
    """The master key, or None while sealed or when the key holder cannot be reached.

    One round trip to the key daemon, which counts as activity (it postpones auto-seal).
    """
    try:
        return holder().master()
    except VaultError:
        return None


@contextmanager
def request_scope(master: MasterKey | None = None) -> Iterator[None]:
    """Within the block, ask the key holder for the master key once and unwrap each case key once.

    A page that shows a case and its letters, notes and tasks would otherwise ask the key daemon
    and read the case's wrapped key for every list it decrypts and every audit row it signs. The
    block is one request, begun after the sealed gate found the vault unsealed; the gate passes
    the key it was given (``master``), so the request asks the daemon once in all. Sealing in
    this process empties the scope at once; sealing from another process wipes the shared key
    object, so the rest of the request fails as sealed rather than using it.
    """
    token = _scope.set({} if master is None else {"master": master})
    try:
        yield
    finally:
        _scope.reset(token)


def _forget_scope() -> None:
    scope = _scope.get()
    if scope is not None:
        scope.clear()


def _master() -> MasterKey:
    scope = _scope.get()
    if scope is None:
        return holder().master()
    master: MasterKey | None = scope.get("master")
    if master is None:
        master = scope["master"] = holder().master()
    return master


def initialise(passphrase: str, shares: tuple[int, int] | None = None, *, actor: Any = None) -> list[str]:
    """Create the vault (once) and unseal it; returns the SLIP-39 share words, if any."""
    with transaction.atomic():
        if VaultRecord.objects.select_for_update().exists():
            raise VaultError("the vault already exists")
        header, master, mnemonics = create_vault(passphrase, kdf_params(), shares)
        VaultRecord.objects.create(header=header.to_json())
        holder().unseal(master)
        master.wipe()
        record(actor, "vault_init", target_type="sealing.vault", detail={"shares": list(shares) if shares else None})
    return mnemonics


def unseal_passphrase(passphrase: str, *, actor: Any = None) -> None:
    """Unseal with the passphrase; :class:`passage.vault.WrongSecretError` when it is wrong."""
    header = load_header()
    try:
        master = unseal_with_passphrase(header, passphrase)
    except VaultError:
        record(actor, "unseal_failed", target_type="sealing.vault", detail={"method": "passphrase"})
        raise
    holder().unseal(master)
    master.wipe()
    record(actor, "unseal", target_type="sealing.vault", detail={"method": "passphrase"})


def unseal_shares(mnemonics: list[str], *, actor: Any = None) -> None:
    """Unseal with k-of-n SLIP-39 shares; refuses too few or a wrong set."""
    header = load_header()
    try:
        master = unseal_with_shares(header, mnemonics)
    except VaultError:
        record(actor, "unseal_failed", target_type="sealing.vault", detail={"method": "shares"})
        raise
    holder().unseal(master)
    master.wipe()
    record(actor, "unseal", target_type="sealing.vault", detail={"method": "shares", "count": len(mnemonics)})


def seal(*, actor: Any = None, reason: str = "manual") -> None:
    """Drop the keys from memory in every process at once."""
    append_waiting()  # the request's reads, signed while the key is still here
    record(actor, "seal", target_type="sealing.vault", detail={"reason": reason})
    _forget_scope()
    holder().seal()


def new_case_key(case_id: uuid.UUID) -> DataKey:
    """Create and store the wrapped data key of a new case; returns it for immediate use."""
    master = _master()
    data_key = master.new_data_key()
    wrapped = master.wrap_data_key(data_key, aad=_key_aad(case_id))
    CaseKey.objects.create(case_id=case_id, wrapped=wrapped, master_version=master.version)
    return data_key


def _key_aad(case_id: uuid.UUID) -> bytes:
    return field_aad("sealing_casekey", str(case_id), "data_key")


def _case_key(case_id: uuid.UUID, wrapped: bytes | None = None) -> DataKey:
    """The case's data key, unwrapped from ``wrapped`` or from its stored row."""
    master = _master()
    if wrapped is None:
        with connection.cursor() as cursor:
            cursor.execute(_wrapped_key_sql(connection.vendor), [_key_lookup_param(case_id)])
            row = cursor.fetchone()
        if row is None:
            raise VaultError("this case's key was destroyed (crypto-shredded); its data cannot be read")
        wrapped = bytes(row[0])
    return master.unwrap_data_key(wrapped, aad=_key_aad(case_id))


def _key_lookup_param(case_id: uuid.UUID) -> Any:
    return CaseKey._meta.get_field("case_id").get_db_prep_value(case_id, connection)


def case_key_ask(case_id: uuid.UUID) -> Asked:
    """The look-up of the case's wrapped key, to be asked with other questions (one round trip on
    PostgreSQL, see ``passage.cases.statements.fetch_together``).

    Its answer, within a request, keeps the case's cipher in the request's scope, so the case's
    decryptions that follow do not look the key up again; it answers None. A key that is gone
    (crypto-shredded) is left to :func:`case_cipher`, which refuses as before.
    """

    def answer(raw: list[list[Any]]) -> None:
        scope = _scope.get()
        if raw[0] and scope is not None and case_id not in scope:
            scope[case_id] = FieldCipher(case_id, wrapped=bytes(raw[0][0][0]))

    return Asked(((_wrapped_key_sql(connection.vendor), [_key_lookup_param(case_id)]),), answer)


@lru_cache(maxsize=4)
def _wrapped_key_sql(vendor: str) -> str:
    """The look-up of a case's wrapped key, as fixed SQL: every case page makes it, and the ORM
    would build the statement anew each time. Only the model's quoted names go into the text."""
    quote, meta = connection.ops.quote_name, CaseKey._meta
    wrapped, case_id = (quote(meta.get_field(name).column) for name in ("wrapped", "case_id"))
    return f"SELECT {wrapped} FROM {quote(meta.db_table)} WHERE {case_id} = %s"  # noqa: S608


def delete_case_key(case_id: uuid.UUID, *, actor: Any = None) -> None:
    """Crypto-shred: destroy the case's data key so nothing of the case can be decrypted again.

    Once the shred has committed, the deleted key's bytes are pushed out of the database files
    (see :func:`_scrub_deleted_keys`).
    """
    deleted, _ = CaseKey.objects.filter(case_id=case_id).delete()
    _forget_scope()
    record(actor, "shred", target_type="cases.case", target_id=str(case_id), detail={"key_deleted": bool(deleted)})
    transaction.on_commit(_scrub_deleted_keys)


def _scrub_deleted_keys() -> None:
    """Overwrite what the deleted key left in the database files.

    SQLite overwrites freed pages (``secure_delete``) and a TRUNCATE checkpoint empties the WAL
    that still holds the old page. PostgreSQL rewrites the table with VACUUM FULL; its
    write-ahead log keeps the old bytes until the server recycles the segment (documented).
    """
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        elif connection.vendor == "postgresql":
            cursor.execute(f"VACUUM FULL {CaseKey._meta.db_table}")


class FieldCipher:
    """Encrypts and decrypts the sensitive fields of one case, each bound to its row and field."""

    def __init__(self, case_id: uuid.UUID, *, wrapped: bytes | None = None) -> None:
        self.case_id = case_id
        self._key = _case_key(case_id, wrapped)

    def encrypt(self, table: str, row_id: Any, field: str, text: str) -> bytes:
        return self._key.encrypt_text(text, aad=field_aad(table, str(row_id), field))

    def decrypt(self, table: str, row_id: Any, field: str, blob: bytes | memoryview | None) -> str:
        if blob is None or len(blob) == 0:
            return ""
        return self._key.decrypt_text(bytes(blob), aad=field_aad(table, str(row_id), field))

    def encrypt_bytes(self, table: str, row_id: Any, field: str, data: bytes) -> bytes:
        return self._key.encrypt(data, aad=field_aad(table, str(row_id), field))

    def decrypt_bytes(self, table: str, row_id: Any, field: str, blob: bytes | memoryview) -> bytes:
        return self._key.decrypt(bytes(blob), aad=field_aad(table, str(row_id), field))

    @property
    def data_key(self) -> DataKey:
        return self._key


def case_cipher(case_id: uuid.UUID) -> FieldCipher:
    """The cipher for one case (raises :class:`SealedError` while sealed)."""
    scope = _scope.get()
    if scope is None:
        return FieldCipher(case_id)
    cipher: FieldCipher | None = scope.get(case_id)
    if cipher is None:
        cipher = scope[case_id] = FieldCipher(case_id)
    return cipher


def blind_index(value: str, *, purpose: str) -> str:
    """A keyed HMAC of ``value`` for exact look-ups without storing plaintext."""
    master = _master()
    index: BlindIndex = master.blind_index(_header_for(master))
    return index.compute(value, purpose=purpose)


# The header each master key was checked against, so the blind index needs no query per use.
# Keyed by the key object itself: a new unseal, a rotation or another vault is a new object.
_headers: weakref.WeakKeyDictionary[MasterKey, VaultHeader] = weakref.WeakKeyDictionary()


def _header_for(master: MasterKey) -> VaultHeader:
    """The stored header matching ``master``."""
    header = _headers.get(master)
    if header is None:
        header = _headers[master] = load_header()
    return header


def audit_mac(row_hash: str) -> str | None:
    """HMAC of an audit row's hash, or None while sealed.

    Keyed by the blind-index key, which is random, wrapped by the master key and kept across
    master-key rotations, so old rows still verify after a rotation.
    """
    return audit_signer()(row_hash)


def audit_signer() -> Callable[[str], str | None]:
    """:func:`audit_mac` with the key in hand now, for rows signed later in the same request.

    A request's batched reads are committed with its session, after the request's key scope has
    ended (``passage.audit.chain.until_response``); asking the key daemon again then would cost
    a round trip. The signer gives None once the vault is sealed, as :func:`audit_mac` does.
    """
    try:
        master = _master()
        index = master.blind_index(_header_for(master))
    except VaultError:
        return _unsigned

    def sign(row_hash: str) -> str | None:
        try:
            return index.compute(row_hash, purpose="audit-mac")
        except VaultError:  # sealed since: wiped with the master key
            return None

    return sign


def _unsigned(row_hash: str) -> str | None:
    return None


def office_public_key() -> bytes:
    """The office's X25519 public key (readable while sealed)."""
    from cryptography.hazmat.primitives import serialization

    return load_header().office_public().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def rotate(passphrase: str, shares: tuple[int, int] | None = None, *, actor: Any = None) -> list[str]:
    """New master key: re-wrap every case key (nothing else is re-encrypted)."""
    append_waiting()  # the request's reads, signed before the old key is wiped
    with transaction.atomic():
        row = VaultRecord.objects.select_for_update().order_by("pk").first()
        if row is None:
            raise VaultError("the vault has not been created yet")
        old_master = _master()
        header, new_master, mnemonics, rewrap = rotate_master_key(
            VaultHeader.from_json(row.header), old_master, passphrase, kdf_params(), shares
        )
        count = 0
        for key in CaseKey.objects.select_for_update().iterator():
            key.wrapped = rewrap(bytes(key.wrapped), _key_aad(key.case_id))
            key.master_version = new_master.version
            key.save(update_fields=["wrapped", "master_version"])
            count += 1
        row.header = header.to_json()
        row.save(update_fields=["header", "changed_at"])
        record(actor, "rotate", target_type="sealing.vault", detail={"case_keys": count})
    _forget_scope()
    holder().unseal(new_master)
    new_master.wipe()
    return mnemonics
