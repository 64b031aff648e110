"""The audit log: who changed which resource or area, and how."""

from __future__ import annotations

import itertools
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


class Stage:
    """Audit rows for a large import, written ahead into a private TEMP table (no write lock
    needed) and copied into the log by `apply` in one statement (see resources.Stage)."""

    _numbers = itertools.count(1)

    def __init__(self) -> None:
        self.name = f"audit_stage_{next(self._numbers)}"

    async def create(self, tx: Tx) -> None:
        await tx.execute(
            f"CREATE TEMP TABLE {self.name} (action TEXT, entity TEXT, entity_id TEXT, detail TEXT)"
        )

    async def add(self, tx: Tx, entity: str, entries: list[tuple[str, str, str]]) -> None:
        """(action, entity id, detail as JSON text) each."""
        await tx.executemany(
            f"INSERT INTO temp.{self.name} VALUES (?, ?, ?, ?)",
            ((action, entity, entity_id, detail) for action, entity_id, detail in entries),
        )

    async def apply(self, tx: Tx, actor: str) -> None:
        await tx.execute(
            "INSERT INTO audit_log (actor, action, entity, entity_id, detail) "
            f"SELECT ?, action, entity, entity_id, detail FROM temp.{self.name}",
            (actor,),
        )

    async def drop(self, tx: Tx) -> None:
        await tx.execute(f"DROP TABLE IF EXISTS temp.{self.name}")
