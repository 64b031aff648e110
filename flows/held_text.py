"""Text a carer typed that opened the crisis screen, held until they choose to send it anyway.

A crisis message is never stored unless the carer asks for it (README, Privacy). So a question
that opened the helplines is kept in this process's memory only: for HOLD_SECONDS, and never past
a restart. Asking the carer to type it again is better than keeping a crisis message on disk that
nobody chose to send.
"""

from __future__ import annotations

import time

SEND_ANYWAY = "sendanyway"  # the choice under the helplines: "Toch versturen"
HOLD_SECONDS = 30 * 60
MAX_HELD = 10_000  # a flood of messages cannot grow this without bound

# Steps whose typed text is worth keeping: the flow offers "send anyway" there.
KEEPS_TYPED_TEXT: set[str] = set()
_held: dict[tuple[str, str], tuple[str, float]] = {}


def hold(channel: str, external_id: str, text: str) -> None:
    now = time.monotonic()
    for key in [k for k, (_, until) in _held.items() if until <= now]:
        del _held[key]
    while len(_held) >= MAX_HELD:
        del _held[next(iter(_held))]  # the oldest first
    _held[(channel, external_id)] = (text, now + HOLD_SECONDS)


def peek(channel: str, external_id: str) -> str | None:
    """The held text, or None when there is none or it has expired."""
    held = _held.get((channel, external_id))
    if held is None:
        return None
    text, until = held
    if until <= time.monotonic():
        del _held[(channel, external_id)]
        return None
    return text


def release(channel: str, external_id: str) -> None:
    _held.pop((channel, external_id), None)
