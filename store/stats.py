"""Anonymous statistics for coordinators: counts per area, never a row about one person.

Every figure is a count over a group. Counts from 1 to `SMALL` - 1 are shown as "<5" (see
`shown`), so that a coordinator cannot single out a carer in a small district; 0 singles out
nobody and stays 0. Coordinators themselves are
not counted as carers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from store import needs
from store.areas import ROOT
from store.db import Tx

SMALL = 5  # counts from 1 up to this (not included) are shown as "<5"


def shown(count: int) -> str:
    """A count as a coordinator may see it: 0 as 0, 1-4 as "<5"."""
    return f"<{SMALL}" if 0 < count < SMALL else str(count)


@dataclass(frozen=True)
class Band:
    """A burden band as flows/bands.py defines it (the store does not import flows)."""

    name: str
    lowest: int
    highest: int


@dataclass
class Report:
    areas: tuple[str, ...]  # the areas counted (a coordinator's areas and everything below)
    since: date | None
    carers: dict[str, int] = field(default_factory=dict)  # area → carers living there
    bands: dict[str, int] = field(default_factory=dict)  # band → carers (latest check)
    asked: list[tuple[str, int]] = field(default_factory=list)  # category → times, most first
    unmet: list[tuple[str, str, int]] = field(default_factory=list)  # (area, category, times)
    handovers: dict[str, int] = field(default_factory=dict)  # "open"/"answered" → questions


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" for _ in values)


async def note_asked(tx: Tx, area_code: str, category: str, day: date) -> None:
    """Count that a carer in `area_code` looked for `category` (no link to the carer)."""
    await tx.execute(
        "INSERT INTO help_asked (area_code, category, asked_on) VALUES (?, ?, ?)",
        (area_code, category, day.isoformat()),
    )


# Coordinators have a user row too: staff, not carers.
_NOT_STAFF = "AND u.id NOT IN (SELECT user_id FROM coordinators)"


async def _carers(tx: Tx, codes: list[str]) -> dict[str, int]:
    async with tx.execute(
        f"SELECT home_area, count(*) FROM users u WHERE home_area IN ({_marks(codes)}) "
        f"{_NOT_STAFF} GROUP BY home_area",
        codes,
    ) as cur:
        return {row[0]: row[1] for row in await cur.fetchall()}


def _since(column: str, since: date | None) -> tuple[str, list[object]]:
    """The clause that keeps rows from `since` on (none without a date), and its parameter."""
    if since is None:
        return "", []
    return f"AND {column} >= ?", [since.isoformat()]


async def _bands(
    tx: Tx, codes: list[str], since: date | None, bands: Sequence[Band]
) -> dict[str, int]:
    """Each carer counts once, in the band of their latest check (since `since`)."""
    after, from_date = _since("b.taken_at", since)
    async with tx.execute(
        "SELECT b.score FROM burden_results b JOIN users u ON u.id = b.user_id "
        f"WHERE u.home_area IN ({_marks(codes)}) {after} {_NOT_STAFF} "
        "AND b.taken_at = (SELECT max(taken_at) FROM burden_results WHERE user_id = b.user_id)",
        [*codes, *from_date],
    ) as cur:
        scores = [row[0] for row in await cur.fetchall()]
    counts = {band.name: 0 for band in bands}
    for score in scores:
        for band in bands:
            if band.lowest <= score <= band.highest:
                counts[band.name] += 1
    return counts


async def _by_category(
    tx: Tx, table: str, day_column: str, codes: list[str], since: date | None
) -> list[tuple[str, str, int]]:
    after, from_date = _since(day_column, since)
    # `table` and `day_column` are fixed names from this module, never user input.
    async with tx.execute(
        f"SELECT area_code, category, count(*) AS n FROM {table} "
        f"WHERE area_code IN ({_marks(codes)}) {after} "
        "GROUP BY area_code, category ORDER BY n DESC, area_code, category",
        [*codes, *from_date],
    ) as cur:
        return [(row[0], row[1], row[2]) for row in await cur.fetchall()]


async def _handovers(tx: Tx, codes: list[str], since: date | None) -> dict[str, int]:
    """Questions still waiting for a first answer ("open") and those answered."""
    after, from_date = _since("created_at", since)
    async with tx.execute(
        "SELECT coalesce(sum(answered_at IS NULL AND status <> 'closed'), 0), "
        "coalesce(sum(answered_at IS NOT NULL), 0) "
        f"FROM handovers WHERE area_code IN ({_marks(codes)}) {after}",
        [*codes, *from_date],
    ) as cur:
        row = await cur.fetchone()
    return {"open": row[0], "answered": row[1]}


async def _below(tx: Tx, area_codes: Iterable[str] | None) -> list[str]:
    """The areas and every area below them; None: every area."""
    if area_codes is None:
        query, params = "SELECT code FROM areas ORDER BY code", []
    else:
        params = sorted(set(area_codes))
        if not params:
            return []
        query = (
            "WITH RECURSIVE down(code, depth) AS ("
            f" SELECT code, 0 FROM areas WHERE code IN ({_marks(params)})"
            " UNION SELECT a.code, down.depth + 1 FROM areas a JOIN down ON a.parent = down.code"
            " WHERE down.depth < 32) SELECT DISTINCT code FROM down ORDER BY code"
        )
    async with tx.execute(query, params) as cur:
        return [row[0] for row in await cur.fetchall()]


async def report(
    tx: Tx,
    area_codes: Iterable[str] | None,
    bands: Sequence[Band],
    since: date | None = None,
) -> Report:
    """The figures for these areas and every area below them (None: everywhere)."""
    codes = await _below(tx, area_codes)
    result = Report(tuple(codes), since)
    if not codes:
        return result
    result.carers = await _carers(tx, codes)
    result.bands = await _bands(tx, codes, since, bands)
    asked: dict[str, int] = {}
    for _area, category, n in await _by_category(tx, "help_asked", "asked_on", codes, since):
        asked[category] = asked.get(category, 0) + n
    result.asked = sorted(asked.items(), key=lambda item: (-item[1], item[0]))
    result.unmet = [  # needs of carers outside every area are kept under the root
        (needs.OUTSIDE if area == ROOT else area, category, n)
        for area, category, n in await _by_category(tx, "unmet_needs", "noted_on", codes, since)
    ]
    result.handovers = await _handovers(tx, codes, since)
    return result
