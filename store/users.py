"""Users: a row exists only after explicit consent, and holds only what the flows need."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from store.db import Tx

# Columns a flow may change; anything else is refused (and so never built into SQL).
# The carer's short profile (migration 0004); every answer is optional.
PROFILE_FIELDS = ("relation", "situation", "hours_band", "duration_band", "work", "age_band")
UPDATABLE = ("language", "home_area", "care_area", "active", *PROFILE_FIELDS)


@dataclass(frozen=True)
class User:
    id: int
    channel: str
    external_id: str
    language: str | None
    consent_at: str
    home_area: str | None
    care_area: str | None
    active: bool
    relation: str | None = None
    situation: str | None = None
    hours_band: str | None = None
    duration_band: str | None = None
    work: str | None = None
    age_band: str | None = None


def _from_row(row) -> User:
    return User(
        id=row["id"],
        channel=row["channel"],
        external_id=row["external_id"],
        language=row["language"],
        consent_at=row["consent_at"],
        home_area=row["home_area"],
        care_area=row["care_area"],
        active=bool(row["active"]),
        **{name: row[name] for name in PROFILE_FIELDS},
    )


async def get(tx: Tx, channel: str, external_id: str) -> User | None:
    async with tx.execute(
        "SELECT * FROM users WHERE channel = ? AND external_id = ?", (channel, external_id)
    ) as cur:
        row = await cur.fetchone()
    return _from_row(row) if row else None


async def create(
    tx: Tx, channel: str, external_id: str, language: str | None, now: datetime
) -> User:
    stamp = now.isoformat(timespec="seconds")
    async with tx.execute(
        "INSERT INTO users (channel, external_id, language, consent_at, created_at) "
        "VALUES (?, ?, ?, ?, ?) RETURNING *",
        (channel, external_id, language, stamp, stamp),
    ) as cur:
        row = await cur.fetchone()
    return _from_row(row)


async def update(tx: Tx, user_id: int, **changes: Any) -> None:
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    if changes:
        assignments = ", ".join(f"{name} = ?" for name in changes)
        await tx.execute(
            f"UPDATE users SET {assignments} WHERE id = ?", [*changes.values(), user_id]
        )


async def delete(tx: Tx, user_id: int) -> None:
    """Erase the user; every table about them references users(id) ON DELETE CASCADE."""
    await tx.execute("DELETE FROM users WHERE id = ?", (user_id,))


async def inactive(tx: Tx, channel: str) -> set[str]:
    """The external ids of the channel's users marked unreachable."""
    async with tx.execute(
        "SELECT external_id FROM users WHERE channel = ? AND active = 0", (channel,)
    ) as cur:
        return {row[0] for row in await cur.fetchall()}


async def set_active(tx: Tx, channel: str, external_id: str, active: bool) -> bool:
    """Mark a user reachable or not (e.g. they blocked the bot). True when a stored row changed;
    without consent there is no row, and nothing is stored."""
    async with tx.execute(
        "UPDATE users SET active = ? WHERE channel = ? AND external_id = ? AND active <> ? "
        "RETURNING id",
        (int(active), channel, external_id, int(active)),
    ) as changed:
        return bool(changed.rows)
