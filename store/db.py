"""The one SQLite connection of a process, its lock, and the schema migrations.

All access goes through one aiosqlite connection. An asyncio lock serialises use of it, so two
coroutines never share a transaction or read each other's uncommitted writes. Store modules take the
connection (`Tx`) as their first argument and never lock themselves: the caller decides the
transaction boundary (a flow step, an import, a CLI command).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources as importlib_resources
from pathlib import Path

import aiosqlite

Tx = aiosqlite.Connection

BUSY_TIMEOUT_MS = 5000


def migration_scripts() -> list[tuple[int, str]]:
    """The numbered `NNNN_name.sql` scripts, in order."""
    folder = importlib_resources.files("store.migrations")
    scripts = []
    for entry in folder.iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:4].isdigit():
            scripts.append((int(name[:4]), entry.read_text(encoding="utf-8")))
    return sorted(scripts)


class Database:
    """An open database: use `transaction()` to write and `read()` to read."""

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()
        self.path = path

    @classmethod
    async def open(cls, path: str | Path, *, migrate_to: int | None = None) -> Database:
        """Open (creating if needed) and bring the schema up to date (or to `migrate_to`)."""
        path = str(path)
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(path, isolation_level=None)
        conn.row_factory = aiosqlite.Row
        await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await conn.execute("PRAGMA journal_mode = WAL")
        await conn.execute("PRAGMA synchronous = FULL")
        await conn.execute("PRAGMA foreign_keys = ON")
        db = cls(conn, path)
        try:
            await db.migrate(migrate_to)
        except BaseException:
            await conn.close()
            raise
        return db

    async def close(self) -> None:
        async with self._lock:
            await self._conn.close()

    async def schema_version(self) -> int:
        async with self.read() as tx:
            return await _user_version(tx)

    async def migrate(self, target: int | None = None) -> list[int]:
        """Apply the migrations above the current version, each in its own transaction."""
        applied = []
        for number, script in migration_scripts():
            if target is not None and number > target:
                break
            async with self.transaction() as tx:
                if number <= await _user_version(tx):
                    continue
                for statement in _split_statements(script):
                    await tx.execute(statement)
                # PRAGMA takes no parameters; `number` is an int from a file name.
                await tx.execute(f"PRAGMA user_version = {int(number)}")
                applied.append(number)
        return applied

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        """Exclusive use of the connection inside BEGIN IMMEDIATE … COMMIT (ROLLBACK on error)."""
        async with self._lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                await self._conn.rollback()
                raise
            else:
                await self._conn.commit()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Tx]:
        """Exclusive use of the connection for reads that need no transaction."""
        async with self._lock:
            yield self._conn

    async def backup(self, target: str | Path) -> None:
        """An online, consistent copy of the database (SQLite's backup API)."""
        target = str(target)
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        async with self._lock:
            dest = await aiosqlite.connect(target)
            try:
                await self._conn.backup(dest)
            finally:
                await dest.close()

    async def check(self) -> list[str]:
        """Problems found by integrity and foreign key checks; empty when all is well."""
        async with self.read() as tx:
            problems = [row[0] async for row in await tx.execute("PRAGMA integrity_check")]
            if problems == ["ok"]:
                problems = []
            async for row in await tx.execute("PRAGMA foreign_key_check"):
                problems.append(f"foreign key: table {row[0]} row {row[1]} → {row[2]}")
        return problems


async def _user_version(tx: Tx) -> int:
    async with tx.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    return int(row[0])


def _split_statements(script: str) -> list[str]:
    """Split a migration script into complete statements (sqlite3 knows where one ends)."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    if current.strip() and not current.strip().startswith("--"):
        raise ValueError(f"incomplete statement in migration: {current.strip()[:60]}")
    return [s for s in statements if s]
