"""Resources: the local and national support a carer can be routed to (HSDS-inspired)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields
from datetime import datetime

from store.db import Tx

CATEGORIES = (
    "respite",
    "course",
    "peer_group",
    "emotional_support",
    "advice",
    "practical_help",
    "financial",
    "buddy",
    "appreciation",
    "information",
    "helpline",
)
FUNCTIONS = ("vinden", "versterken", "verlichten", "verbinden")
AUDIENCES = (
    "dementia",
    "young_carers",
    "working_carers",
    "mental_health",
    "disability",
    "palliative",
)
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Resource:
    id: str
    name: str
    category: str
    functions: tuple[str, ...] = ()
    audience: tuple[str, ...] = ()
    description_nl: str = ""
    description_en: str = ""
    first_step_nl: str = ""
    first_step_en: str = ""
    phone: str = ""
    email: str = ""
    url: str = ""
    address: str = ""
    cost: str = ""
    languages: tuple[str, ...] = ()
    opening_hours: str = ""
    starts_at: str | None = None
    ends_at: str | None = None
    last_verified: str | None = None
    source: str = ""
    active: bool = True
    areas: tuple[str, ...] = ()  # area codes; from a search: the matched ones

    def text(self, field_name: str, lang: str) -> str:
        """A per-language field (`description`, `first_step`), falling back to Dutch."""
        return getattr(self, f"{field_name}_{lang}", "") or getattr(self, f"{field_name}_nl")

    def is_over(self, now: datetime) -> bool:
        """A dated event whose end (or start, when it has no end) has passed."""
        last = self.ends_at or self.starts_at
        return bool(last) and datetime.fromisoformat(last) < now


_LIST_FIELDS = ("functions", "audience", "languages")
_COLUMNS = [f.name for f in fields(Resource) if f.name != "areas"]
_SELECT = ", ".join(f"r.{c}" for c in _COLUMNS)
_LIST_POSITIONS = [_COLUMNS.index(name) for name in _LIST_FIELDS]
_ACTIVE = _COLUMNS.index("active")


def _from_row(row, areas: tuple[str, ...]) -> Resource:
    """Positional, because a search builds many of these (see bench/store.py)."""
    values = list(row)[: len(_COLUMNS)]
    for i in _LIST_POSITIONS:
        values[i] = tuple(v for v in values[i].split(";") if v) if values[i] else ()
    values[_ACTIVE] = bool(values[_ACTIVE])
    return Resource(*values, areas=areas)


async def upsert(tx: Tx, resource: Resource) -> None:
    values = asdict(resource)
    values.pop("areas")
    for name in _LIST_FIELDS:
        values[name] = ";".join(values[name])
    values["active"] = int(values["active"])
    placeholders = ", ".join("?" for _ in _COLUMNS)
    updates = ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS if c != "id")
    await tx.execute(
        f"INSERT INTO resources ({', '.join(_COLUMNS)}) VALUES ({placeholders}) "
        f"ON CONFLICT (id) DO UPDATE SET {updates}, "
        "updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
        [values[c] for c in _COLUMNS],
    )
    await tx.execute("DELETE FROM resource_areas WHERE resource_id = ?", (resource.id,))
    await tx.executemany(
        "INSERT INTO resource_areas (resource_id, area_code, category) VALUES (?, ?, ?)",
        [(resource.id, code, resource.category) for code in resource.areas],
    )


async def _areas_by_resource(tx: Tx, ids: list[str] | None = None) -> dict[str, tuple[str, ...]]:
    query = "SELECT resource_id, area_code FROM resource_areas"
    params: list[str] = []
    if ids is not None:
        query += f" WHERE resource_id IN ({', '.join('?' for _ in ids)})"
        params = ids
    by_resource: dict[str, list[str]] = {}
    async with tx.execute(query + " ORDER BY area_code", params) as cur:
        for row in await cur.fetchall():
            by_resource.setdefault(row[0], []).append(row[1])
    return {k: tuple(v) for k, v in by_resource.items()}


async def get(tx: Tx, resource_id: str) -> Resource | None:
    async with tx.execute(f"SELECT {_SELECT} FROM resources r WHERE id = ?", (resource_id,)) as cur:
        row = await cur.fetchone()
    if row is None:
        return None
    areas = await _areas_by_resource(tx, [resource_id])
    return _from_row(row, areas.get(resource_id, ()))


async def list_all(tx: Tx, category: str | None = None) -> list[Resource]:
    """Every resource (active or not), by id."""
    query, params = f"SELECT {_SELECT} FROM resources r", []
    if category:
        query, params = query + " WHERE category = ?", [category]
    async with tx.execute(query + " ORDER BY id", params) as cur:
        rows = await cur.fetchall()
    areas = await _areas_by_resource(tx)
    return [_from_row(row, areas.get(row[0], ())) for row in rows]


async def for_areas(
    tx: Tx, category: str, area_codes: list[str], now: datetime | None = None
) -> list[Resource]:
    """Active resources of a category for any of `area_codes`, in the order of those codes
    (most specific first), then by name. Events that are over are left out."""
    if not area_codes:
        return []
    rank = " ".join(f"WHEN ? THEN {i}" for i in range(len(area_codes)))
    marks = ", ".join("?" for _ in area_codes)
    async with tx.execute(
        f"SELECT {_SELECT}, MIN(CASE ra.area_code {rank} END) AS area_rank, "
        "group_concat(ra.area_code, ';') AS matched "
        "FROM resource_areas ra JOIN resources r ON r.id = ra.resource_id "
        f"WHERE ra.area_code IN ({marks}) AND ra.category = ? AND r.active = 1 "
        "GROUP BY r.id ORDER BY area_rank, r.name",
        [*area_codes, *area_codes, category],
    ) as cur:
        rows = await cur.fetchall()
    found = [_from_row(row, tuple(row[-1].split(";"))) for row in rows]
    return [r for r in found if now is None or not r.is_over(now)]


async def count(tx: Tx) -> int:
    async with tx.execute("SELECT count(*) FROM resources") as cur:
        return (await cur.fetchone())[0]
