"""Handovers: a carer's question for a human mantelzorgconsulent, for the coordinators of the
carer's area; claimed by one coordinator, then a conversation relayed by the bot until closed."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from store.db import Tx

TOPICS = ("respite", "money", "work", "emotional", "practical", "other")
MAX_QUESTION = 2000  # as the table's CHECK
MAX_MESSAGE = 2000


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
    claimed_by: int | None = None
    claimed_at: str | None = None
    answered_at: str | None = None
    closed_at: str | None = None
    closed_by: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status != "closed"


@dataclass(frozen=True)
class Message:
    id: int
    author: str  # "carer" or "coordinator"
    coordinator_id: int | None
    body: str
    created_at: str


@dataclass(frozen=True)
class Note:
    id: int
    coordinator_id: int | None
    body: str
    created_at: str


_COLUMNS = tuple(f.name for f in fields(Handover))


def _handover(row) -> Handover:
    return Handover(**{name: row[name] for name in _COLUMNS})


def _stamp(value: datetime) -> str:
    return value.isoformat(timespec="seconds")


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
        (user_id, area_code, topic, question, language, _stamp(now), _stamp(due)),
    ) as cur:
        row = await cur.fetchone()
    return int(row[0])


async def get(tx: Tx, handover_id: int) -> Handover | None:
    async with tx.execute("SELECT * FROM handovers WHERE id = ?", (handover_id,)) as cur:
        row = await cur.fetchone()
    return _handover(row) if row else None


async def was_erased(tx: Tx, handover_id: int) -> bool:
    async with tx.execute(
        "SELECT 1 FROM handover_erasures WHERE handover_id = ?", (handover_id,)
    ) as cur:
        return await cur.fetchone() is not None


async def for_user(tx: Tx, user_id: int) -> list[Handover]:
    async with tx.execute(
        "SELECT * FROM handovers WHERE user_id = ? ORDER BY created_at, id", (user_id,)
    ) as cur:
        return [_handover(row) for row in await cur.fetchall()]


async def open_for_areas(tx: Tx, area_codes: set[str] | list[str] | None) -> list[Handover]:
    """Handovers not closed in these areas (None: every area, and those without one), oldest
    first: the coordinators' queue."""
    if area_codes is None:
        query, params = "SELECT * FROM handovers WHERE status <> 'closed'", []
    else:
        codes = sorted(area_codes)
        marks = ", ".join("?" for _ in codes)
        query = f"SELECT * FROM handovers WHERE status <> 'closed' AND area_code IN ({marks})"
        params = codes
    async with tx.execute(query + " ORDER BY created_at, id", params) as cur:
        return [_handover(row) for row in await cur.fetchall()]


async def claim(tx: Tx, handover_id: int, coordinator_id: int, now: datetime) -> bool:
    """Take an open handover; False when someone else was first (or it is closed)."""
    async with tx.execute(
        "UPDATE handovers SET status = 'claimed', claimed_by = ?, claimed_at = ? "
        "WHERE id = ? AND status = 'open' RETURNING id",
        (coordinator_id, _stamp(now), handover_id),
    ) as cur:
        return bool(cur.rows)


async def add_message(
    tx: Tx,
    handover: Handover,
    author: str,
    body: str,
    now: datetime,
    coordinator_id: int | None = None,
) -> int:
    async with tx.execute(
        "INSERT INTO handover_messages (handover_id, user_id, author, coordinator_id, body, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        (handover.id, handover.user_id, author, coordinator_id, body[:MAX_MESSAGE], _stamp(now)),
    ) as cur:
        row = await cur.fetchone()
    if author == "coordinator":
        await tx.execute(
            "UPDATE handovers SET answered_at = coalesce(answered_at, ?) WHERE id = ?",
            (_stamp(now), handover.id),
        )
    return int(row[0])


async def messages(tx: Tx, handover_id: int) -> list[Message]:
    async with tx.execute(
        "SELECT id, author, coordinator_id, body, created_at FROM handover_messages "
        "WHERE handover_id = ? ORDER BY id",
        (handover_id,),
    ) as cur:
        return [Message(**dict(row)) for row in await cur.fetchall()]


async def add_note(tx: Tx, handover_id: int, coordinator_id: int, body: str, now: datetime) -> None:
    await tx.execute(
        "INSERT INTO handover_notes (handover_id, coordinator_id, body, created_at) "
        "VALUES (?, ?, ?, ?)",
        (handover_id, coordinator_id, body[:MAX_MESSAGE], _stamp(now)),
    )


async def notes(tx: Tx, handover_id: int) -> list[Note]:
    async with tx.execute(
        "SELECT id, coordinator_id, body, created_at FROM handover_notes "
        "WHERE handover_id = ? ORDER BY id",
        (handover_id,),
    ) as cur:
        return [Note(**dict(row)) for row in await cur.fetchall()]


async def close(tx: Tx, handover_id: int, by: str, now: datetime) -> bool:
    """Close it (by "carer" or "coordinator"); False when it was closed already."""
    async with tx.execute(
        "UPDATE handovers SET status = 'closed', closed_at = ?, closed_by = ? "
        "WHERE id = ? AND status <> 'closed' RETURNING id",
        (_stamp(now), by, handover_id),
    ) as cur:
        return bool(cur.rows)
