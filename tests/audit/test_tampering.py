"""`passage audit verify` on a real database: intact exits 0; a changed, deleted, inserted,
reordered or forged row makes it exit non-zero and name the row. Two processes appending at once
keep one chain.

The database is the test database on disk (SQLite file or PostgreSQL), committed
(``transaction=True``), tampered with by plain SQL as an attacker with the database would, and
checked by the ``passage`` command in its own process. The master key lives in a real key daemon
that both this process and the command reach, so the command checks every row's HMAC too; a
command run while the vault is sealed checks the chain only, and says so.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from passage.audit.chain import GENESIS, _digest, record, verify
from passage.audit.models import AuditEvent
from passage.sealing import service
from passage.vault import SocketKeyHolder

BIN = Path(sys.executable).parent
TABLE = AuditEvent._meta.db_table

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def key_socket() -> Iterator[Path]:
    """A key daemon (a real process) holding the vault's master key, reached by this process too."""
    folder = Path(tempfile.mkdtemp(prefix="psgaudit", dir="/tmp"))
    path = folder / "run" / "keyd.sock"
    daemon = subprocess.Popen([sys.executable, "-c", "from passage.vault.keyd import main; main()", str(path)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 10
    while not path.exists():
        assert daemon.poll() is None and time.monotonic() < deadline, "the key daemon did not start"
        time.sleep(0.05)
    holder = SocketKeyHolder(path)
    service.use_holder(holder)
    try:
        service.initialise("audit tamper test passphrase")
        yield path
    finally:
        service.use_holder(None)
        holder.close()
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(10)


def _environment(key_socket: Path | None = None) -> dict[str, str]:
    """The test process's settings, pointed at the test database (what ``passage`` reads)."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite://{settings['NAME']}"
    else:
        url = f"postgresql://{settings['USER']}@{settings['HOST']}:{settings['PORT'] or 5432}/{settings['NAME']}"
    env = {
        key: value for key, value in os.environ.items() if key not in ("DJANGO_SETTINGS_MODULE", "PASSAGE_KEY_SOCKET")
    }
    env.update({"DJANGO_SETTINGS_MODULE": "passage.web.settings", "DATABASE_URL": url})
    if key_socket is not None:
        env["PASSAGE_KEY_SOCKET"] = str(key_socket)
    return env


def passage(*args: str, key_socket: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "passage"), *args], env=_environment(key_socket), capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def chain(key_socket: Path) -> list[AuditEvent]:
    """The vault's creation and ten reads, committed, each with its HMAC."""
    for number in range(10):
        record("tester", "read", target_type="cases.case", target_id=f"case-{number}", fields=["narrative"])
    events = list(AuditEvent.objects.order_by("seq"))
    assert [event.seq for event in events] == list(range(1, 12))
    assert events[0].action == "vault_init" and all(event.mac for event in events)
    return events


def verify_command(key_socket: Path) -> subprocess.CompletedProcess[str]:
    return passage("audit", "verify", key_socket=key_socket)


def _sql(statement: str, *params: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement.format(table=TABLE), params)


def _forge(seq: int, prev_hash: str, at: Any) -> tuple[Any, ...]:
    """A row as a forger with the source code and the database, but not the vault's key, writes it."""
    detail: dict[str, Any] = {}
    digest = _digest(prev_hash, seq, at.isoformat(), "mallory", "read", "cases.case", "forged", "", detail)
    return (seq, at, "mallory", "read", "cases.case", "forged", "", json.dumps(detail), prev_hash, digest, "")


def _insert(row: tuple[Any, ...]) -> None:
    _sql(
        "INSERT INTO {table} (seq, at, actor_label, action, target_type, target_id, fields, detail, prev_hash, hash, mac)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        *row,
    )


def test_an_intact_chain_exits_zero(chain: list[AuditEvent], key_socket: Path) -> None:
    result = verify_command(key_socket)
    assert result.returncode == 0, result.stderr
    assert "audit chain intact: 11 rows" in result.stdout
    assert "HMACs checked: every row was written by Passage" in result.stdout


def test_a_changed_detail_is_named(chain: list[AuditEvent], key_socket: Path) -> None:
    _sql("UPDATE {table} SET detail = %s WHERE seq = 4", json.dumps({"covered": "up"}))
    result = verify_command(key_socket)
    assert result.returncode != 0
    assert "row 4: content does not match its hash (the row was changed)" in result.stderr
    assert "row 5" not in result.stderr


def test_a_changed_actor_or_time_is_named(chain: list[AuditEvent], key_socket: Path) -> None:
    _sql("UPDATE {table} SET actor_label = %s WHERE seq = 2", "someone-else")
    _sql("UPDATE {table} SET at = %s WHERE seq = 7", chain[0].at)
    result = verify_command(key_socket)
    assert result.returncode != 0
    assert "row 2: content does not match" in result.stderr and "row 7: content does not match" in result.stderr


def test_a_deleted_row_in_the_middle_is_named(chain: list[AuditEvent], key_socket: Path) -> None:
    _sql("DELETE FROM {table} WHERE seq = 5")
    result = verify_command(key_socket)
    assert result.returncode != 0
    assert "row 6: rows 5–5 are missing (deleted)" in result.stderr


def test_a_forged_row_inserted_in_the_middle_is_named(chain: list[AuditEvent], key_socket: Path) -> None:
    # Make room after row 5 (two steps, so the unique sequence never collides), then insert a row
    # whose own hash is right: the row after it no longer links to its predecessor, and the forged
    # row has no HMAC (the forger does not hold the vault's key).
    _sql("UPDATE {table} SET seq = seq + 100 WHERE seq > 5")
    _sql("UPDATE {table} SET seq = seq - 99 WHERE seq > 100")
    _insert(_forge(6, chain[4].hash, chain[4].at))
    result = verify_command(key_socket)
    assert result.returncode != 0
    assert "row 6: has no HMAC: it was not written by Passage (forged)" in result.stderr
    assert "row 7: does not follow the row before it" in result.stderr
    # Without the key only the broken link shows.
    sealed = passage("audit", "verify")
    assert sealed.returncode != 0 and "row 7: does not follow" in sealed.stderr and "row 6:" not in sealed.stderr


def test_two_rows_swapped_are_named(chain: list[AuditEvent], key_socket: Path) -> None:
    _sql("UPDATE {table} SET seq = 1000 WHERE seq = 3")
    _sql("UPDATE {table} SET seq = 3 WHERE seq = 8")
    _sql("UPDATE {table} SET seq = 8 WHERE seq = 1000")
    result = verify_command(key_socket)
    assert result.returncode != 0
    for row in (3, 4, 8, 9):
        assert f"row {row}:" in result.stderr


def test_a_forged_row_appended_at_the_end_is_noticed_with_the_vault_unsealed(vault: Any) -> None:
    # Rows written while unsealed carry an HMAC the forger cannot compute without the vault's key.
    for number in range(3):
        record("tester", "read", target_type="cases.case", target_id=f"case-{number}", fields=["narrative"])
    last = AuditEvent.objects.order_by("-seq").first()
    assert last is not None and last.mac
    _insert(_forge(last.seq + 1, last.hash, last.at))
    problems = verify()
    assert [(p.seq, p.kind) for p in problems] == [(last.seq + 1, "forged")]


def test_a_forged_row_appended_at_the_end_is_named_by_the_command(chain: list[AuditEvent], key_socket: Path) -> None:
    _insert(_forge(12, chain[-1].hash, chain[-1].at))
    result = verify_command(key_socket)
    assert result.returncode != 0
    assert "row 12: has no HMAC: it was not written by Passage (forged)" in result.stderr
    # A forger who copies a real row's HMAC onto the forged row is caught as well.
    _sql("UPDATE {table} SET mac = %s WHERE seq = 12", chain[-1].mac)
    assert "row 12: HMAC does not match" in verify_command(key_socket).stderr


def test_the_last_rows_deleted_are_noticed(chain: list[AuditEvent], key_socket: Path) -> None:
    _sql("DELETE FROM {table} WHERE seq > 9")
    result = verify_command(key_socket)
    assert result.returncode != 0
    assert "row 11: the chain should reach row 11, which is missing or changed" in result.stderr


def test_a_rolled_back_end_of_the_chain_is_noticed(chain: list[AuditEvent], key_socket: Path) -> None:
    from passage.audit.models import AuditHead

    older = AuditHead.objects.get(pk=1)
    record("tester", "read", target_type="cases.case", target_id="later", fields=["narrative"])
    # The forger saved the end record when the chain had 11 rows and puts it back after deleting row 12.
    _sql("DELETE FROM {table} WHERE seq = 12")
    AuditHead.objects.filter(pk=1).update(
        signed_seq=older.signed_seq, signed_hash=older.signed_hash, signed_mac=older.signed_mac
    )
    assert verify_command(key_socket).returncode == 0  # a rollback to an earlier signed end is the limit
    record("tester", "read", target_type="cases.case", target_id="again", fields=["narrative"])
    AuditHead.objects.filter(pk=1).update(
        signed_seq=older.signed_seq, signed_hash=older.signed_hash, signed_mac=older.signed_mac
    )
    result = verify_command(key_socket)
    assert result.returncode != 0
    assert "rows after the recorded end of the chain" in result.stderr


def test_a_deleted_end_record_is_noticed(chain: list[AuditEvent], key_socket: Path) -> None:
    from passage.audit.models import AuditHead

    AuditHead.objects.all().delete()
    result = verify_command(key_socket)
    assert result.returncode != 0
    assert "the signed end of the chain is missing" in result.stderr


def test_a_rotated_vault_still_verifies_old_rows(vault: Any) -> None:
    record("tester", "read", target_type="cases.case", target_id="before", fields=["narrative"])
    vault.rotate("a new passphrase for the rotated vault")
    record("tester", "read", target_type="cases.case", target_id="after", fields=["narrative"])
    assert verify() == []


def test_without_the_key_the_command_says_hmacs_were_not_checked(chain: list[AuditEvent]) -> None:
    result = passage("audit", "verify")
    assert result.returncode == 0
    assert "HMACs not checked: the vault is sealed for this process" in result.stdout


WRITER = r"""
import os, sys, time, django
django.setup()
from passage.audit.chain import record
print("ready", flush=True)
while not os.path.exists(sys.argv[3]):  # both writers start together
    time.sleep(0.001)
started = time.time()
for number in range(int(sys.argv[2])):
    record("writer-" + sys.argv[1], "concurrency", target_type="test", target_id=str(number))
print("done", started, time.time(), flush=True)
"""


@pytest.mark.slow
def test_two_processes_appending_at_once_keep_one_chain(tmp_path: Path) -> None:
    record("tester", "start", target_type="test")
    per_writer = 300
    go = tmp_path / "go"
    command = [sys.executable, "-c", WRITER]
    writers = [
        subprocess.Popen(
            [*command, name, str(per_writer), str(go)],
            env=_environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("a", "b")
    ]
    for writer in writers:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
    go.touch()
    outcomes = [writer.communicate(timeout=300) for writer in writers]
    windows = []
    for writer, (stdout, stderr) in zip(writers, outcomes, strict=True):
        assert writer.returncode == 0 and stdout.startswith("done "), stderr[-2000:]
        windows.append(tuple(float(value) for value in stdout.split()[1:3]))
    events = list(AuditEvent.objects.order_by("seq"))
    assert len(events) == 1 + 2 * per_writer
    assert [event.seq for event in events] == list(range(1, len(events) + 1))
    assert events[0].prev_hash == GENESIS
    labels = [event.actor_label for event in events[1:]]
    assert labels.count("writer-a") == labels.count("writer-b") == per_writer
    assert verify() == []
    # The two were appending at the same time: each started before the other had finished. (How
    # finely their rows interleave is the database's choice: SQLite may let one writer run ahead.)
    (start_a, end_a), (start_b, end_b) = windows
    assert start_a < end_b and start_b < end_a, f"the writers did not overlap {windows}; the test proves nothing"
    assert passage("audit", "verify").returncode == 0
