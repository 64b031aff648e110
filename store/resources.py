"""Resources: the local and national support a carer can be routed to (HSDS-inspired)."""

from __future__ import annotations

import itertools
import json
import re
import sqlite3
from collections.abc import Sequence
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
    cost_en: str = ""
    languages: tuple[str, ...] = ()
    opening_hours: str = ""
    opening_hours_en: str = ""
    starts_at: str | None = None
    ends_at: str | None = None
    last_verified: str | None = None
    source: str = ""
    active: bool = True
    areas: tuple[str, ...] = ()  # area codes; from a search: the matched ones

    def text(self, field_name: str, lang: str) -> str:
        """A per-language field (`description`, `first_step`, `cost`, `opening_hours`), falling
        back to Dutch."""
        return self.text_in(field_name, lang)[0]

    def text_in(self, field_name: str, lang: str) -> tuple[str, bool]:
        """The field in `lang`, and whether it fell back to the Dutch text (so a card can label
        it "in Dutch"). `cost` and `opening_hours` keep their Dutch text in the plain column."""
        dutch = getattr(self, _DUTCH_COLUMN.get(field_name, f"{field_name}_nl"))
        if lang == "nl":
            return dutch, False
        own = getattr(self, f"{field_name}_{lang}", "")
        if own:
            return own, False
        return dutch, bool(dutch)

    @property
    def has_contact(self) -> bool:
        """Any way to reach it: phone, e-mail, website or address."""
        return bool(self.phone or self.email or self.url or self.address)

    def is_over(self, now: datetime) -> bool:
        """A dated event whose end (or start, when it has no end) has passed."""
        return is_over(self.starts_at, self.ends_at, now)


def is_over(starts_at: str | None, ends_at: str | None, now: datetime) -> bool:
    last = ends_at or starts_at
    return bool(last) and datetime.fromisoformat(last) < now


# A resource as a search ranks it: (id, name, category, audience). The full row is read only
# for the cards shown (`by_ids`): building thousands of full rows was most of a search's time.
# A plain tuple: a search handles hundreds, and Python's cycle collector leaves the 100,000 of
# them in the in-memory index (store/search_index.py) alone, which it does not for named tuples.
Match = tuple[str, str, str, tuple[str, ...]]


def by_name(found: list[Match]) -> None:
    """The order of matches at one place: by name as a carer reads it (case-insensitive), and
    by id where names are equal, so the order never depends on how SQLite found them."""
    found.sort(key=lambda match: (match[1].casefold(), match[0]))


_DUTCH_COLUMN = {"cost": "cost", "opening_hours": "opening_hours"}
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


def to_row(resource: Resource) -> tuple:
    """The stored form: lists as `a;b`, `active` as 1/0 (the inverse of `_from_row`)."""
    values = asdict(resource)
    for name in _LIST_FIELDS:
        values[name] = ";".join(values[name])
    values["active"] = int(values["active"])
    return tuple(values[c] for c in _COLUMNS)


async def upsert(tx: Tx, resource: Resource) -> None:
    await write_rows(tx, [to_row(resource)], [frozenset(resource.areas)])


COLUMNS = tuple(_COLUMNS)  # the stored columns, in the order of `stored_rows` tuples
_UPDATES = ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS[1:])
_UPSERT = (
    f"INSERT INTO resources ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' for _ in _COLUMNS)}) "
    f"ON CONFLICT (id) DO UPDATE SET {_UPDATES}, "
    "updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
)


async def stored_rows(tx: Tx, ids: list[str]) -> tuple[list, list]:
    """The stored rows (in `COLUMNS` order) and the (resource id, area code) links of those of
    `ids` that exist: two statements for any number of ids, for imports that compare thousands
    of rows at once. Left as fetched, so the caller can turn them into what it needs off the
    event loop."""
    wanted = json.dumps(ids)
    async with tx.execute(
        f"SELECT {', '.join(_COLUMNS)} FROM resources WHERE id IN (SELECT value FROM json_each(?))",
        (wanted,),
    ) as cur:
        rows = await cur.fetchall()
    async with tx.execute(
        "SELECT resource_id, area_code FROM resource_areas "
        "WHERE resource_id IN (SELECT value FROM json_each(?))",
        (wanted,),
    ) as cur:
        links = await cur.fetchall()
    return rows, links


async def write_rows(tx: Tx, rows: list[tuple], areas: list[frozenset[str]]) -> None:
    """Upsert a few stored rows (`COLUMNS` tuples) and set their areas."""
    tx.search_changed = True  # the search index is out of date (store/search_index.py)
    category = _COLUMNS.index("category")
    await tx.executemany(_UPSERT, rows)
    await tx.executemany(
        "DELETE FROM resource_areas WHERE resource_id = ?", ((r[0],) for r in rows)
    )
    await tx.executemany(
        "INSERT INTO resource_areas (resource_id, area_code, category) VALUES (?, ?, ?)",
        ((r[0], code, r[category]) for r, codes in zip(rows, areas, strict=True) for code in codes),
    )


