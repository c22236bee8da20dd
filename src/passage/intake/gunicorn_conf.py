"""gunicorn settings for the intake portal as its own process (``PASSAGE_SERVE=intake``).

``gunicorn -c python:passage.intake.gunicorn_conf passage.web.wsgi:application``

Bound to loopback only: the Tor daemon on the same machine is the only client, so the only
address gunicorn ever sees (and could print in an "invalid request" warning) is 127.0.0.1.
No access log at all: gunicorn writes none unless told to, and this file never tells it to.
"""

from __future__ import annotations

import os
from typing import Any

from passage.vault import harden_process

bind = f"127.0.0.1:{int(os.environ.get('PASSAGE_INTAKE_PORT', '8090'))}"
workers = int(os.environ.get("PASSAGE_INTAKE_WORKERS", "2"))
worker_class = "sync"
accesslog = None  # never: an access log would record when each person came and what they sent
disable_redirect_access_to_syslog = True
errorlog = "-"
loglevel = "warning"
forwarded_allow_ips = ""  # trust no forwarding header (the app strips them anyway)
proxy_allow_ips = ""
timeout = 120  # slow Tor circuits uploading a scan
limit_request_line = 4094
limit_request_fields = 50
raw_env = ["PASSAGE_SERVE=intake"]


def post_fork(server: Any, worker: Any) -> None:
    # No core dumps, no ptrace: a worker's memory holds what people are typing right now.
    for measure in harden_process():
        server.log.info("worker %s: %s", worker.pid, measure)
