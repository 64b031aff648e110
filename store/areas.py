"""Areas: a tree of places with their PC4 postcodes. `nl` is the national root."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from store.db import Tx

ROOT = "nl"
CODE_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_RANGE = re.compile(r"^(\d{4})(?:\s*-\s*(\d{4}))?$")


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    parent: str | None
    postcodes: tuple[int, ...] = field(default=())


def split_postcodes(spec: str) -> tuple[tuple[int, ...], list[str]]:
    """`1051-1058;1013` → the sorted PC4 values, and every part that is not a PC4 postcode
    (1000-9999) or a rising range of them."""
    values: set[int] = set()
    bad: list[str] = []
    for part in (p.strip() for p in spec.split(";")):
        if not part:
            continue
        match = _RANGE.match(part)
        low = int(match.group(1)) if match else 0
        high = int(match.group(2) or low) if match else 0
        if low < 1000 or high < low:
            bad.append(part)
        else:
            values.update(range(low, high + 1))
    return tuple(sorted(values)), bad


def format_postcodes(values: tuple[int, ...] | list[int]) -> str:
    """The inverse of `split_postcodes`: consecutive values become ranges."""
    parts: list[str] = []
    ordered = sorted(set(values))
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        parts.append(str(ordered[i]) if i == j else f"{ordered[i]}-{ordered[j]}")
        i = j + 1
    return ";".join(parts)


async def upsert(tx: Tx, area: Area) -> None:
    tx.search_changed = True  # the search index is out of date (store/search_index.py)
    await tx.execute(
        "INSERT INTO areas (code, name, parent) VALUES (?, ?, ?) "
        "ON CONFLICT (code) DO UPDATE SET name = excluded.name, parent = excluded.parent",
        (area.code, area.name, area.parent),
    )
    await tx.execute("DELETE FROM area_postcodes WHERE area_code = ?", (area.code,))
    await tx.executemany(
        "INSERT INTO area_postcodes (area_code, pc4) VALUES (?, ?)",
        [(area.code, pc4) for pc4 in area.postcodes],
    )


async def get(tx: Tx, code: str) -> Area | None:
    async with tx.execute("SELECT code, name, parent FROM areas WHERE code = ?", (code,)) as cur:
        row = await cur.fetchone()
    if row is None:
        return None
    async with tx.execute(
        "SELECT pc4 FROM area_postcodes WHERE area_code = ? ORDER BY pc4", (code,)
    ) as cur:
        postcodes = tuple(r[0] for r in await cur.fetchall())
    return Area(row["code"], row["name"], row["parent"], postcodes)


async def list_all(tx: Tx) -> list[Area]:
    """Every area, parents before children, siblings by name."""
    async with tx.execute("SELECT area_code, pc4 FROM area_postcodes ORDER BY pc4") as cur:
        postcodes: dict[str, list[int]] = {}
        for row in await cur.fetchall():
            postcodes.setdefault(row[0], []).append(row[1])
    async with tx.execute("SELECT code, name, parent FROM areas ORDER BY name") as cur:
        rows = await cur.fetchall()
    children: dict[str | None, list] = {}
    for row in rows:
        children.setdefault(row["parent"], []).append(row)
    ordered: list[Area] = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        row = stack.pop()
        ordered.append(
            Area(row["code"], row["name"], row["parent"], tuple(postcodes.get(row["code"], ())))
        )
        stack.extend(reversed(children.get(row["code"], [])))
    return ordered


async def codes(tx: Tx) -> set[str]:
    async with tx.execute("SELECT code FROM areas") as cur:
        return {row[0] for row in await cur.fetchall()}


async def lineage(tx: Tx, code: str) -> list[str]:
    """The area, its parent, …, up to `nl`: most specific first."""
    async with tx.execute(
        "WITH RECURSIVE up(code, parent, depth) AS ("
        " SELECT code, parent, 0 FROM areas WHERE code = ?"
        " UNION ALL SELECT a.code, a.parent, up.depth + 1"
        " FROM areas a JOIN up ON a.code = up.parent"
        " WHERE up.depth < 32)"
        " SELECT code FROM up ORDER BY depth",
        (code,),
    ) as cur:
        return [row[0] for row in await cur.fetchall()]


async def lineages(tx: Tx, codes: list[str]) -> tuple[dict[str, list[str]], dict[str, str]]:
    """For each of `codes` its lineage (like `lineage`; unknown codes are left out), and the
    names of every area in them: one statement for a carer's and a naaste's area together."""
    found: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    if not codes:
        return found, names
    rows = tx.execute_here(  # a few rows by primary key: run on the event loop
        "WITH RECURSIVE up(start, code, name, parent, depth) AS ("
        " SELECT code, code, name, parent, 0 FROM areas"
        f" WHERE code IN ({', '.join('?' * len(codes))})"
        " UNION ALL SELECT up.start, a.code, a.name, a.parent, up.depth + 1"
        " FROM areas a JOIN up ON a.code = up.parent"
        " WHERE up.depth < 32)"
        " SELECT start, code, name FROM up ORDER BY start, depth",
        codes,
    )
    for row in rows:
        found.setdefault(row[0], []).append(row[1])
        names[row[1]] = row[2]
    return found, names


async def for_postcode(tx: Tx, pc4: int) -> Area | None:
    """The most specific area whose postcodes include `pc4`, or None when no area has it."""
    async with tx.execute("SELECT area_code FROM area_postcodes WHERE pc4 = ?", (pc4,)) as cur:
        candidates = [row[0] for row in await cur.fetchall()]
    if not candidates:
        return None
    deepest = max([(len(await lineage(tx, c)), c) for c in candidates])[1]
    return await get(tx, deepest)


async def names(tx: Tx) -> dict[str, str]:
    async with tx.execute("SELECT code, name FROM areas") as cur:
        return {row[0]: row[1] for row in await cur.fetchall()}


async def with_descendants(tx: Tx, codes: set[str] | frozenset[str]) -> frozenset[str]:
    """The areas and every area below them (a coordinator of `zwolle` manages its districts)."""
    children: dict[str | None, list[str]] = {}
    async with tx.execute("SELECT code, parent FROM areas") as cur:
        rows = await cur.fetchall()
    for row in rows:
        children.setdefault(row[1], []).append(row[0])
    known = {row[0] for row in rows}
    found: set[str] = set()
    stack = [c for c in codes if c in known]
    while stack:
        code = stack.pop()
        if code not in found:
            found.add(code)
            stack.extend(children.get(code, []))
    return frozenset(found)
