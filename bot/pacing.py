"""Pacing of messages into chats, shared by everything that sends: replies and the outbox.

Telegram asks a bot to send about 30 messages a second overall (the bot sends 25 by default) and
answers more with 429 "too many requests, retry after N seconds". A `Pacer` spaces sends at its
current rate, and when a send is refused it holds every send until `retry_after` has passed and
halves the rate (the server told us we were too fast); each send that goes through raises the
rate a little again, up to the configured rate. A refused send is always tried again: a 429 is
waited out, never a reason to drop a message.

The other limit, about one message a second to one chat, is kept by the outbox sender
(`SenderSettings.per_chat_interval`), which does not take a chat's next row within that time.

It knows nothing about Telegram: a channel tells it how to recognise a 429 (`retry_after_of`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

MIN_RATE = 0.5  # never slower than one send every two seconds
RECOVERY = 0.02  # each send that goes through adds this share of the configured rate


class Pacer:
    """Spaces sends at `rate` per second overall (0: no spacing) and waits out every 429."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_rate = rate
        self.rate = rate  # the current rate: lower after a 429, back up as sends go through
        self.refusals = 0  # 429s seen, for logs and benchmarks
        self._clock = clock
        self._next = 0.0  # when the next send may start
        self._paused_until = 0.0  # after a 429 nobody sends before this

    async def slot(self) -> None:
        """Wait until a send may start."""
        while True:
            now = self._clock()
            at = max(now, self._paused_until)
            if self.rate > 0:
                at = max(at, self._next)
                self._next = at + 1 / self.rate
            if at > now:
                await asyncio.sleep(at - now)
            if self._clock() >= self._paused_until:  # a 429 while we slept: wait again
                return

    def refused(self, retry_after: float) -> None:
        """The server said "too many requests": hold everyone, then go on slower."""
        self.refusals += 1
        until = self._clock() + max(retry_after, 0.1)
        if until > self._paused_until:
            self._paused_until = until
            if self.rate > 0:
                self.rate = max(MIN_RATE, min(self.rate, self.max_rate) / 2)
                self._next = until
            log.info("too many requests: pausing %.1f s, then %.1f/s", retry_after, self.rate)

    def went_through(self) -> None:
        if 0 < self.rate < self.max_rate:
            self.rate = min(self.max_rate, self.rate + self.max_rate * RECOVERY)

    async def send(
        self,
        call: Callable[[], Awaitable[T]],
        retry_after_of: Callable[[BaseException], float | None],
    ) -> T:
        """Run `call` in its turn; on a 429 (`retry_after_of` gives its wait) wait and run again."""
        while True:
            await self.slot()
            try:
                result = await call()
            except Exception as error:
                retry_after = retry_after_of(error)
                if retry_after is None:
                    raise
                self.refused(retry_after)
                continue
            self.went_through()
            return result
