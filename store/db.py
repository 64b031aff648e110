"""The one SQLite connection of a process, its lock, and the schema migrations.

All access goes through one aiosqlite connection. An asyncio lock serialises use of it, so two
coroutines never share a transaction or read each other's uncommitted writes. Store modules take the
connection (`Tx`) as their first argument and never lock themselves: the caller decides the
transaction boundary (a flow step, an import, a CLI command).
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
import time
from collections.abc import AsyncIterator, Coroutine, Generator, Iterable
from contextlib import asynccontextmanager, suppress
from importlib import resources as importlib_resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

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

    def __init__(self, conn: aiosqlite.Connection, path: str = "") -> None:
        self._conn = conn
        self.path = path
        # For the carer's search, kept in memory (store/search_index.py): PRAGMA data_version
        # counts the commits of other connections only, so this one counts its own commits that
        # changed what the search reads (resources, areas). `search_changed`: the open
        # transaction wrote them (set by store/resources.py and store/areas.py).
        self.search_commits = 0
        self.search_changed = False

    def settle(self) -> None:
        """The transaction ended: count it if it changed what the carer's search reads."""
        if self.search_changed:
            self.search_commits += 1
            self.search_changed = False

    def execute(self, sql: str, params: Iterable[Any] = ()) -> _Pending:
        return _Pending(self._fetch(sql, params))

    async def _fetch(self, sql: str, params: Iterable[Any]) -> Rows:
        return Rows(list(await self._conn.execute_fetchall(sql, params)))

    async def executemany(self, sql: str, params: Iterable[Iterable[Any]]) -> None:
        await self._conn.executemany(sql, params)

    def execute_here(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        """A short, indexed read run right here on the event loop: no trip to the database
        thread, which costs more than such a statement itself. Only for reads well under a
        millisecond (the carer's search, see bench/store.py); anything that may take long
        (imports, statistics, backups) uses `execute`. Safe because whoever holds this Tx holds
        the Database lock, so the thread has nothing else to run on the connection meanwhile."""
        return self._conn._conn.execute(sql, list(params)).fetchall()


# How long a statement waits for another process's write lock (SQLite retries meanwhile); after
# that the caller gets DatabaseBusy.
BUSY_TIMEOUT_MS = 5000
# After a checkpoint the WAL is cut back to this size, so old pages don't linger in it.
JOURNAL_SIZE_LIMIT = 4 * 1024 * 1024
# NORMAL: every commit is atomic, but only synced to disk at checkpoints; a power cut may lose
# the last conversation steps, never corrupt them. Consent, withdrawal and erasure ask for FULL
# (`transaction(durable=True)`), which syncs the WAL at their commit.
SYNCHRONOUS = "NORMAL"
# SQLite's default: a commit that leaves the WAL over this many pages starts a checkpoint.
WAL_AUTOCHECKPOINT = 1000
# Pages kept in memory (KiB, as SQLite's negative cache_size): the carer's search reads index
# pages of 100,000 resources; the default 2 MiB keeps too few of them (see bench/store.py).
CACHE_KIB = 16 * 1024
# Health data: only the bot's own user may read the database, its -wal/-shm and backups.
FILE_MODE = 0o600
FOLDER_MODE = 0o700
_BUSY_CODES = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}


class StorageError(Exception):
    """A database that cannot be used now. `reason` says why (one of the constants below), the
    CLI turns it into one line for the operator; `exit_code` is what the process should return."""

    NOT_SQLITE = "not_sqlite"
    FOLDER = "folder"
    MISSING = "missing"
    READ_ONLY = "read_only"
    NEWER_SCHEMA = "newer_schema"
    CANNOT_OPEN = "cannot_open"
    BUSY = "busy"

    def __init__(self, reason: str, path: str, detail: str = "") -> None:
        super().__init__(f"{path}: {reason}" + (f" ({detail})" if detail else ""))
        self.reason = reason
        self.path = path
        self.detail = detail

    @property
    def exit_code(self) -> int:
        return 1 if self.reason == self.BUSY else 2


class DatabaseBusy(StorageError):
    """Another process held the write lock for longer than BUSY_TIMEOUT_MS."""

    def __init__(self, path: str) -> None:
        super().__init__(StorageError.BUSY, path)


