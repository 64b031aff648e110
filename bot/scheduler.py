"""The scheduler loop: fires the timers of store/schedule when they are due.

It sleeps until the next due timer, or until a new timer is set in this process (a wake-up from
the store), and never polls; timers set by another process are seen within `idle_recheck`.
Each timer runs its handler (flows/timers.py) in the transaction that marks it done.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from bot.sender import utc_now, wait_any
from flows.engine import Translator
from flows.timers import TIMERS, TimerContext
from store import schedule
from store.db import Database, DatabaseBusy

log = logging.getLogger(__name__)


class Scheduler:
    def __init__(
        self,
        db: Database,
        translators: Callable[[str], Translator],
        *,
        default_language: str = "nl",
        clock: Callable[[], datetime] = utc_now,
        idle_recheck: float = 60.0,
    ) -> None:
        self.db = db
        self.translators = translators
        self.default_language = default_language
        self.clock = clock
        self.idle_recheck = idle_recheck
        self._wake = asyncio.Event()
        self.fired = 0

    def wake(self) -> None:
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        unsubscribe = schedule.on_change(self._wake.set)
        busy_logged = False
        try:
            while not stop.is_set():
                self._wake.clear()
                try:
                    if await self.run_due():
                        continue
                    await wait_any(stop, self._wake, await self._seconds_to_next())
                    busy_logged = False
                    continue
                except DatabaseBusy:
                    # Another process holds the write lock: wait and try again, one line.
                    if not busy_logged:
                        log.warning("database busy; the scheduler waits")
                        busy_logged = True
                    await wait_any(stop, None, 2.0)
                    continue
                except Exception:
                    log.exception("scheduler pass failed")
                    await wait_any(stop, None, 5.0)
        finally:
            unsubscribe()

    async def _seconds_to_next(self) -> float:
        async with self.db.read() as tx:
            due = await schedule.next_due(tx)
        if due is None:
            return self.idle_recheck
        return max(0.01, min(self.idle_recheck, (due - self.clock()).total_seconds()))

    async def run_due(self) -> int:
        """Fire every timer that is due now; returns how many fired."""
        fired = 0
        while True:
            now = self.clock()
            async with self.db.read() as tx:
                timers = await schedule.due(tx, now, limit=1)
            if not timers:
                return fired
            timer = timers[0]
            handler = TIMERS.get(timer.kind)
            try:
                async with self.db.transaction() as tx:
                    if handler is None:
                        raise LookupError(f"no handler for timer kind {timer.kind}")
                    ctx = TimerContext(tx, self.translators, now, self.default_language)
                    await handler(ctx, timer.key, timer.payload)
                    await schedule.mark_done(tx, timer.id, now)
            except DatabaseBusy:
                raise  # not the timer's fault: it stays pending and fires once the lock is free
            except Exception:
                # Rolled back; set aside so one broken timer cannot hold up all the others.
                log.exception("timer %s (%s) failed", timer.id, timer.kind)
                async with self.db.transaction() as tx:
                    await schedule.mark_failed(tx, timer.id, now)
                continue
            fired += 1
            self.fired += 1
