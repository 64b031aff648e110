"""Conversation state: which step a user is at, the step's data and the choices last offered."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from store.db import Tx


@dataclass
class State:
    step: str
    data: dict[str, Any] = field(default_factory=dict)
    offered: list[str] = field(default_factory=list)
    history: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # for "back"


async def load(tx: Tx, user_id: int, expired_before: datetime | None = None) -> State | None:
    """The user's state; None when there is none, or when it was last saved before
    `expired_before` (an expired state counts as none, even before it is swept)."""
    async with tx.execute(
        "SELECT step, data, offered, history, updated_at FROM conversation_state WHERE user_id = ?",
        (user_id,),
    ) as cur:
        row = await cur.fetchone()
    if row is None:
        return None
    if expired_before and datetime.fromisoformat(row["updated_at"]) < expired_before:
        return None
    history = [(step, data) for step, data in json.loads(row["history"])]
    return State(row["step"], json.loads(row["data"]), json.loads(row["offered"]), history)


# strftime('%s') reads the offset of the stored time, so zones and summer time compare right.
_LAST_SAVED = "CAST(strftime('%s', updated_at) AS INTEGER)"


async def expired(tx: Tx, before: datetime) -> int:
    """How many conversation states were last saved before `before`."""
    async with tx.execute(
        f"SELECT count(*) FROM conversation_state WHERE {_LAST_SAVED} < ?",
        (int(before.timestamp()),),
    ) as cur:
        return (await cur.fetchone())[0]


async def expire(tx: Tx, before: datetime) -> int:
    """Delete every conversation state (and the drafts in it) last saved before `before`."""
    async with tx.execute(
        f"DELETE FROM conversation_state WHERE {_LAST_SAVED} < ? RETURNING 1",
        (int(before.timestamp()),),
    ) as cur:
        return len(await cur.fetchall())


async def save(tx: Tx, user_id: int, state: State, now: datetime) -> None:
    await tx.execute(
        "INSERT INTO conversation_state (user_id, step, data, offered, history, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET step = excluded.step, "
        "data = excluded.data, offered = excluded.offered, history = excluded.history, "
        "updated_at = excluded.updated_at",
        (
            user_id,
            state.step,
            json.dumps(state.data, ensure_ascii=False),
            json.dumps(state.offered),
            json.dumps(state.history, ensure_ascii=False),
            now.isoformat(timespec="seconds"),
        ),
    )