def migration_scripts() -> list[tuple[int, str]]:
    """The numbered `NNNN_name.sql` scripts, in order."""
    folder = importlib_resources.files("store.migrations")
    scripts = []
    for entry in folder.iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:4].isdigit():
            scripts.append((int(name[:4]), entry.read_text(encoding="utf-8")))
    return sorted(scripts)


def latest_version() -> int:
    scripts = migration_scripts()
    return scripts[-1][0] if scripts else 0


def private_file(path: str | Path) -> None:
    """Make sure `path` exists and only its owner can read it: created 0600 (its missing folders
    0700), an existing file of ours narrowed to 0600. SQLite gives -wal, -shm and -journal files
    the mode of the database file, so they follow."""
    path = Path(path)
    _private_folders(path.parent)
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    for each in (path, *(Path(f"{path}{suffix}") for suffix in ("-wal", "-shm", "-journal"))):
        try:
            info = each.stat()
        except FileNotFoundError:
            continue
        if info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) & 0o077:
            each.chmod(FILE_MODE)


def _private_folders(folder: Path) -> None:
    """Create the missing folders of `folder` with mode 0700; existing ones are left alone."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for each in reversed(missing):
        each.mkdir(mode=FOLDER_MODE)
        each.chmod(FOLDER_MODE)  # mkdir's mode is filtered through the umask


def _check_path(path: str, read_only: bool) -> None:
    """What the file system can tell before SQLite opens the file."""
    file = Path(path)
    if file.is_dir():
        raise StorageError(StorageError.FOLDER, path)
    if read_only:
        if not file.exists():
            raise StorageError(StorageError.MISSING, path)
        return
    if file.exists():
        folder = file.parent
        # WAL mode needs to write the file and create -wal and -shm next to it. A file without
        # any write permission is meant to be read-only, even for root (who could write it).
        writable = os.access(file, os.W_OK) and file.stat().st_mode & 0o222
        if not writable or not os.access(folder, os.W_OK | os.X_OK):
            raise StorageError(StorageError.READ_ONLY, path)
    try:
        private_file(file)
    except OSError as error:
        raise StorageError(StorageError.CANNOT_OPEN, path, error.strerror or "") from None


def _classify(error: sqlite3.Error, path: str) -> StorageError:
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None and code & 0xFF in _BUSY_CODES:
        return DatabaseBusy(path)
    if code in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT):
        return StorageError(StorageError.NOT_SQLITE, path)
    if code is not None and code & 0xFF == sqlite3.SQLITE_READONLY:
        return StorageError(StorageError.READ_ONLY, path)
    return StorageError(StorageError.CANNOT_OPEN, path, str(error))


class Database:
    """An open database: use `transaction()` to write and `read()` to read."""

    def __init__(self, conn: aiosqlite.Connection, path: str, read_only: bool = False) -> None:
        self._conn = conn
        self._tx = Tx(conn, path)
        self._lock = asyncio.Lock()
        self.path = path
        self.read_only = read_only

    @classmethod
    async def open(
        cls, path: str | Path, *, migrate_to: int | None = None, read_only: bool = False
    ) -> Database:
        """Open (creating if needed) and bring the schema up to date (or to `migrate_to`).

        Starting takes no write lock unless a migration is due, so a process can start while
        another one imports. `read_only` (backup, check) never writes and never migrates.
        Raises StorageError (one line for the operator) for a file that cannot be used.
        """
        path = str(path)
        if path != ":memory:":
            _check_path(path, read_only)
        target = f"file:{quote(path)}?mode=ro" if read_only else path
        try:
            # check_same_thread off: `Tx.execute_here` uses the connection from the event loop.
            conn = await aiosqlite.connect(
                target, uri=read_only, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as error:
            raise _classify(error, path) from None
        conn.row_factory = aiosqlite.Row
        db = cls(conn, path, read_only)
        try:
            await db._configure()
            if not read_only:
                await db._bring_up_to_date(migrate_to)
        except BaseException as error:
            await conn.close()
            if isinstance(error, sqlite3.Error):
                raise _classify(error, path) from None
            raise
        return db

    async def _configure(self) -> None:
        conn = self._conn
        await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # Deleted rows are overwritten with zeros, whatever the SQLite build's default is.
        await conn.execute("PRAGMA secure_delete = ON")
        await conn.execute("PRAGMA foreign_keys = ON")
        await conn.execute(f"PRAGMA synchronous = {SYNCHRONOUS}")
        await conn.execute(f"PRAGMA journal_size_limit = {JOURNAL_SIZE_LIMIT}")
        await conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        # The first statement that reads the file: a file that is not SQLite fails here.
        mode = (await conn.execute_fetchall("PRAGMA journal_mode"))[0][0]
        if mode != "wal" and not self.read_only:
            await conn.execute("PRAGMA journal_mode = WAL")

    async def _bring_up_to_date(self, target: int | None) -> None:
        """Read the version without a lock; migrate (under the write lock) only when behind."""
        current = await self.schema_version()
        newest = latest_version()
        if current > newest:
            raise StorageError(StorageError.NEWER_SCHEMA, self.path, f"{current} > {newest}")
        if current < (newest if target is None else min(target, newest)):
            await self.migrate(target)

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
            async with self.transaction(durable=True) as tx:
                if number <= await _user_version(tx):
                    continue
                for statement in _split_statements(script):
                    await tx.execute(statement)
                # PRAGMA takes no parameters; `number` is an int from a file name.
                await tx.execute(f"PRAGMA user_version = {int(number)}")
                applied.append(number)
        return applied

    @asynccontextmanager
    async def transaction(self, *, durable: bool = False, bulk: bool = False) -> AsyncIterator[Tx]:
        """Exclusive use of the connection inside BEGIN IMMEDIATE … COMMIT (ROLLBACK on error).

        `durable`: the commit is synced to disk before this returns (synchronous=FULL), for
        consent, withdrawal and erasure. SQLite cannot change that inside a transaction, so it
        is set before BEGIN. Raises DatabaseBusy when another process keeps the write lock.

        `bulk`: one large write that holds the write lock as briefly as it can (an import). Its
        commit starts no checkpoint (the caller runs `checkpoint()` once the lock is let go),
        and foreign keys are not checked row by row: the caller checks what it writes itself,
        in one statement (for 100,000 rows that saves a quarter of the time under the lock).
        """
        async with self._lock:
            if durable:
                await self._conn.execute("PRAGMA synchronous = FULL")
            if bulk:
                await self._conn.execute("PRAGMA wal_autocheckpoint = 0")
                await self._conn.execute("PRAGMA foreign_keys = OFF")
            try:
                try:
                    await self._conn.execute("BEGIN IMMEDIATE")
                except sqlite3.OperationalError as error:
                    if error.sqlite_errorcode & 0xFF in _BUSY_CODES:
                        raise DatabaseBusy(self.path) from None
                    raise
                try:
                    yield self._tx
                except BaseException:
                    await self._conn.rollback()
                    raise
                else:
                    await self._conn.commit()
            finally:
                # Also after a rollback: a needless rebuild of the search index costs less
                # than guessing whether a failed commit took effect.
                self._tx.settle()
                if durable:
                    await self._conn.execute(f"PRAGMA synchronous = {SYNCHRONOUS}")
                if bulk:
                    await self._conn.execute("PRAGMA foreign_keys = ON")
                    await self._conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT}")

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Tx]:
        """Exclusive use of the connection for reads that need no transaction."""
        async with self._lock:
            try:
                yield self._tx
            finally:
                self._tx.settle()  # a write outside a transaction commits by itself

    async def truncate_wal(self) -> bool:
        """Copy the WAL into the database file and cut it to zero bytes, so what was deleted is
        no longer anywhere on disk (with secure_delete the database file holds zeros there).
        False when another process's reader kept part of the WAL in use."""
        async with self._lock:
            rows = await self._conn.execute_fetchall("PRAGMA wal_checkpoint(TRUNCATE)")
        return not rows[0][0]

    async def checkpoint(self) -> float:
        """After a large write: copy the WAL into the database file (PASSIVE: nobody waits for
        it), then cut the WAL to zero bytes (TRUNCATE: other writers wait meanwhile, but little
        is left to copy by then). Returns how long the second step kept writers out (seconds)."""
        async with self._lock:
            await self._conn.execute_fetchall("PRAGMA wal_checkpoint(PASSIVE)")
        async with self._lock:
            started = time.monotonic()
            await self._conn.execute_fetchall("PRAGMA wal_checkpoint(TRUNCATE)")
            return time.monotonic() - started

    async def backup(self, target: str | Path) -> None:
        """An online, consistent copy of the database (SQLite's backup API), readable only by
        its owner."""
        target = str(target)
        private_file(target)
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
