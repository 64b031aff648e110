"""Text a carer typed that opened the crisis screen, held until they choose to send it anyway.

A crisis message is never stored unless the carer asks for it (README, Privacy). So a question
that opened the helplines is kept in this process's memory only: for HOLD_SECONDS, and never past
a restart. Asking the carer to type it again is better than keeping a crisis message on disk that
nobody chose to send.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from flows.engine import HOME_STEP, Context, Incoming, Reply, Turn, global_choice, goto

SEND_ANYWAY = "sendanyway"  # the choice under the helplines: "Toch versturen"
HOLD_SECONDS = 30 * 60
MAX_HELD = 10_000  # a flood of messages cannot grow this without bound

SendAnyway = Callable[[Context, str], Awaitable[Turn]]
# Steps whose typed text is worth keeping, and what "send anyway" does there with the held text.
SEND_ANYWAY_AT: dict[str, SendAnyway] = {}
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


def sends_anyway_at(step_name: str) -> Callable[[SendAnyway], SendAnyway]:
    """Register what "send anyway" does at a free-text step; the crisis screen then offers it."""

    def register(handler: SendAnyway) -> SendAnyway:
        SEND_ANYWAY_AT[step_name] = handler
        return handler

    return register


@global_choice(SEND_ANYWAY)
async def send_anyway(ctx: Context, msg: Incoming) -> Turn:
    handler = SEND_ANYWAY_AT.get(ctx.step or "")
    text = peek(ctx.channel, ctx.external_id)
    if handler is not None and text is not None:
        return await handler(ctx, text)
    gone = Reply(ctx._("What you wrote is no longer kept here. Please write it again."))
    return goto(ctx.step or HOME_STEP, gone, data=ctx.data)
