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


async def load(tx: Tx, user_id: int) -> State | None:
    async with tx.execute(
        "SELECT step, data, offered FROM conversation_state WHERE user_id = ?", (user_id,)
    ) as cur:
        row = await cur.fetchone()
    if row is None:
        return None
    return State(row["step"], json.loads(row["data"]), json.loads(row["offered"]))


async def save(tx: Tx, user_id: int, state: State, now: datetime) -> None:
    await tx.execute(
        "INSERT INTO conversation_state (user_id, step, data, offered, updated_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET step = excluded.step, "
        "data = excluded.data, offered = excluded.offered, updated_at = excluded.updated_at",
        (
            user_id,
            state.step,
            json.dumps(state.data, ensure_ascii=False),
            json.dumps(state.offered),
            now.isoformat(timespec="seconds"),
        ),
    )
