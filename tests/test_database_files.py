"""The database file as an operator meets it: a wrong file fails fast with one line, and the
health data on disk is readable by the bot's own user only."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from store.db import Database, latest_version
from tests.support import env_without_our_settings

# `run` gets a well-formed token and an address where nothing listens: it must stop at the
# database, before any request.
RUN_ENV = {
    "TELEGRAM_BOT_TOKEN": "7000000001:TEST-token-never-sent-anywhere",
    "TELEGRAM_API_URL": "http://127.0.0.1:9",
}


def mantelbot(cwd: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    env = env_without_our_settings()
    if args[0] == "run":
        env |= RUN_ENV
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input="/start\n",
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=60,
    )
    return done, time.monotonic() - started


def not_sqlite(tmp_path: Path) -> Path:
    path = tmp_path / "notes.sqlite3"
    path.write_text("Boodschappen: melk, brood. Dit is geen database.\n" * 20)
    return path


def folder(tmp_path: Path) -> Path:
    path = tmp_path / "data.sqlite3"
    path.mkdir()
    return path


def newer_schema(tmp_path: Path) -> Path:
    path = tmp_path / "future.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {latest_version() + 1}")
    return path


def read_only(tmp_path: Path) -> Path:
    path = tmp_path / "readonly.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x)")
    path.chmod(0o400)
    return path


BAD_FILES = {
    "not SQLite": (not_sqlite, "geen database van Mantelbot"),
    "a folder": (folder, "is een map"),
    "a newer schema": (newer_schema, "nieuwere Mantelbot"),
    "read-only": (read_only, "alleen-lezen"),
}


@pytest.mark.parametrize("command", [["chat"], ["run"], ["resources", "list"]])
@pytest.mark.parametrize("case", BAD_FILES)
def test_a_file_that_cannot_be_used_gives_one_line_and_exit_code_2(tmp_path, case, command):
    make, says = BAD_FILES[case]
    path = make(tmp_path)
    done, seconds = mantelbot(tmp_path, *command, "--db", str(path))
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert says in done.stderr and "Traceback" not in done.stderr
    assert seconds < 5  # the bound: a supervisor sees the failure at once
    assert done.stdout == ""


@pytest.mark.parametrize("case", ["not SQLite", "a folder"])
def test_db_check_of_a_file_that_is_no_database_says_so_in_one_line(tmp_path, case):
    make, says = BAD_FILES[case]
    done, seconds = mantelbot(tmp_path, "db", "check", "--db", str(make(tmp_path)))
    assert done.returncode == 2 and says in done.stderr
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert seconds < 5


def test_check_and_backup_read_a_read_only_database_and_never_create_one(tmp_path):
    path = read_only(tmp_path)
    done, _ = mantelbot(tmp_path, "db", "check", "--db", str(path))
    assert done.returncode == 0, done.stderr
    done, _ = mantelbot(tmp_path, "db", "backup", str(tmp_path / "copy.sqlite3"), "--db", str(path))
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(tmp_path / "copy.sqlite3") as conn:
        assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("t",)]

    done, _ = mantelbot(tmp_path, "db", "check", "--db", str(tmp_path / "typo.sqlite3"))
    assert done.returncode == 2 and "Er is geen database" in done.stderr
    assert not (tmp_path / "typo.sqlite3").exists()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def usual_umask():
    """The umask most systems start with (0022), which made files readable by everyone."""
    old = os.umask(0o022)
    yield
    os.umask(old)


async def test_database_wal_shm_and_backups_are_readable_by_the_owner_only(tmp_path, usual_umask):
    path = tmp_path / "data" / "bot" / "mantelbot.sqlite3"
    db = await Database.open(path)
    try:
        async with db.transaction() as tx:  # something in the WAL, so -wal and -shm exist
            await tx.execute("INSERT INTO areas (code, name, parent) VALUES ('kampen', 'K', 'nl')")
        for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            assert mode(file) == 0o600, file
        assert mode(tmp_path / "data") == 0o700 and mode(tmp_path / "data" / "bot") == 0o700

        backup = tmp_path / "backups" / "2026" / "copy.sqlite3"
        await db.backup(backup)
        assert mode(backup) == 0o600
        assert mode(tmp_path / "backups") == 0o700 and mode(backup.parent) == 0o700
    finally:
        await db.close()

    existing = tmp_path / "shared"
    existing.mkdir(mode=0o755)
    done, _ = mantelbot(tmp_path, "db", "backup", str(existing / "b.sqlite3"), "--db", str(path))
    assert done.returncode == 0, done.stderr
    assert mode(existing / "b.sqlite3") == 0o600
    assert mode(existing) == 0o755  # a folder the bot did not create is left as it was


async def test_an_old_database_readable_by_everyone_is_narrowed_at_start(tmp_path, usual_umask):
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
    path.chmod(0o644)
    db = await Database.open(path)
    await db.close()
    assert mode(path) == 0o600
