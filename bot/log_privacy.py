"""One filter on every log handler, so no log line carries what carers wrote, their ids or the
bot token, whichever library logs it.

- Libraries log their arguments at DEBUG: aiosqlite every statement with its parameters (user
  ids, question texts), python-telegram-bot every request with its payload. At DEBUG, the
  arguments of every record that is not from our own packages are replaced by `<hidden>`; the
  message template stays, so the log still shows what happened.
- Secrets (the bot token) are replaced wherever they appear: message, arguments, traceback.

Our own modules never log message texts or raw user ids (they log a pseudonym); that is a rule
for the code, not something a filter can guess.
"""

from __future__ import annotations

import logging
import re

OUR_PACKAGES = ("bot", "flows", "store")
HIDDEN = "<hidden>"
# A %-style placeholder of a log message: %s, %r, %d, %(name)s, %5.1f …
_PLACEHOLDER = re.compile(r"%(\([^)]*\))?[#0\- +]*(\*|\d+)?(\.(\*|\d+))?[diouxXeEfFgGcrsa]")


def _ours(name: str) -> bool:
    return name.split(".")[0] in OUR_PACKAGES


class Scrubber(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.INFO and not _ours(record.name) and record.args:
            record.msg = _PLACEHOLDER.sub(HIDDEN, str(record.msg))
            record.args = ()
        if self.secrets:
            self._redact(record)
        return True

    def _redact(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        cleaned = self._without_secrets(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._without_secrets(record.exc_text)

    def _without_secrets(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "<token>")
        return text


def install(secret: str | None = None) -> None:
    """Put the scrubber on every handler of the root logger (once each); `secret` is added to
    what it redacts. Call after the handlers are set up (the CLI does, at start)."""
    for handler in logging.getLogger().handlers:
        scrubber = next((f for f in handler.filters if isinstance(f, Scrubber)), None)
        if scrubber is None:
            scrubber = Scrubber()
            handler.addFilter(scrubber)
        if secret:
            scrubber.secrets.add(secret)
