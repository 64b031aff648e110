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
    delivered: bool = True  # the replies of the last turn reached the user (as far as we know)
    last_update: int | None = None  # the channel's number of the update the last turn answered


async def load(tx: Tx, user_id: int, expired_before: datetime | None = None) -> State | None:
    """The user's state; None when there is none, or when it was last saved before
    `expired_before` (an expired state counts as none, even before it is swept)."""
    async with tx.execute(
        "SELECT step, data, offered, history, delivered, last_update, updated_at "
        "FROM conversation_state WHERE user_id = ?",
        (user_id,),
    ) as cur:
        row = await cur.fetchone()
    if row is None:
        return None
    if expired_before and datetime.fromisoformat(row["updated_at"]) < expired_before:
        return None
    history = [(step, data) for step, data in json.loads(row["history"])]
    return State(
        row["step"],
        json.loads(row["data"]),
        json.loads(row["offered"]),
        history,
        bool(row["delivered"]),
        row["last_update"],
    )


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
        "INSERT INTO conversation_state (user_id, step, data, offered, history, updated_at, "
        "delivered, last_update) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE "
        "SET step = excluded.step, data = excluded.data, offered = excluded.offered, "
        "history = excluded.history, updated_at = excluded.updated_at, "
        "delivered = excluded.delivered, last_update = excluded.last_update",
        (
            user_id,
            state.step,
            json.dumps(state.data, ensure_ascii=False),
            json.dumps(state.offered),
            json.dumps(state.history, ensure_ascii=False),
            now.isoformat(timespec="seconds"),
            state.delivered,
            state.last_update,
        ),
    )


async def set_offered(tx: Tx, user_id: int, offered: list[str], step: str, now: datetime) -> None:
    """Replace the choices last offered, leaving where the user is as it was (a user without a
    state gets one at `step`)."""
    await tx.execute(
        "INSERT INTO conversation_state (user_id, step, offered, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (user_id) DO UPDATE SET offered = excluded.offered",
        (user_id, step, json.dumps(offered), now.isoformat(timespec="seconds")),
    )


async def mark_delivered(tx: Tx, channel: str, external_ids: list[str]) -> None:
    """The replies of these users' last turns reached them."""
    marks = ",".join("?" * len(external_ids))
    await tx.execute(
        "UPDATE conversation_state SET delivered = 1 WHERE delivered = 0 AND user_id IN "
        f"(SELECT id FROM users WHERE channel = ? AND external_id IN ({marks}))",
        (channel, *external_ids),
    )
