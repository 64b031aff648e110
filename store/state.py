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


async def load(tx: Tx, user_id: int) -> State | None:
    async with tx.execute(
        "SELECT step, data, offered, history FROM conversation_state WHERE user_id = ?",
        (user_id,),
    ) as cur:
        row = await cur.fetchone()
    if row is None:
        return None
    history = [(step, data) for step, data in json.loads(row["history"])]
    return State(row["step"], json.loads(row["data"]), json.loads(row["offered"]), history)


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
