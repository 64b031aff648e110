"""Long-lived timers: one row per thing that must happen at a time (a handover that passes its
due time; later reminders). The scheduler (bot/scheduler.py) sleeps until the next due row and
runs its handler in the same transaction that marks the row done, so a timer's effects (e.g.
outbox rows) happen exactly once, even across a crash."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from store.db import Tx

_listeners: list[Callable[[], None]] = []


def on_change(listener: Callable[[], None]) -> Callable[[], None]:
    """Register a wake-up call for an idle scheduler in this process; returns its remover."""
    _listeners.append(listener)
    return lambda: _listeners.remove(listener)


def utc(value: datetime) -> str:
    """The one text form of a time in the timer and outbox tables: UTC, fixed width, so text order
    is time order."""
    return value.astimezone(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Timer:
    id: int
    kind: str
    key: str
    due_at: datetime
    payload: dict[str, Any]


def _timer(row) -> Timer:
    return Timer(
        id=row["id"],
        kind=row["kind"],
        key=row["key"],
        due_at=datetime.fromisoformat(row["due_at"]),
        payload=json.loads(row["payload"]),
    )


async def set_timer(
    tx: Tx, kind: str, key: str, due_at: datetime, payload: dict[str, Any], *, now: datetime
) -> None:
    """Create the timer `kind`/`key`, or move a pending one to a new time and payload."""
    await tx.execute(
        "INSERT INTO schedule (kind, key, due_at, payload, created_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (kind, key) DO UPDATE SET due_at = excluded.due_at, "
        "payload = excluded.payload, status = 'pending', done_at = NULL",
        (kind, key, utc(due_at), json.dumps(payload, ensure_ascii=False), utc(now)),
    )
    for listener in list(_listeners):
        listener()


async def cancel(tx: Tx, kind: str, key: str) -> None:
    await tx.execute(
        "UPDATE schedule SET status = 'cancelled' "
        "WHERE kind = ? AND key = ? AND status = 'pending'",
        (kind, key),
    )


async def due(tx: Tx, now: datetime, limit: int = 50) -> list[Timer]:
    async with tx.execute(
        "SELECT * FROM schedule WHERE status = 'pending' AND due_at <= ? ORDER BY due_at, id "
        "LIMIT ?",
        (utc(now), limit),
    ) as cur:
        return [_timer(row) for row in await cur.fetchall()]


async def mark_done(tx: Tx, timer_id: int, now: datetime) -> None:
    await tx.execute(
        "UPDATE schedule SET status = 'done', done_at = ? WHERE id = ? AND status = 'pending'",
        (utc(now), timer_id),
    )


async def mark_failed(tx: Tx, timer_id: int, now: datetime) -> None:
    await tx.execute(
        "UPDATE schedule SET status = 'failed', done_at = ? WHERE id = ? AND status = 'pending'",
        (utc(now), timer_id),
    )


async def next_due(tx: Tx) -> datetime | None:
    async with tx.execute("SELECT min(due_at) FROM schedule WHERE status = 'pending'") as cur:
        row = await cur.fetchone()
    return datetime.fromisoformat(row[0]) if row and row[0] else None


async def pending(tx: Tx, kind: str | None = None) -> list[Timer]:
    query, params = "SELECT * FROM schedule WHERE status = 'pending'", ()
    if kind:
        query, params = query + " AND kind = ?", (kind,)
    async with tx.execute(query + " ORDER BY due_at, id", params) as cur:
        return [_timer(row) for row in await cur.fetchall()]
