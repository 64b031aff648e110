"""What happens when a timer of the schedule table fires: one handler per kind.

A flow registers a handler with `@timer("kind")`; it runs inside the transaction that marks the
timer done, so whatever it writes (outbox rows, state) happens exactly once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flows.engine import Translator
from store.db import Tx


@dataclass
class TimerContext:
    tx: Tx
    translators: Callable[[str], Translator]
    now: datetime
    default_language: str = "nl"


TimerHandler = Callable[[TimerContext, str, dict[str, Any]], Awaitable[None]]
TIMERS: dict[str, TimerHandler] = {}


def timer(kind: str) -> Callable[[TimerHandler], TimerHandler]:
    def register(handler: TimerHandler) -> TimerHandler:
        TIMERS[kind] = handler
        return handler

    return register
