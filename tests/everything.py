"""Search every table of the database for anything about one user (for the erasure tests)."""

from __future__ import annotations

from store.db import Database


async def rows_about(db: Database, user_id: int | None, external_id: str) -> list[tuple]:
    """(table, row) for every row in any table that holds the user's id in a column that refers
    to users (or is called user_id), or the external id anywhere in any text value."""
    found = []
    async with db.read() as tx:
        async with tx.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ) as cur:
            tables = [r[0] for r in await cur.fetchall()]
        for table in tables:
            async with tx.execute(f'PRAGMA foreign_key_list("{table}")') as cur:
                id_columns = {r["from"] for r in await cur.fetchall() if r["table"] == "users"}
            async with tx.execute(f'SELECT * FROM "{table}"') as cur:
                rows = await cur.fetchall()
            for row in rows:
                columns = row.keys()
                ids = id_columns | ({"user_id"} & set(columns))
                if table == "users":
                    ids.add("id")
                by_id = user_id is not None and any(row[c] == user_id for c in ids)
                by_external = any(isinstance(v, str) and external_id in v for v in tuple(row))
                if by_id or by_external:
                    found.append((table, tuple(row)))
    return found
