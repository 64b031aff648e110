"""The audit log: who changed which resource or area, and how."""

from __future__ import annotations

import json
from typing import Any

from store.db import Tx


async def record(
    tx: Tx, actor: str, action: str, entity: str, entity_id: str, detail: dict[str, Any]
) -> None:
    await tx.execute(
        "INSERT INTO audit_log (actor, action, entity, entity_id, detail) VALUES (?, ?, ?, ?, ?)",
        (actor, action, entity, entity_id, json.dumps(detail, ensure_ascii=False, sort_keys=True)),
    )


async def entries(tx: Tx, entity: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    query = "SELECT at, actor, action, entity, entity_id, detail FROM audit_log"
    params: tuple[Any, ...] = ()
    if entity:
        query += " WHERE entity = ?"
        params = (entity,)
    query += " ORDER BY id DESC LIMIT ?"
    async with tx.execute(query, (*params, limit)) as cur:
        rows = await cur.fetchall()
    return [dict(row) | {"detail": json.loads(row["detail"])} for row in rows]


async def record_many(tx: Tx, actor: str, entity: str, entries: list[tuple[str, str, str]]) -> None:
    """Many audit rows in one statement: (action, entity id, detail as JSON text) each."""
    await tx.executemany(
        "INSERT INTO audit_log (actor, action, entity, entity_id, detail) VALUES (?, ?, ?, ?, ?)",
        ((actor, action, entity, entity_id, detail) for action, entity_id, detail in entries),
    )
