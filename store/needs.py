"""Unmet needs: help a carer looked for that has no resource in their district.

Rows hold an area, a category and a date only, never a user, so that coordinators can see where
help is missing without anyone's consent being needed. A carer whose postcode is in none of the
areas is counted as `OUTSIDE`, stored under the national root (a need is never missing *in* the
root itself: national help is never counted as local).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from store.areas import ROOT
from store.db import Tx

OUTSIDE = "outside"


@dataclass(frozen=True)
class NeedCount:
    area_code: str
    category: str
    count: int


async def add(tx: Tx, area_code: str, category: str, noted_on: date) -> None:
    """Count a need in `area_code`, or `OUTSIDE` every area."""
    stored = ROOT if area_code == OUTSIDE else area_code
    await tx.execute(
        "INSERT INTO unmet_needs (area_code, category, noted_on) VALUES (?, ?, ?)",
        (stored, category, noted_on.isoformat()),
    )


async def counts(tx: Tx, since: date | None = None) -> list[NeedCount]:
    """How often each category was missed per area (since a date), most missed first."""
    query = "SELECT area_code, category, count(*) AS n FROM unmet_needs"
    params: list[str] = []
    if since is not None:
        query += " WHERE noted_on >= ?"
        params.append(since.isoformat())
    query += " GROUP BY area_code, category ORDER BY n DESC, area_code, category"
    async with tx.execute(query, params) as cur:
        return [
            NeedCount(OUTSIDE if row[0] == ROOT else row[0], row[1], row[2])
            for row in await cur.fetchall()
        ]
