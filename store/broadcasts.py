"""Broadcasts: a coordinator's news message to the carers of some areas, and the news categories
carers asked for.

`start` writes the broadcast row and one outbox row per recipient in the caller's transaction,
with one INSERT … SELECT: a broadcast is queued whole or not at all, and 5,000 recipients take
one statement. Who gets it (`count` uses the very same condition): carers with a stored account
(consent), not staff (coordinators), active (not blocked), with news messages on (/stop meldingen
turns them off), whose own district or whose naaste's district lies in the chosen areas (or
below them), on every channel; with a category, only those who asked for news on it. The figures
for the progress message and the report are counted from the outbox rows, so they survive a
restart.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from store import areas as area_store
from store import outbox
from store.db import Tx
from store.outbox import utc
from store.reminders import DEFAULT_QUIET

KEY_PREFIX = "broadcast"


@dataclass(frozen=True)
class Audience:
    """The chosen areas (their districts count too); () means every carer, for an admin only.
    `category`: only carers who asked for news on this resource category."""

    areas: tuple[str, ...] = ()
    category: str | None = None


@dataclass(frozen=True)
class Broadcast:
    id: int
    created_by: int | None
    areas: tuple[str, ...]
    category: str | None
    text: str
    recipients: int
    created_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True)
class Figures:
    """Where the copies of one broadcast are: counted from its outbox rows."""

    delivered: int = 0
    blocked: int = 0
    failed: int = 0
    uncertain: int = 0  # may have arrived (e.g. a time-out): never sent again
    sending: int = 0  # queued and due, or being sent now
    waiting: int = 0  # held back until someone's quiet hours end
    next_waiting: datetime | None = None  # when the first of those is due

    @property
    def done(self) -> int:
        return self.delivered + self.blocked + self.failed + self.uncertain

    @property
    def total(self) -> int:
        return self.done + self.sending + self.waiting


def _broadcast(row) -> Broadcast:
    return Broadcast(
        id=row["id"],
        created_by=row["created_by"],
        areas=tuple(a for a in row["areas"].split(";") if a),
        category=row["category"],
        text=row["text"],
        recipients=row["recipients"],
        created_at=datetime.fromisoformat(row["created_at"]),
        finished_at=datetime.fromisoformat(row["finished_at"]) if row["finished_at"] else None,
    )


# The one condition for "who gets it"; parameters of _WHERE: every (0/1), areas (a JSON list),
# the areas again, category, category.
_FROM = " FROM users u LEFT JOIN notification_settings ns ON ns.user_id = u.id"
_WHERE = (
    " WHERE u.active = 1 AND coalesce(ns.broadcasts, 1) = 1"
    " AND NOT EXISTS (SELECT 1 FROM coordinators c WHERE c.user_id = u.id)"
    " AND (? OR u.home_area IN (SELECT value FROM json_each(?))"
    "      OR u.care_area IN (SELECT value FROM json_each(?)))"
    " AND (? IS NULL OR EXISTS (SELECT 1 FROM news_categories n"
    "      WHERE n.user_id = u.id AND n.category = ?))"
)
_QUIET = (
    f"coalesce(ns.quiet_start, '{DEFAULT_QUIET[0]}')",
    f"coalesce(ns.quiet_end, '{DEFAULT_QUIET[1]}')",
)


async def _params(tx: Tx, audience: Audience) -> list[object]:
    every = not audience.areas
    codes = sorted(await area_store.with_descendants(tx, frozenset(audience.areas)))
    listed = json.dumps(codes)
    return [int(every), listed, listed, audience.category, audience.category]


async def count(tx: Tx, audience: Audience) -> int:
    """How many carers `start` would reach now."""
    async with tx.execute("SELECT count(*)" + _FROM + _WHERE, await _params(tx, audience)) as cur:
        return cur.rows[0][0]


async def start(
    tx: Tx,
    *,
    created_by: int | None,
    audience: Audience,
    text: str,
    payloads: dict[str, str],
    default_language: str,
    not_before: Callable[[str, str], datetime],
    now: datetime,
) -> Broadcast:
    """Queue the broadcast for everyone in the audience, in the caller's transaction.

    `payloads`: the outbox payload per language (a carer without one gets `default_language`'s).
    `not_before(quiet_start, quiet_end)`: when a carer with these quiet hours may get it; it is
    asked once per distinct pair of quiet hours, not once per carer."""
    params = await _params(tx, audience)
    async with tx.execute(
        f"SELECT DISTINCT {_QUIET[0]}, {_QUIET[1]}" + _FROM + _WHERE, params
    ) as cur:
        pairs = [(row[0], row[1]) for row in cur.rows]
    quiet = json.dumps([[start, end, utc(not_before(start, end))] for start, end in pairs])
    async with tx.execute(
        "INSERT INTO broadcasts (created_by, areas, category, text, recipients, created_at) "
        "VALUES (?, ?, ?, ?, 0, ?) RETURNING id",
        (created_by, ";".join(audience.areas), audience.category, text, utc(now)),
    ) as cur:
        broadcast_id = cur.rows[0][0]
    # Each carer's payload in their language, and their not_before by their quiet hours, come
    # from two small JSON tables passed as parameters: one statement for every recipient.
    await tx.execute(
        "INSERT INTO outbox (channel, recipient, payload, unique_key, not_before, created_at,"
        " broadcast_id)"
        " SELECT u.channel, u.external_id, coalesce(p.value, ?),"
        f" '{KEY_PREFIX}:' || ? || ':' || u.id, json_extract(q.value, '$[2]'), ?, ?"
        + _FROM
        + " JOIN json_each(?) q ON json_extract(q.value, '$[0]') = "
        + _QUIET[0]
        + " AND json_extract(q.value, '$[1]') = "
        + _QUIET[1]
        + " LEFT JOIN json_each(?) p ON p.key = u.language"
        + _WHERE
        + " ON CONFLICT (unique_key) DO NOTHING",
        [
            payloads[default_language],
            broadcast_id,
            utc(now),
            broadcast_id,
            quiet,
            json.dumps(payloads, ensure_ascii=False),
            *params,
        ],
    )
    async with tx.execute("SELECT changes()") as cur:
        queued = cur.rows[0][0]
    await tx.execute("UPDATE broadcasts SET recipients = ? WHERE id = ?", (queued, broadcast_id))
    # One statement queued them all, so wake the sender of every channel it queued for.
    async with tx.execute(
        "SELECT DISTINCT channel FROM outbox WHERE broadcast_id = ?", (broadcast_id,)
    ) as cur:
        for (channel,) in cur.rows:
            outbox.notify(channel)
    found = await get(tx, broadcast_id)
    assert found is not None
    return found


async def get(tx: Tx, broadcast_id: int) -> Broadcast | None:
    async with tx.execute("SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,)) as cur:
        return _broadcast(cur.rows[0]) if cur.rows else None


async def recent(tx: Tx, created_by: int | None, limit: int = 5) -> list[Broadcast]:
    """The newest broadcasts, of one coordinator (or of everyone: None), newest first."""
    where, params = ("WHERE created_by = ?", [created_by]) if created_by is not None else ("", [])
    async with tx.execute(
        f"SELECT * FROM broadcasts {where} ORDER BY id DESC LIMIT ?", [*params, limit]
    ) as cur:
        return [_broadcast(row) for row in cur.rows]


async def figures(tx: Tx, broadcast_id: int, now: datetime) -> Figures:
    """Counted from the broadcast's outbox rows. A queued row that was never tried and is due
    later waits for quiet hours (a retried one carries the reason in `detail`)."""
    async with tx.execute(
        "SELECT status, (status = 'queued' AND not_before > ? AND detail = '') AS later,"
        " count(*), min(not_before) FROM outbox WHERE broadcast_id = ? GROUP BY 1, 2",
        (utc(now), broadcast_id),
    ) as cur:
        rows = cur.rows
    found: dict[str, int] = {}
    next_waiting = None
    for status, later, n, first in rows:
        if later:
            found["waiting"] = n
            next_waiting = datetime.fromisoformat(first)
        elif status in ("queued", "sending"):
            found["sending"] = found.get("sending", 0) + n
        else:
            found[status] = n
    return Figures(**found, next_waiting=next_waiting)


async def finish(tx: Tx, broadcast_id: int, now: datetime) -> None:
    await tx.execute(
        "UPDATE broadcasts SET finished_at = ? WHERE id = ? AND finished_at IS NULL",
        (utc(now), broadcast_id),
    )


# ---- news categories a carer asked for ----


async def categories_of(tx: Tx, user_id: int) -> list[str]:
    async with tx.execute(
        "SELECT category FROM news_categories WHERE user_id = ? ORDER BY category", (user_id,)
    ) as cur:
        return [row[0] for row in cur.rows]


async def set_category(tx: Tx, user_id: int, category: str, wanted: bool) -> None:
    if wanted:
        await tx.execute(
            "INSERT INTO news_categories (user_id, category) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (user_id, category),
        )
    else:
        await tx.execute(
            "DELETE FROM news_categories WHERE user_id = ? AND category = ?", (user_id, category)
        )
