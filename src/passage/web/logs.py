"""Logging that cannot carry sensitive data.

Passage logs events, never content: query strings and request bodies are dropped from request
log lines, and Django's error reports show no settings, POST data or local variables.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.views.debug import SafeExceptionReporterFilter

_QUERY = re.compile(r"(\"[A-Z]+ [^\" ?]*)\?[^\" ]*")


class ScrubFilter(logging.Filter):
    """Removes query strings from request lines and the request object from log records."""

    def filter(self, record: logging.LogRecord) -> bool:
        if hasattr(record, "request"):
            record.request = None
        if isinstance(record.msg, str) and "?" in record.msg:
            record.msg = _QUERY.sub(r"\1?…", record.msg)
        if record.args and isinstance(record.args, tuple):
            record.args = tuple(_QUERY.sub(r"\1?…", arg) if isinstance(arg, str) else arg for arg in record.args)
        return True


class NothingSensitiveFilter(SafeExceptionReporterFilter):
    """Error reports without settings, POST data or stack variables."""

    def get_safe_settings(self) -> dict[str, Any]:
        return {}

    def get_post_parameters(self, request: Any) -> dict[str, Any]:
        return {}

    def get_traceback_frame_variables(self, request: Any, tb_frame: Any) -> list[tuple[str, Any]]:
        return []
