"""Reminders a carer asked for, and their notification settings (quiet hours, broadcasts).

Each reminder has one pending timer in the schedule table (kind `reminder`, key = its id); the
caller sets it in the same transaction (see flows/reminders.py). Deleting a reminder removes
its timer (a trigger), so erasure takes both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from store.db import Tx
from store.schedule import utc

TIMER = "reminder"
DEFAULT_QUIET = ("21:00", "08:00")


@dataclass(frozen=True)
class Reminder:
    id: int
    user_id: int
    kind: str  # "own" or "checkin"
    text: str
    local_time: str  # "HH:MM" in MANTELBOT_TIMEZONE
    every_days: int | None  # None: once
    next_at: datetime


@dataclass(frozen=True)
class Settings:
    quiet_start: str = DEFAULT_QUIET[0]
    quiet_end: str = DEFAULT_QUIET[1]
    broadcasts: bool = True


def _reminder(row) -> Reminder:
    return Reminder(
        id=row["id"],
        user_id=row["user_id"],
        kind=row["kind"],
        text=row["text"],
        local_time=row["local_time"],
        every_days=row["every_days"],
        next_at=datetime.fromisoformat(row["next_at"]),
    )


async def add(
    tx: Tx,
    user_id: int,
    kind: str,
    text: str,
    local_time: str,
    every_days: int | None,
    next_at: datetime,
    *,
    now: datetime,
) -> int:
    async with tx.execute(
        "INSERT INTO reminders (user_id, kind, text, local_time, every_days, next_at, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (user_id, kind, text, local_time, every_days, utc(next_at), utc(now)),
    ) as cur:
        return cur.rows[0][0]


async def get(tx: Tx, reminder_id: int) -> Reminder | None:
    async with tx.execute("SELECT * FROM reminders WHERE id = ?", (reminder_id,)) as cur:
        row = await cur.fetchone()
    return _reminder(row) if row else None


async def of_user(tx: Tx, user_id: int) -> list[Reminder]:
    async with tx.execute(
        "SELECT * FROM reminders WHERE user_id = ? ORDER BY next_at, id", (user_id,)
    ) as cur:
        return [_reminder(row) for row in await cur.fetchall()]


async def move(tx: Tx, reminder_id: int, next_at: datetime) -> None:
    await tx.execute("UPDATE reminders SET next_at = ? WHERE id = ?", (utc(next_at), reminder_id))


async def remove(tx: Tx, user_id: int, reminder_id: int) -> bool:
    """Delete one of the user's reminders (and, by trigger, its timer)."""
    async with tx.execute(
        "DELETE FROM reminders WHERE id = ? AND user_id = ? RETURNING id", (reminder_id, user_id)
    ) as cur:
        return bool(cur.rows)


async def settings(tx: Tx, user_id: int) -> Settings:
    async with tx.execute(
        "SELECT * FROM notification_settings WHERE user_id = ?", (user_id,)
    ) as cur:
        row = await cur.fetchone()
    if row is None:
        return Settings()
    return Settings(row["quiet_start"], row["quiet_end"], bool(row["broadcasts"]))


async def save_settings(tx: Tx, user_id: int, value: Settings) -> None:
    await tx.execute(
        "INSERT INTO notification_settings (user_id, quiet_start, quiet_end, broadcasts) "
        "VALUES (?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET "
        "quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end, "
        "broadcasts = excluded.broadcasts",
        (user_id, value.quiet_start, value.quiet_end, int(value.broadcasts)),
    )


@dataclass(frozen=True)
class Recipient:
    channel: str
    external_id: str
    language: str | None
    active: bool


async def recipient(tx: Tx, user_id: int) -> Recipient | None:
    async with tx.execute(
        "SELECT channel, external_id, language, active FROM users WHERE id = ?", (user_id,)
    ) as cur:
        row = await cur.fetchone()
    if row is None:
        return None
    return Recipient(row["channel"], row["external_id"], row["language"], bool(row["active"]))
