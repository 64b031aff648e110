"""Resources as coordinators manage them: found by area scope, and changed with an audit entry.

Every change a coordinator makes goes through `save`, which writes the resource and its audit
entry (who, which fields, old → new, the areas concerned) in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from typing import Any

from store import audit, resources
from store.db import Tx
from store.resources import Resource


def manageable(resource: Resource, scope: Iterable[str]) -> bool:
    """A coordinator may change a resource only when every area it serves is in their scope:
    otherwise a change would reach carers elsewhere."""
    return bool(resource.areas) and set(resource.areas) <= set(scope)


async def in_scope(
    tx: Tx,
    scope: Iterable[str],
    *,
    name: str | None = None,
    category: str | None = None,
    stale_before: date | None = None,
) -> list[Resource]:
    """Resources (active or archived) that serve an area of `scope`, by name. `name` matches
    anywhere in the name, case-insensitively; `stale_before`: only active ones last verified
    before that day, or never."""
    codes = sorted(set(scope))
    if not codes:
        return []
    marks = ", ".join("?" for _ in codes)
    where = [f"id IN (SELECT resource_id FROM resource_areas WHERE area_code IN ({marks}))"]
    params: list[Any] = list(codes)
    if name:
        where.append("lower(name) LIKE ? ESCAPE '\\'")
        escaped = name.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params.append(f"%{escaped}%")
    if category:
        where.append("category = ?")
        params.append(category)
    if stale_before is not None:
        where.append("active = 1 AND (last_verified IS NULL OR last_verified < ?)")
        params.append(stale_before.isoformat())
    async with tx.execute(
        f"SELECT id FROM resources WHERE {' AND '.join(where)} ORDER BY lower(name), id", params
    ) as cur:
        ids = [row[0] for row in await cur.fetchall()]
    found = [await resources.get(tx, rid) for rid in ids]
    return [r for r in found if r is not None]


async def save(tx: Tx, actor: str, old: Resource | None, new: Resource) -> bool:
    """Write `new` (replacing `old`, None for a new resource) and its audit entry. False when
    nothing changed (then nothing is written)."""
    if old == new:
        return False
    await resources.upsert(tx, new)
    action = "create" if old is None else "update"
    if old is not None and old.active != new.active:
        action = "restore" if new.active else "archive"
    await audit.record(
        tx,
        actor,
        action,
        "resource",
        new.id,
        audit.changes(old, new),
        areas=(*new.areas, *(old.areas if old else ())),
    )
    return True


async def verify(tx: Tx, actor: str, resource: Resource, today: date) -> Resource:
    """ "Still correct": the details were checked today."""
    checked = replace(resource, last_verified=today.isoformat())
    await save(tx, actor, resource, checked)
    return checked


async def free_id(tx: Tx, base: str) -> str:
    """`base`, or `base-2`, `base-3`, … : an id no resource has yet."""
    candidate, n = base, 1
    while await resources.get(tx, candidate) is not None:
        n += 1
        candidate = f"{base}-{n}"
    return candidate
