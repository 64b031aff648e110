"""Everything stored about one user, found generically: the `users` row and every row of every
table that points at it (a `user_id` column, or a foreign key to `users`). Tables that other parts
add later are included without changes here."""

from __future__ import annotations

import logging
from typing import Any

from store import users
from store.db import Tx

log = logging.getLogger(__name__)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def user_columns(tx: Tx) -> dict[str, list[str]]:
    """Every table (but `users`) with its columns that hold a user's id."""
    async with tx.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    ) as cur:
        tables = [row[0] for row in await cur.fetchall()]
    found: dict[str, list[str]] = {}
    for table in tables:
        if table == "users":
            continue
        async with tx.execute(f"PRAGMA table_info({_quote(table)})") as cur:
            columns = {row["name"] for row in await cur.fetchall()}
        async with tx.execute(f"PRAGMA foreign_key_list({_quote(table)})") as cur:
            referencing = {row["from"] for row in await cur.fetchall() if row["table"] == "users"}
        chosen = sorted(referencing | ({"user_id"} & columns))
        if chosen:
            found[table] = chosen
    return found


async def export(tx: Tx, user_id: int) -> dict[str, list[dict[str, Any]]]:
    """{table: [rows as dicts]}, the `users` row first; tables without rows are left out."""
    result: dict[str, list[dict[str, Any]]] = {}
    async with tx.execute("SELECT * FROM users WHERE id = ?", (user_id,)) as cur:
        row = await cur.fetchone()
    if row is None:
        return result
    result["users"] = [dict(row)]
    for table, columns in (await user_columns(tx)).items():
        where = " OR ".join(f"{_quote(c)} = ?" for c in columns)
        async with tx.execute(
            f"SELECT * FROM {_quote(table)} WHERE {where}", [user_id] * len(columns)
        ) as cur:
            found = [dict(r) for r in await cur.fetchall()]
        if found:
            result[table] = found
    return result


async def erase(tx: Tx, user_id: int) -> None:
    """Delete the user row (ON DELETE CASCADE removes the rest), then make sure nothing is left:
    a table added without the cascade is cleaned here too, and the miss is logged."""
    await users.delete(tx, user_id)
    for table, columns in (await user_columns(tx)).items():
        where = " OR ".join(f"{_quote(c)} = ?" for c in columns)
        async with tx.execute(
            f"DELETE FROM {_quote(table)} WHERE {where} RETURNING 1", [user_id] * len(columns)
        ) as deleted:
            if deleted.rows:
                log.warning(
                    "erase: %s had %d rows left after the cascade", table, len(deleted.rows)
                )
