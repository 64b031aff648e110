"""While another process keeps the write lock for longer than the busy timeout, the running bot's
sender and scheduler wait and try again: one log line each, no traceback, and once the lock is
free the queued message and the due timer go out, once."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from datetime import UTC, datetime, timedelta

from bot.i18n import translators
from bot.scheduler import Scheduler
from bot.sender import Sender, SenderSettings
from flows import outgoing
from flows.engine import Reply
from store import schedule
from store.db import BUSY_TIMEOUT_MS
from tests.support import TZ, eventually, rows
from tests.test_reminders import Phone
from tests.test_scheduler import ping  # noqa: F401  (registers the timer kind)


async def test_a_long_write_lock_makes_the_loops_wait_quietly(db, caplog):
    now = datetime.now(UTC) - timedelta(seconds=1)
    async with db.transaction() as tx:
        await outgoing.send(tx, "test", "anna", [Reply("Hallo")], "busy:1", now=now)
        await schedule.set_timer(tx, "test.ping", "busy", now, {"to": "bob"}, now=now)
    holder = sqlite3.connect(db.path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    phone = Phone()
    stop = asyncio.Event()
    caplog.set_level(logging.INFO)
    sender = Sender(db, phone, SenderSettings(backoff=0.5))
    scheduler = Scheduler(db, translators(TZ))
    tasks = [asyncio.create_task(sender.run(stop)), asyncio.create_task(scheduler.run(stop))]
    await asyncio.sleep(2 * BUSY_TIMEOUT_MS / 1000 + 1)  # at least two busy passes each
    assert phone.sent == []
    holder.execute("ROLLBACK")
    holder.close()
    await eventually(lambda: len(phone.sent) == 2, within=20)
    stop.set()
    await asyncio.gather(*tasks)
    assert sorted(r for r, _ in phone.sent) == ["anna", "bob"]
    loops = [r for r in caplog.records if r.name in ("bot.sender", "bot.scheduler")]
    assert all(r.exc_info is None for r in loops), "a traceback was logged"
    assert len([r for r in loops if r.name == "bot.sender"]) <= 1
    assert len([r for r in loops if r.name == "bot.scheduler"]) <= 1
    assert await rows(db, "SELECT status FROM schedule WHERE key = 'busy'") == [("done",)]
