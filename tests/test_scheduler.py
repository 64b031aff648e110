"""Timers in the database: fired once when due, never early, and not again after a restart."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.i18n import translators
from bot.scheduler import Scheduler
from flows import outgoing
from flows.engine import Reply
from flows.timers import TIMERS, TimerContext, timer
from store import schedule
from tests.support import TZ, eventually, rows


@timer("test.ping")
async def ping(ctx: TimerContext, key: str, payload: dict) -> None:
    await outgoing.send(ctx.tx, "test", payload["to"], [Reply("ping")], f"ping:{key}", now=ctx.now)


@timer("test.broken")
async def broken(ctx: TimerContext, key: str, payload: dict) -> None:
    await outgoing.send(ctx.tx, "test", "x", [Reply("half")], f"broken:{key}", now=ctx.now)
    raise RuntimeError("a bug")


async def test_a_timer_fires_once_when_due_and_its_effects_happen_once(db):
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    async with db.transaction() as tx:
        await schedule.set_timer(
            tx, "test.ping", "a", now + timedelta(hours=1), {"to": "1"}, now=now
        )
        await schedule.set_timer(tx, "test.broken", "b", now, {}, now=now)
    clock = [now]
    scheduler = Scheduler(db, translators(TZ), clock=lambda: clock[0])
    assert await scheduler.run_due() == 0  # the broken one is set aside, not fired
    assert await rows(db, "SELECT * FROM outbox") == []  # its half-done write was rolled back
    clock[0] = now + timedelta(hours=1)
    assert await scheduler.run_due() == 1
    again = Scheduler(db, translators(TZ), clock=lambda: clock[0])  # as after a restart
    assert await again.run_due() == 0
    assert await rows(db, "SELECT recipient, unique_key FROM outbox") == [("1", "ping:a")]
    assert await rows(
        db, "SELECT kind, status FROM schedule WHERE kind LIKE 'test.%' ORDER BY id"
    ) == [
        ("test.ping", "done"),
        ("test.broken", "failed"),
    ]
    assert "test.ping" in TIMERS


async def test_the_loop_sleeps_until_a_new_timer_wakes_it(db):
    scheduler = Scheduler(db, translators(TZ), idle_recheck=3600)
    stop = asyncio.Event()
    task = asyncio.create_task(scheduler.run(stop))
    await asyncio.sleep(0.05)  # idle: nothing due, it sleeps for up to an hour
    now = datetime.now(UTC)
    async with db.transaction() as tx:
        await schedule.set_timer(tx, "test.ping", "w", now, {"to": "2"}, now=now)
    await eventually(lambda: scheduler.fired)
    stop.set()
    await asyncio.wait_for(task, 10)
    assert scheduler.fired == 1
