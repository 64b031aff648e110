"""Logs never hold what users wrote or the bot token, whichever library writes the line.

python-telegram-bot logs raw Bot API data in a few places: the updates it cannot parse (at
CRITICAL, with every message text and user id of the batch), the body of webhook requests and the
parameters of calls (at DEBUG); aiosqlite logs every statement with its parameters at DEBUG.
Other libraries may do the same at DEBUG. Every log record is checked when it is created, so this
holds for every logger and handler, also ones added later: a record from one of those libraries,
and any DEBUG record that is not from our own packages, keeps its message but shows only numbers
and enum names of its arguments; any record that holds the token has it blanked. Our own modules
never log message texts or raw user ids (they log a pseudonym): a rule for the code.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Mapping
from typing import Any

# Loggers whose arguments may be raw updates, request parameters or SQL parameters (texts, names,
# user ids): python-telegram-bot, and aiosqlite at DEBUG.
RAW_DATA_LOGGERS = ("telegram", "aiosqlite")
OUR_PACKAGES = ("bot", "flows", "store")
HIDDEN = "<hidden>"

_secrets: set[str] = set()
_installed = False


def _from_raw_data_logger(name: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in RAW_DATA_LOGGERS)


def _may_hold_raw_data(record: logging.LogRecord) -> bool:
    if _from_raw_data_logger(record.name):
        return True
    return record.levelno < logging.INFO and record.name.split(".")[0] not in OUR_PACKAGES


def _safe(value: Any) -> Any:
    """Numbers (update ids, seconds, counts) and enum members pass; anything else is hidden."""
    if isinstance(value, int | float | enum.Enum) or value is None:
        return value
    return HIDDEN


def scrub(record: logging.LogRecord) -> None:
    if record.args and _may_hold_raw_data(record):
        if isinstance(record.args, Mapping):
            record.args = {key: _safe(value) for key, value in record.args.items()}
        else:
            record.args = tuple(_safe(value) for value in record.args)
    if not _secrets:
        return
    try:
        message = record.getMessage()
    except (TypeError, ValueError):
        message = str(record.msg)
    if any(secret in message for secret in _secrets):
        for secret in _secrets:
            message = message.replace(secret, "<token>")
        record.msg, record.args = message, ()
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        for secret in _secrets:
            record.exc_text = record.exc_text.replace(secret, "<token>")


def install(*secrets: str) -> None:
    """Scrub every log record from now on; `secrets` (e.g. the token) never appear in a log."""
    global _installed
    _secrets.update(s for s in secrets if s)
    if _installed:
        return
    _installed = True
    make_record = logging.getLogRecordFactory()

    def scrubbed_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        scrub(record)
        return record

    logging.setLogRecordFactory(scrubbed_record)
