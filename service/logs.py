"""Structured application logs (JSON lines) that can never carry personal data.

Only allowlisted fields are written: method, route template, status, duration, trace id, and
error type names. No bodies, query strings, casus fields or free text (AVG).
"""

from __future__ import annotations

import json
import logging
import os
import sys

ALLOWED = ("methode", "route", "status", "duur_ms", "trace_id", "fout", "aantal")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"tijd": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"), "niveau": record.levelname,
                 "logger": record.name, "bericht": record.getMessage()}
        for key in ALLOWED:
            if key in record.__dict__:
                entry[key] = record.__dict__[key]
        return json.dumps(entry, ensure_ascii=False)


def configure(stream: object = None) -> None:
    """JSON lines to stderr (or `stream`), and also appended to $OT_LOG_FILE when set (the
    test suite sets it, to scan every log line of the whole run for personal data)."""
    handler = logging.StreamHandler(stream or sys.stderr)  # type: ignore[arg-type]
    handler.setFormatter(JsonFormatter())
    handlers: list[logging.Handler] = [handler]
    if os.environ.get("OT_LOG_FILE"):
        tee = logging.FileHandler(os.environ["OT_LOG_FILE"], encoding="utf-8")
        tee.setFormatter(JsonFormatter())
        handlers.append(tee)
    # uvicorn's own access log writes the raw request line, query string included (a token in
    # `?access_token=…` would land in the log): the service's middleware writes the one access
    # line per request (`service.http`, route template only), so uvicorn's is switched off.
    access = logging.getLogger("uvicorn.access")
    access.handlers = []
    access.propagate = False
    access.disabled = True
    for name in ("service", "service.http"):
        logger = logging.getLogger(name)
        for old in logger.handlers:
            if isinstance(old, logging.FileHandler):
                old.close()
        logger.handlers = handlers
        logger.setLevel(logging.INFO)
        logger.propagate = False
