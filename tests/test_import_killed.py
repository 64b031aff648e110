"""An import killed while it holds the write lock leaves the data as it was: no half-applied
import. Real processes on one database file, as when a server is stopped mid-import."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.test_cli import clean_env, mantelbot
from tests.test_import_while_chatting import ROWS, big_csv, prepare


def state(path: Path) -> tuple[int, int, int, str]:
    """Resources, renamed ones, audit rows, and the integrity check."""
    with sqlite3.connect(path) as conn:
        return (
            conn.execute("SELECT count(*) FROM resources").fetchone()[0],
            conn.execute("SELECT count(*) FROM resources WHERE name LIKE '%(nieuw)'").fetchone()[0],
            conn.execute("SELECT count(*) FROM audit_log").fetchone()[0],
            conn.execute("PRAGMA integrity_check").fetchone()[0],
        )


def edited_csv(folder: Path) -> None:
    """Every row renamed, and 100 new ones."""
    big_csv(folder / "edited.csv", ROWS + 100)
    header, *lines = (folder / "edited.csv").read_text(encoding="utf-8").splitlines()
    renamed = []
    for line in lines:
        rid, name, rest = line.split(",", 2)
        renamed.append(f"{rid},{name} (nieuw),{rest}")
    (folder / "edited.csv").write_text("\n".join([header, *renamed]) + "\n", encoding="utf-8")


def kill_once_it_writes(proc: subprocess.Popen, path: Path) -> bool:
    """SIGKILL the import the moment it holds the write lock (another connection's BEGIN
    IMMEDIATE is refused). False when it ended without being seen holding it."""
    probe = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        while proc.poll() is None:
            try:
                probe.execute("BEGIN IMMEDIATE")
                probe.execute("ROLLBACK")
            except sqlite3.OperationalError:  # locked: the import is writing
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                return True
            time.sleep(0.001)
        return False
    finally:
        probe.close()


def test_an_import_killed_while_writing_leaves_the_old_data(tmp_path):
    prepare(tmp_path)
    assert mantelbot(tmp_path, "resources", "import", "big.csv").returncode == 0
    edited_csv(tmp_path)
    db = tmp_path / "cli.sqlite3"
    before = state(db)
    assert before[1:] == (0, before[2], "ok")

    importer = subprocess.Popen(
        [sys.executable, "-m", "bot", "resources", "import", "edited.csv"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=clean_env(tmp_path),
        cwd=tmp_path,
    )
    assert kill_once_it_writes(importer, db), "the import ended before it was seen writing"
    assert importer.returncode == -signal.SIGKILL
    assert state(db) == before  # not one row renamed, added or audited

    again = mantelbot(tmp_path, "resources", "import", "edited.csv")
    assert again.returncode == 0, again.stderr
    assert f"100 nieuw, {ROWS} gewijzigd" in again.stdout
    # Every row, and an audit entry for each plus one for the file.
    assert state(db) == (before[0] + 100, ROWS + 100, before[2] + ROWS + 101, "ok")
