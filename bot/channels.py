"""The channel interface: how the outbox sender delivers a message the bot sends on its own.

Telegram, the terminal and Signal each implement `Channel`. The sender only needs to know what
happened to a send, so every channel maps its own errors onto an `Outcome`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from flows.engine import Reply


class Outcome(StrEnum):
    DELIVERED = "delivered"  # the channel accepted it
    BLOCKED = "blocked"  # the user blocked the bot or is gone: never retried
    RETRY_AFTER = "retry_after"  # flood control: wait `retry_after` seconds, not a failure
    UNCERTAIN = "uncertain"  # it may have arrived (e.g. a timeout): not resent, to avoid twice
    FAILED = "failed"  # did not arrive: retried with backoff a bounded number of times


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    retry_after: float | None = None
    detail: str = ""  # a short reason for logs and reports; never message text or user ids
    # The channel's id of the (last) message sent, where a later send may change it in place
    # (Telegram's message_id); "" where the channel has none.
    ref: str = ""


class Channel(Protocol):
    name: str  # "telegram", "console", "signal": as in users.channel

    async def send(self, recipient: str, replies: list[Reply]) -> SendResult:
        """Deliver the replies to `recipient` (the user's external id on this channel)."""
        ...


class EditingChannel(Channel, Protocol):
    """A channel that can also change a message it sent before (Telegram). The sender uses it for
    outbox rows that name an earlier row in `edits`; other channels send those as new messages."""

    async def edit(self, recipient: str, ref: str, replies: list[Reply]) -> SendResult:
        """Replace the message `ref` (a `SendResult.ref` of an earlier send) with `replies`."""
        ...
