"""Handovers: a carer's question for a human mantelzorgconsulent, for the coordinators of the
carer's area."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from store.db import Tx

TOPICS = ("respite", "money", "work", "emotional", "practical", "other")
MAX_QUESTION = 2000  # as the table's CHECK


@dataclass(frozen=True)
class Handover:
    id: int
    user_id: int
    area_code: str | None
    topic: str
    question: str
    language: str
    status: str
    created_at: str
    due_at: str


async def create(
    tx: Tx,
    user_id: int,
    *,
    area_code: str | None,
    topic: str,
    question: str,
    language: str,
    now: datetime,
    due: datetime,
) -> int:
    if topic not in TOPICS:
        raise ValueError(f"unknown topic: {topic!r}")
    async with tx.execute(
        "INSERT INTO handovers (user_id, area_code, topic, question, language, created_at, due_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (
            user_id,
            area_code,
            topic,
            question,
            language,
            now.isoformat(timespec="seconds"),
            due.isoformat(timespec="seconds"),
        ),
    ) as cur:
        row = await cur.fetchone()
    return int(row[0])


async def for_user(tx: Tx, user_id: int) -> list[Handover]:
    async with tx.execute(
        "SELECT * FROM handovers WHERE user_id = ? ORDER BY created_at, id", (user_id,)
    ) as cur:
        return [Handover(**dict(row)) for row in await cur.fetchall()]


async def open_for_areas(tx: Tx, area_codes: list[str]) -> list[Handover]:
    """Open requests for these areas, oldest first (for the coordinators' side)."""
    marks = ", ".join("?" for _ in area_codes)
    async with tx.execute(
        f"SELECT * FROM handovers WHERE status = 'open' AND area_code IN ({marks}) "
        "ORDER BY created_at, id",
        area_codes,
    ) as cur:
        return [Handover(**dict(row)) for row in await cur.fetchall()]
