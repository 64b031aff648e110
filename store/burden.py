"""Burden check results: a user's EDIZ total score (0-9) with the time the check was taken."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from store.db import Tx

MAX_SCORE = 9


@dataclass(frozen=True)
class BurdenResult:
    score: int
    taken_at: datetime


async def save(tx: Tx, user_id: int, score: int, taken_at: datetime) -> None:
    """Keep a result. The same check answered again (after "back") replaces its score."""
    if not 0 <= score <= MAX_SCORE:
        raise ValueError(f"score must be 0-{MAX_SCORE}: {score}")
    await tx.execute(
        "INSERT INTO burden_results (user_id, score, taken_at) VALUES (?, ?, ?) "
        "ON CONFLICT (user_id, taken_at) DO UPDATE SET score = excluded.score",
        (user_id, score, taken_at.isoformat(timespec="seconds")),
    )


async def latest_before(tx: Tx, user_id: int, before: datetime) -> BurdenResult | None:
    """The most recent result of a check taken before `before`."""
    async with tx.execute(
        "SELECT score, taken_at FROM burden_results WHERE user_id = ? AND taken_at < ? "
        "ORDER BY taken_at DESC LIMIT 1",
        (user_id, before.isoformat(timespec="seconds")),
    ) as cur:
        row = await cur.fetchone()
    return BurdenResult(row[0], datetime.fromisoformat(row[1])) if row else None


async def history(tx: Tx, user_id: int) -> list[BurdenResult]:
    """Every result of the user, oldest first (for showing a user their own data)."""
    async with tx.execute(
        "SELECT score, taken_at FROM burden_results WHERE user_id = ? ORDER BY taken_at",
        (user_id,),
    ) as cur:
        rows = await cur.fetchall()
    return [BurdenResult(row[0], datetime.fromisoformat(row[1])) for row in rows]
