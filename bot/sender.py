"""The outbox sender: one per channel, delivers what flows queued in store/outbox.

It claims due rows with a lease, sends them through the channel, and records what happened:
delivered; blocked (the user is marked inactive, nothing more is sent to them); flood control
(back in the queue after `retry_after`, not counted as a failure); uncertain (e.g. a timeout:
never resent, so nobody gets it twice); failed (retried with growing waits, a bounded number of
times). It sleeps until the next row is due or a new row wakes it: no polling.

A crash leaves claimed rows behind; once their lease ends they are claimed again. So after a
restart nothing is lost, and only what was in flight at the crash can arrive twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.channels import Channel, Outcome, SendResult
from flows import outgoing
from store import outbox, users
from store.db import Database, DatabaseBusy
from store.outbox import Message

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SenderSettings:
    lease: float = 150.0  # seconds a claimed row is ours; longer than any send can take
    # A send that takes longer is "uncertain". None: the channel's own timeouts decide (Telegram:
    # an HTTP time-out is uncertain, while waiting out a 429 in the pacer is not sending at all,
    # so cutting that short would lose a message that never went).
    send_timeout: float | None = None
    batch: int = 20  # rows claimed at a time
    concurrency: int = 8  # sends in flight at once (the channel paces the overall rate)
    per_chat_interval: float = 1.0  # at most about one message a second to one chat
    max_attempts: int = 5  # failures before a row is given up
    backoff: float = 2.0  # first wait after a failure, doubled each time
    max_backoff: float = 600.0
    idle_recheck: float = 60.0  # rows queued by another process are seen within this time

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> SenderSettings:
        """`MANTELBOT_OUTBOX_LEASE`: seconds before a row claimed by a process that died is
        sent again (default 150)."""
        env = dict(os.environ if env is None else env)
        lease = float(env.get("MANTELBOT_OUTBOX_LEASE") or cls.lease)
        if lease <= 0:
            raise ValueError("MANTELBOT_OUTBOX_LEASE must be a positive number of seconds")
        return cls(lease=lease)


def utc_now() -> datetime:
    return datetime.now(UTC)


class Sender:
    def __init__(
        self,
        db: Database,
        channel: Channel,
        settings: SenderSettings | None = None,
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.db = db
        self.channel = channel
        self.settings = settings or SenderSettings()
        self.clock = clock
        self._wake = asyncio.Event()
        self._in_flight: set[int] = set()
        self._next_ok: dict[str, datetime] = {}  # per recipient, for the per-chat pace
        self.outcomes: dict[str, int] = {}  # counts since start, for reports
        self.passes = 0  # times it looked at the table: stays low while nothing is due

    def wake(self) -> None:
        self._wake.set()

    def _on_enqueue(self, channel: str) -> None:
        if channel == self.channel.name:
            self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Send until `stop` is set; in-flight sends finish first."""
        unsubscribe = outbox.on_enqueue(self._on_enqueue)
        busy_logged = False
        try:
            while not stop.is_set():
                self._wake.clear()
                try:
                    handled = await self.send_due()
                    busy_logged = False
                except DatabaseBusy:
                    # Another process holds the write lock: wait and try again, one line.
                    if not busy_logged:
                        log.warning(
                            "database busy; the outbox waits (channel=%s)", self.channel.name
                        )
                        busy_logged = True
                    handled = 0
                    await wait_any(stop, None, self.settings.backoff)
                    continue
                except Exception:
                    log.exception("outbox pass failed (channel=%s)", self.channel.name)
                    handled = 0
                    await wait_any(stop, None, self.settings.backoff)
                if handled:
                    continue
                await wait_any(stop, self._wake, await self._seconds_to_next())
        finally:
            unsubscribe()

    async def _seconds_to_next(self) -> float:
        now = self.clock()
        async with self.db.read() as tx:
            due = await outbox.next_due(tx, self.channel.name)
        waits = [self.settings.idle_recheck]
        if due is not None:
            waits.append((due - now).total_seconds())
        # Rows held back by the per-chat pace are ready in the table but not for us yet.
        pending = [t for t in self._next_ok.values() if t > now]
        if pending and due is not None and due <= now:
            waits.append((min(pending) - now).total_seconds())
        return max(0.01, min(waits))

    async def send_due(self, recipient: str | None = None) -> int:
        """One pass: claim what is due (for one recipient, or all), send it, record the outcomes.
        Returns how many rows were handled."""
        self.passes += 1
        now = self.clock()
        self._next_ok = {r: t for r, t in self._next_ok.items() if t > now}
        async with self.db.transaction() as tx:
            candidates = await outbox.due(
                tx,
                self.channel.name,
                now,
                limit=self.settings.batch * 2,
                recipient=recipient,
                exclude=self._in_flight,
            )
            chosen = [m for m in candidates if m.recipient not in self._next_ok]
            chosen = chosen[: self.settings.batch]
            await outbox.claim(
                tx, [m.id for m in chosen], now, timedelta(seconds=self.settings.lease)
            )
        if not chosen:
            return 0
        interval = timedelta(seconds=self.settings.per_chat_interval)
        for message in chosen:
            self._in_flight.add(message.id)
            if interval:
                self._next_ok[message.recipient] = now + interval
        limit = asyncio.Semaphore(self.settings.concurrency)

        async def deliver(message: Message) -> None:
            async with limit:
                try:
                    result = await self._send(message)
                    await self._record(message, result)
                finally:
                    self._in_flight.discard(message.id)

        await asyncio.gather(*(deliver(m) for m in chosen))
        return len(chosen)

    async def _send(self, message: Message) -> SendResult:
        try:
            replies = outgoing.load(message.payload)
        except (ValueError, KeyError, TypeError):
            return SendResult(Outcome.FAILED, detail="unreadable payload")
        try:
            ref = await self._ref_to_edit(message)
            if ref:  # a message kept up to date (a progress message): changed in place
                sending = self.channel.edit(message.recipient, ref, replies)  # type: ignore[attr-defined]
            else:
                sending = self.channel.send(message.recipient, replies)
            if self.settings.send_timeout is None:
                return await sending
            return await asyncio.wait_for(sending, self.settings.send_timeout)
        except TimeoutError:
            return SendResult(Outcome.UNCERTAIN, detail="timed out")
        except Exception as error:  # a channel bug must not stop the sender
            log.exception("send raised (channel=%s, row=%s)", self.channel.name, message.id)
            return SendResult(Outcome.FAILED, detail=type(error).__name__)

    async def _ref_to_edit(self, message: Message) -> str | None:
        """The channel's id of the message this row replaces, when the channel can edit it."""
        if not message.edits or not hasattr(self.channel, "edit"):
            return None
        async with self.db.read() as tx:
            return await outbox.sent_ref(tx, self.channel.name, message.recipient, message.edits)

    async def _record(self, message: Message, result: SendResult) -> None:
        now = self.clock()
        settings = self.settings
        async with self.db.transaction() as tx:
            if result.outcome is Outcome.DELIVERED:
                await outbox.mark_delivered(tx, message.id, now, result.ref)
            elif result.outcome is Outcome.UNCERTAIN:
                await outbox.mark_uncertain(tx, message.id, now, result.detail)
            elif result.outcome is Outcome.BLOCKED:
                await outbox.mark_blocked(tx, message.id, now, result.detail)
                await users.set_active(tx, self.channel.name, message.recipient, False)
            elif result.outcome is Outcome.RETRY_AFTER:
                wait = timedelta(seconds=max(result.retry_after or 1.0, 0.0))
                await outbox.retry_later(
                    tx,
                    message.id,
                    now + wait,
                    failed=False,
                    max_attempts=settings.max_attempts,
                    detail="retry_after",
                )
                self._next_ok[message.recipient] = now + wait
            else:
                wait = min(settings.backoff * 2**message.attempts, settings.max_backoff)
                retried = await outbox.retry_later(
                    tx,
                    message.id,
                    now + timedelta(seconds=wait),
                    failed=True,
                    max_attempts=settings.max_attempts,
                    detail=result.detail[:200],
                )
                if not retried:
                    log.warning(
                        "outbox row %s failed for good (channel=%s): %s",
                        message.id,
                        self.channel.name,
                        result.detail,
                    )
        name = result.outcome.value
        self.outcomes[name] = self.outcomes.get(name, 0) + 1


async def wait_any(stop: asyncio.Event, wake: asyncio.Event | None, seconds: float) -> None:
    """Sleep up to `seconds`, or until `stop` (or `wake`) is set."""
    waiters = [asyncio.ensure_future(stop.wait())]
    if wake is not None:
        waiters.append(asyncio.ensure_future(wake.wait()))
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await waiter
