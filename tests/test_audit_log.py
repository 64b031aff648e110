"""The audit log: append-only for the application, and readable by date and by area."""

from __future__ import annotations

import re
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from store import audit, managed_resources, resources
from store.db import Database
from store.resources import Resource
from tests.support import rows

ROOT = Path(__file__).resolve().parent.parent
# Any statement that would change or remove audit rows, however it is spelled.
CHANGING = re.compile(
    r"\b(UPDATE\s+(OR\s+\w+\s+)?[\"'`\[]?audit_log|DELETE\s+FROM\s+[\"'`\[]?audit_log"
    r"|DROP\s+TABLE\s+(IF\s+EXISTS\s+)?[\"'`\[]?audit_log"
    r"|REPLACE\s+INTO\s+[\"'`\[]?audit_log|DROP\s+TRIGGER\s+(IF\s+EXISTS\s+)?audit_log)",
    re.IGNORECASE,
)


def test_no_code_updates_or_deletes_audit_rows():
    offenders = []
    for folder in ("store", "flows", "bot"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in (".py", ".sql"):
                for match in CHANGING.finditer(path.read_text(encoding="utf-8")):
                    offenders.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert not offenders


def test_the_scan_would_see_a_change():
    """The pattern catches the spellings a change could take (so the scan above can fail)."""
    for sql in (
        "UPDATE audit_log SET actor = 'x'",
        'delete from "audit_log" where id = 1',
        "UPDATE OR REPLACE audit_log SET detail = '{}'",
        "REPLACE INTO audit_log (id) VALUES (1)",
        "DROP TRIGGER IF EXISTS audit_log_no_update",
    ):
        assert CHANGING.search(sql), sql


async def test_the_database_refuses_to_change_or_remove_audit_rows(db: Database):
    async with db.transaction() as tx:
        await audit.record(tx, "cli:test", "create", "resource", "r1", {"name": [None, "A"]})
    for statement in ("UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            async with db.transaction() as tx:
                await tx.execute(statement)
    assert await rows(db, "SELECT actor FROM audit_log") == [("cli:test",)]


async def test_a_change_records_old_and_new_and_the_areas(db: Database):
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO areas (code, name, parent) VALUES ('kampen', 'Kampen', 'nl')")
        await tx.execute("INSERT INTO areas (code, name, parent) VALUES ('zwolle', 'Zwolle', 'nl')")
        first = Resource("maatje", "Maatje Kampen", "buddy", phone="038 000", areas=("kampen",))
        await managed_resources.save(tx, "coordinator:7", None, first)
        moved = Resource("maatje", "Maatje IJssel", "buddy", phone="038 111", areas=("zwolle",))
        await managed_resources.save(tx, "coordinator:7", first, moved)
        unchanged = await managed_resources.save(tx, "coordinator:7", moved, moved)
        await managed_resources.verify(tx, "coordinator:7", moved, date(2026, 11, 23))
        stored = await resources.get(tx, "maatje")
        newest, *_ = await audit.entries(tx, "resource")
        in_kampen = await audit.entries(tx, areas=["kampen"])
        elsewhere = await audit.entries(tx, areas=["nl"])
    assert unchanged is False
    assert stored.last_verified == "2026-11-23"
    assert newest.detail == {"last_verified": [None, "2026-11-23"]}
    # The move is found from both the old and the new area.
    assert [e.detail.get("phone") for e in in_kampen] == [["038 000", "038 111"], [None, "038 000"]]
    assert in_kampen[0].detail["areas"] == [["kampen"], ["zwolle"]]
    assert elsewhere == []


def test_a_coordinator_change_reads_as_old_and_new():
    from bot.reports import describe

    detail = {
        "old": {"areas": ["west"], "name": "Fatima", "org": "Steunpunt", "role": "coordinator"},
        "new": {"areas": ["oost"], "name": "Fatima", "org": "Steunpunt", "role": "coordinator"},
    }
    assert describe(detail) == 'areas: ["west"] → ["oost"]'
    assert describe({"areas": ["west"]}) == '{"areas": ["west"]}'  # an invite: as recorded
