"""The audit log: who changed which resource, area or coordinator, when, and how (old → new).

Append-only: this module only inserts and reads, and the schema refuses UPDATE and DELETE on the
table (migration 0008). A test scans the code for statements that would change it.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable
from dataclasses import dataclass, fields, is_dataclass
from datetime import date
from typing import Any

from store.db import Tx


@dataclass(frozen=True)
class Entry:
    at: str  # UTC, ISO 8601
    actor: str
    action: str
    entity: str
    entity_id: str
    detail: dict[str, Any]
    areas: tuple[str, ...]


def _json_value(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def changes(old: Any, new: Any) -> dict[str, list[Any]]:
    """`{field: [old, new]}` for every field of two dataclass records that differs. `old` or
    `new` may be None (a record created or removed): its side is then null."""
    record = new if new is not None else old
    if not is_dataclass(record):
        raise TypeError("changes() compares dataclass records")
    diff = {}
    for f in fields(record):
        before = getattr(old, f.name) if old is not None else None
        after = getattr(new, f.name) if new is not None else None
        if before != after:
            diff[f.name] = [_json_value(before), _json_value(after)]
    return diff


def as_changes(detail: dict[str, Any]) -> dict[str, list[Any]] | None:
    """Any entry's detail as `{field: [old, new]}`: resource entries are kept that way, other
    entries (a coordinator) as `{"old": {...}, "new": {...}}`. None when it is neither."""
    if detail and all(isinstance(v, list) and len(v) == 2 for v in detail.values()):
        return detail
    if set(detail) == {"old", "new"}:
        old, new = detail["old"] or {}, detail["new"] or {}
        if isinstance(old, dict) and isinstance(new, dict):
            return {
                name: [old.get(name), new.get(name)]
                for name in sorted(set(old) | set(new))
                if old.get(name) != new.get(name)
            }
    return None


def _areas_cell(codes: Iterable[str]) -> str:
    """`;a;b;` so that `LIKE '%;a;%'` finds exactly area a."""
    unique = sorted(set(codes))
    return f";{';'.join(unique)};" if unique else ""


async def record(
    tx: Tx,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    detail: dict[str, Any],
    areas: Iterable[str] = (),
) -> None:
    """Add one entry. `areas`: the areas the change concerned, before and after."""
    await tx.execute(
        "INSERT INTO audit_log (actor, action, entity, entity_id, detail, areas) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (
            actor,
            action,
            entity,
            entity_id,
            json.dumps(detail, ensure_ascii=False, sort_keys=True),
            _areas_cell(areas),
        ),
    )


async def entries(
    tx: Tx,
    entity: str | None = None,
    *,
    limit: int | None = 100,
    since: date | None = None,
    areas: Iterable[str] | None = None,
    oldest_first: bool = False,
) -> list[Entry]:
    """Entries, newest first (or oldest first), optionally since a day (UTC) and only those that
    concern one of `areas`."""
    query = "SELECT at, actor, action, entity, entity_id, detail, areas FROM audit_log"
    where: list[str] = []
    params: list[Any] = []
    if entity:
        where.append("entity = ?")
        params.append(entity)
    if since is not None:
        where.append("at >= ?")
        params.append(since.isoformat())
    if areas is not None:
        codes = sorted(set(areas))
        if not codes:
            return []
        where.append("(" + " OR ".join("areas LIKE ?" for _ in codes) + ")")
        params += [f"%;{code};%" for code in codes]
    if where:
        query += " WHERE " + " AND ".join(where)
    query += " ORDER BY id" + ("" if oldest_first else " DESC")
    if limit is not None:
        query += " LIMIT ?"
        params.append(limit)
    async with tx.execute(query, params) as cur:
        rows = await cur.fetchall()
    return [
        Entry(
            at=row["at"],
            actor=row["actor"],
            action=row["action"],
            entity=row["entity"],
            entity_id=row["entity_id"],
            detail=json.loads(row["detail"]),
            areas=tuple(code for code in row["areas"].split(";") if code),
        )
        for row in rows
    ]


async def record_many(
    tx: Tx, actor: str, entity: str, entries: list[tuple[str, str, str, Iterable[str]]]
) -> None:
    """Many audit rows in one statement: (action, entity id, detail as JSON text, areas) each."""
    await tx.executemany(
        "INSERT INTO audit_log (actor, action, entity, entity_id, detail, areas) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (
            (actor, action, entity, entity_id, detail, _areas_cell(codes))
            for action, entity_id, detail, codes in entries
        ),
    )


class Stage:
    """Audit rows for a large import, written ahead into a private TEMP table (no write lock
    needed) and copied into the log by `apply` in one statement (see resources.Stage)."""

    _numbers = itertools.count(1)

    def __init__(self) -> None:
        self.name = f"audit_stage_{next(self._numbers)}"

    async def create(self, tx: Tx) -> None:
        await tx.execute(
            f"CREATE TEMP TABLE {self.name} "
            "(action TEXT, entity TEXT, entity_id TEXT, detail TEXT, areas TEXT)"
        )

    async def add(
        self, tx: Tx, entity: str, entries: list[tuple[str, str, str, Iterable[str]]]
    ) -> None:
        """(action, entity id, detail as JSON text, areas) each, as `record_many` takes them."""
        await tx.executemany(
            f"INSERT INTO temp.{self.name} VALUES (?, ?, ?, ?, ?)",
            (
                (action, entity, entity_id, detail, _areas_cell(codes))
                for action, entity_id, detail, codes in entries
            ),
        )

    async def apply(self, tx: Tx, actor: str) -> None:
        await tx.execute(
            "INSERT INTO audit_log (actor, action, entity, entity_id, detail, areas) "
            f"SELECT ?, action, entity, entity_id, detail, areas FROM temp.{self.name}",
            (actor,),
        )

    async def drop(self, tx: Tx) -> None:
        await tx.execute(f"DROP TABLE IF EXISTS temp.{self.name}")
