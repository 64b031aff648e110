"""The one SQLite connection of a process, its lock, and the schema migrations.

All access goes through one aiosqlite connection. An asyncio lock serialises use of it, so two
coroutines never share a transaction or read each other's uncommitted writes. Store modules take the
connection (`Tx`) as their first argument and never lock themselves: the caller decides the
transaction boundary (a flow step, an import, a CLI command).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Coroutine, Generator, Iterable
from contextlib import asynccontextmanager
from importlib import resources as importlib_resources
from pathlib import Path
from typing import Any

import aiosqlite


class Rows:
    """The complete result of one statement, fetched in the same trip to the database thread."""

    def __init__(self, rows: list[sqlite3.Row]) -> None:
        self.rows = rows

    async def fetchone(self) -> sqlite3.Row | None:
        return self.rows[0] if self.rows else None

    async def fetchall(self) -> list[sqlite3.Row]:
        return self.rows

    async def __aenter__(self) -> Rows:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None


class _Pending:
    """`await tx.execute(...)` and `async with tx.execute(...) as rows` both work."""

    def __init__(self, coro: Coroutine[Any, Any, Rows]) -> None:
        self._coro = coro

    def __await__(self) -> Generator[Any, None, Rows]:
        return self._coro.__await__()

    async def __aenter__(self) -> Rows:
        return await self._coro

    async def __aexit__(self, *exc: object) -> None:
        return None


class Tx:
    """The connection as store modules use it. Each statement is one trip to aiosqlite's thread
    (execute and fetch together): under load every trip waits for a turn of the event loop, and
    the database lock is held meanwhile (see bench/telegram.py)."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    def execute(self, sql: str, params: Iterable[Any] = ()) -> _Pending:
        return _Pending(self._fetch(sql, params))

    async def _fetch(self, sql: str, params: Iterable[Any]) -> Rows:
        return Rows(list(await self._conn.execute_fetchall(sql, params)))

    async def executemany(self, sql: str, params: Iterable[Iterable[Any]]) -> None:
        await self._conn.executemany(sql, params)


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
        self._tx = Tx(conn)
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
                yield self._tx
            except BaseException:
                await self._conn.rollback()
                raise
            else:
                await self._conn.commit()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Tx]:
        """Exclusive use of the connection for reads that need no transaction."""
        async with self._lock:
            yield self._tx

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
            problems = [row[0] for row in (await tx.execute("PRAGMA integrity_check")).rows]
            if problems == ["ok"]:
                problems = []
            for row in (await tx.execute("PRAGMA foreign_key_check")).rows:
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