class Stage:
    """Rows for a large import, written ahead into this connection's private TEMP tables (no
    write lock needed), then copied into the real tables by `apply` in a few statements of
    SQLite's own, while the caller holds the write lock. Each stage has its own tables, so two
    imports in one process do not mix."""

    _numbers = itertools.count(1)

    def __init__(self) -> None:
        self.name = f"resource_stage_{next(self._numbers)}"

    async def create(self, tx: Tx) -> None:
        # Rows are added in the file's order, then sorted once (`sort`).
        await tx.execute(
            f"CREATE TEMP TABLE {self.name}_added AS SELECT {', '.join(_COLUMNS)} FROM resources "
            "WHERE 0"
        )
        await tx.execute(
            f"CREATE TEMP TABLE {self.name}_added_links "
            "(resource_id TEXT, area_code TEXT, category TEXT)"
        )
        await tx.execute(f"CREATE TEMP TABLE {self.name}_replaced (id TEXT PRIMARY KEY)")

    async def add(
        self, tx: Tx, rows: list[tuple], areas: list[frozenset[str]], replaced: list[str]
    ) -> None:
        """Rows with their areas; `replaced`: the ids among them that exist already, whose areas
        are replaced."""
        category = _COLUMNS.index("category")
        marks = ", ".join("?" for _ in _COLUMNS)
        await tx.executemany(f"INSERT INTO temp.{self.name}_added VALUES ({marks})", rows)
        await tx.executemany(
            f"INSERT INTO temp.{self.name}_added_links VALUES (?, ?, ?)",
            (
                (r[0], code, r[category])
                for r, codes in zip(rows, areas, strict=True)
                for code in sorted(codes)
            ),
        )
        await tx.executemany(
            f"INSERT INTO temp.{self.name}_replaced VALUES (?)", ((rid,) for rid in replaced)
        )

    async def sort(self, tx: Tx) -> None:
        """Copy the added rows into the order of the real tables (by id), before the write
        lock is taken: rows in that order are written about a third faster. Sorting as they
        are added costs more: the TEMP tables' small cache thrashes."""
        await tx.execute(
            f"CREATE TEMP TABLE {self.name} AS SELECT * FROM temp.{self.name}_added ORDER BY id"
        )
        await tx.execute(
            f"CREATE TEMP TABLE {self.name}_links AS SELECT * FROM temp.{self.name}_added_links "
            "ORDER BY resource_id, area_code"
        )

    async def apply(self, tx: Tx) -> None:
        """Copy the sorted rows in (`sort` first)."""
        tx.search_changed = True  # the search index is out of date (store/search_index.py)
        columns = ", ".join(_COLUMNS)
        await tx.execute(
            f"INSERT INTO resources ({columns}) SELECT {columns} FROM temp.{self.name} WHERE true "
            f"ON CONFLICT (id) DO UPDATE SET {_UPDATES}, "
            "updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
        )
        # Checked here in one statement, so that a bulk transaction (foreign keys not checked
        # row by row) cannot link an area that does not exist; the resource ids are the rows'.
        async with tx.execute(
            f"SELECT area_code FROM temp.{self.name}_links "
            "WHERE area_code NOT IN (SELECT code FROM areas) LIMIT 1"
        ) as cur:
            unknown = await cur.fetchone()
        if unknown is not None:
            raise sqlite3.IntegrityError(f"unknown area code {unknown[0]!r}")
        await tx.execute(
            "DELETE FROM resource_areas "
            f"WHERE resource_id IN (SELECT id FROM temp.{self.name}_replaced)"
        )
        await tx.execute(
            "INSERT INTO resource_areas (resource_id, area_code, category) "
            f"SELECT resource_id, area_code, category FROM temp.{self.name}_links"
        )

    async def drop(self, tx: Tx) -> None:
        for suffix in ("", "_links", "_replaced", "_added", "_added_links"):
            await tx.execute(f"DROP TABLE IF EXISTS temp.{self.name}{suffix}")


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


Places = dict[tuple[str, str], Sequence[Match]]  # (area code, category): matches by name


async def places(tx: Tx, categories: list[str], area_codes: list[str], now: datetime) -> Places:
    """Active resources of any of `categories` for any of `area_codes`, per (area code,
    category), each list `by_name`; events that are over are left out. A resource serving
    several of the areas is at each of them. One statement, slim rows. The carer's search
    reads the same from memory (store/search_index.py); this is the answer it must match."""
    if not categories or not area_codes:
        return {}
    # The columns are all in the index resources_search: a short read, run on the event loop.
    rows = tx.execute_here(
        "SELECT ra.area_code, ra.category, r.id, r.name, r.category, r.audience, r.starts_at, "
        "r.ends_at FROM resource_areas ra JOIN resources r ON r.id = ra.resource_id "
        f"WHERE ra.area_code IN ({', '.join('?' * len(area_codes))}) "
        f"AND ra.category IN ({', '.join('?' * len(categories))}) AND r.active = 1",
        [*area_codes, *categories],
    )
    found: dict[tuple[str, str], list[Match]] = {}
    for code, link, rid, name, category, audience, starts_at, ends_at in rows:
        if not is_over(starts_at, ends_at, now):
            listed = tuple(v for v in audience.split(";") if v) if audience else ()
            found.setdefault((code, link), []).append((rid, name, category, listed))
    for matches in found.values():
        by_name(matches)
    return {place: tuple(matches) for place, matches in found.items()}


async def by_ids(tx: Tx, ids: list[str]) -> dict[str, Resource]:
    """Full resources (with all their areas) by id: one statement, for the few cards shown."""
    if not ids:
        return {}
    rows = tx.execute_here(
        f"SELECT {_SELECT}, (SELECT group_concat(area_code, ';') FROM resource_areas "
        "WHERE resource_id = r.id) FROM resources r "
        f"WHERE r.id IN ({', '.join('?' * len(ids))})",
        ids,
    )
    return {
        row[0]: _from_row(row, tuple(sorted(c for c in (row[-1] or "").split(";") if c)))
        for row in rows
    }


async def count(tx: Tx) -> int:
    async with tx.execute("SELECT count(*) FROM resources") as cur:
        return (await cur.fetchone())[0]
