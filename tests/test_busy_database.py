"""Another process holds the write lock (as an import does): starting takes no write lock, so
commands start and read; what must write waits a bounded time, then says in one line that the
database is busy (exit code 1), never a traceback."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from pathlib import Path

import pytest

from store.db import BUSY_TIMEOUT_MS, Database
from tests.support import env_without_our_settings

HOLD_SECONDS = BUSY_TIMEOUT_MS / 1000 + 6  # longer than any command waits for the lock

# Another process that takes the write lock, says so, and keeps it.
HOLDER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("INSERT INTO areas (code, name, parent) VALUES ('kampen', 'Kampen', 'nl')")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("ROLLBACK")
"""


async def mantelbot(cwd: Path, *args: str, stdin: str = "") -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env_without_our_settings(),
        cwd=cwd,
    )
    out, err = await asyncio.wait_for(proc.communicate(stdin.encode()), 60)
    return proc.returncode, out.decode(), err.decode()


@pytest.fixture
async def locked(tmp_path: Path):
    """A loaded database whose write lock another process holds for HOLD_SECONDS."""
    db = tmp_path / "bot.sqlite3"
    code, _, err = await mantelbot(tmp_path, "db", "load-example", "--db", str(db))
    assert code == 0, err
    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", HOLDER, str(db), str(HOLD_SECONDS), stdout=asyncio.subprocess.PIPE
    )
    assert await asyncio.wait_for(holder.stdout.readline(), 30) == b"locked\n"
    yield db
    await holder.wait()


async def test_while_another_process_writes_commands_start_and_read(locked, tmp_path):
    areas = tmp_path / "areas.csv"
    areas.write_text("code,name,parent,postcodes\nzwolle,Zwolle,,8011-8017\n")
    db = str(locked)
    check, listing, chat, imported = await asyncio.gather(
        mantelbot(tmp_path, "db", "check", "--db", db),
        mantelbot(tmp_path, "resources", "list", "--db", db),
        mantelbot(tmp_path, "chat", "--user", "anna", "--db", db, stdin="/start\n"),
        mantelbot(tmp_path, "areas", "import", str(areas), "--db", db),
    )
    # Reading needs no write lock: check and list work at once.
    assert check[0] == 0 and "Database is in orde" in check[1], check
    assert listing[0] == 0 and "respijthuis" in listing[1].lower(), listing
    # The chat starts; a message it cannot store gets a plain answer.
    code, out, err = chat
    assert code == 0 and "Traceback" not in err, err
    assert "Ik ben Mantelbot" in out or "Het is nu erg druk" in out, out
    # The import must write: one line, exit code 1, nothing changed.
    code, out, err = imported
    assert code == 1, (out, err)
    assert len(err.splitlines()) == 1, err
    assert err.startswith(f"mantelbot: De database {db} is bezet") and "Traceback" not in err


async def test_a_start_that_must_migrate_waits_then_says_busy(tmp_path):
    path = tmp_path / "old.sqlite3"
    old = await Database.open(path, migrate_to=1)
    await old.close()
    with sqlite3.connect(path, isolation_level=None) as holder:
        holder.execute("BEGIN IMMEDIATE")
        code, out, err = await mantelbot(tmp_path, "resources", "list", "--db", str(path))
        holder.execute("ROLLBACK")
    assert code == 1
    assert len(err.splitlines()) == 1 and "bezet" in err and "Traceback" not in err
    code, out, err = await mantelbot(tmp_path, "resources", "list", "--db", str(path))
    assert code == 0, err  # free again: migrated and listed
