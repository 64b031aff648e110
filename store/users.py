"""Users: a row exists only after explicit consent, and holds only what the flows need."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from store.db import Tx

# Columns a flow may change; anything else is refused (and so never built into SQL).
UPDATABLE = ("language", "home_area", "care_area", "active")


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
