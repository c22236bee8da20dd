"""``make run``: the demo office on http://127.0.0.1:8000.

Starts the key daemon (the master key lives only in its memory), migrates a SQLite database,
creates the demo office (or unseals it again), then serves the app with gunicorn and runs the
task worker — every process reaching the same key daemon, so they are sealed and unsealed
together. Ctrl-C stops everything and the key is gone with the daemon.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ADDRESS = os.environ.get("PASSAGE_ADDRESS", "127.0.0.1:8000")
REMINDER_INTERVAL_S = 15 * 60


def _environment(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "PASSAGE_DEMO": "1",
            "PASSAGE_DATA_DIR": str(data_dir),
            "PASSAGE_KEY_SOCKET": str(data_dir / "run" / "keyd.sock"),
            "DJANGO_SETTINGS_MODULE": "passage.web.settings",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def _passage(*args: str) -> list[str]:
    return [str(BIN / "passage"), *args]


def _wait_for(path: Path, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"passage: the key daemon did not start ({path} missing)")
        time.sleep(0.05)


def main() -> int:
    data_dir = Path(os.environ.get("PASSAGE_DATA_DIR") or ROOT / "var" / "demo").resolve()
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    env = _environment(data_dir)
    socket_path = Path(env["PASSAGE_KEY_SOCKET"])
    if socket_path.exists():
        socket_path.unlink()
    children: list[subprocess.Popen[bytes]] = []

    def stop(*_args: object) -> None:
        for child in reversed(children):
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()

    signal.signal(signal.SIGTERM, lambda *_: (stop(), sys.exit(0)))
    try:
        keyd = [
            sys.executable,
            "-c",
            "import sys; from passage.vault.keyd import main; sys.exit(main())",
            str(socket_path),
        ]
        if env.get("PASSAGE_AUTO_SEAL_MINUTES"):
            keyd += ["--auto-seal-seconds", str(int(env["PASSAGE_AUTO_SEAL_MINUTES"]) * 60)]
        children.append(subprocess.Popen(keyd, env=env))
        _wait_for(socket_path)
        subprocess.run(_passage("migrate", "--no-input", "-v", "0"), env=env, check=True)
        subprocess.run(_passage("demo"), env=env, check=True)
        # An upload killed mid-way (SIGKILL, power loss) leaves an encrypted .part: sweep it.
        subprocess.run(_passage("evidence-cleanup"), env=env, check=True)
        children.append(subprocess.Popen(_passage("db_worker"), env={**env, "PASSAGE_KEY_PASSIVE": "1"}))
        children.append(
            subprocess.Popen(
                [
                    str(BIN / "gunicorn"),
                    "passage.web.wsgi:application",
                    "--config",
                    "python:passage.web.gunicorn_conf",
                    "--bind",
                    ADDRESS,
                    "--workers",
                    "2",
                    "--access-logfile",
                    "-",
                    "--access-logformat",
                    '%(t)s "%(m)s %(U)s" %(s)s',
                ],
                env=env,
            )
        )
        threading.Thread(target=_reminders, args=(env,), daemon=True).start()
        print(f"\nPassage demo office: http://{ADDRESS}/  (Ctrl-C stops it and seals the vault)\n", flush=True)
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        print("passage: a process of the demo stopped; shutting down", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    except subprocess.CalledProcessError as error:
        print(f"passage: demo setup failed ({error.cmd[-1]}, exit {error.returncode})", file=sys.stderr)
        return 2
    finally:
        stop()


def _reminders(env: dict[str, str]) -> None:
    """Queue the reminder job now and then (a cron job does this in an office's deployment)."""
    while True:
        subprocess.run(_passage("reminders"), env=env, check=False, capture_output=True)
        time.sleep(REMINDER_INTERVAL_S)


if __name__ == "__main__":
    sys.exit(main())
