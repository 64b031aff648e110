"""The SQLite store: migrations, transactions, backup and check on a real file."""

import asyncio
import sqlite3

import pytest

from store import areas, resources
from store.db import JOURNAL_SIZE_LIMIT, Database, migration_scripts
from tests.support import rows


async def test_a_database_made_by_the_first_migration_is_upgraded(tmp_path):
    path = tmp_path / "old.sqlite3"
    old = await Database.open(path, migrate_to=1)
    assert await old.schema_version() == 1
    async with old.transaction() as tx:
        await areas.upsert(tx, areas.Area("amsterdam", "Amsterdam", "nl", (1055,)))
    await old.close()

    upgraded = await Database.open(path)
    try:
        assert await upgraded.schema_version() == migration_scripts()[-1][0]
        async with upgraded.read() as tx:
            assert (await areas.for_postcode(tx, 1055)).code == "amsterdam"  # data kept
            helplines = await resources.for_areas(tx, "helpline", ["nl"])
        assert {"alarmnummer-112", "zelfmoordpreventie-113", "de-luisterlijn"} <= {
            r.id for r in helplines
        }
        assert await rows(upgraded, "SELECT count(*) FROM audit_log") == [(0,)]
    finally:
        await upgraded.close()


async def test_opening_twice_applies_nothing_new(tmp_path):
    db = await Database.open(tmp_path / "x.sqlite3")
    assert await db.migrate() == []
    await db.close()


async def test_database_runs_in_wal_with_foreign_keys_and_secure_delete(db):
    assert await rows(db, "PRAGMA journal_mode") == [("wal",)]
    assert await rows(db, "PRAGMA foreign_keys") == [(1,)]
    assert await rows(db, "PRAGMA secure_delete") == [(1,)]
    assert await rows(db, "PRAGMA journal_size_limit") == [(JOURNAL_SIZE_LIMIT,)]


async def test_a_durable_transaction_syncs_its_commit_and_others_do_not(db):
    """Conversation steps commit with synchronous=NORMAL; consent and erasure with FULL."""
    async with db.transaction() as tx:
        assert (await tx.execute("PRAGMA synchronous")).rows[0][0] == 1  # NORMAL
    async with db.transaction(durable=True) as tx:
        assert (await tx.execute("PRAGMA synchronous")).rows[0][0] == 2  # FULL
    async with db.transaction() as tx:
        assert (await tx.execute("PRAGMA synchronous")).rows[0][0] == 1


async def test_a_failed_transaction_leaves_nothing_behind(db):
    with pytest.raises(sqlite3.IntegrityError):
        async with db.transaction() as tx:
            await areas.upsert(tx, areas.Area("west", "West", "nl", (1055,)))
            await areas.upsert(tx, areas.Area("oost", "Oost", "nowhere", ()))  # foreign key
    assert await rows(db, "SELECT code FROM areas") == [("nl",)]


async def test_concurrent_writers_never_share_a_transaction(db):
    async def add(code: str) -> None:
        async with db.transaction() as tx:
            await areas.upsert(tx, areas.Area(code, code, "nl", ()))
            await asyncio.sleep(0)  # give the other coroutine every chance to interleave
            if code == "b":
                raise RuntimeError("roll back b only")

    results = await asyncio.gather(add("a"), add("b"), add("c"), return_exceptions=True)
    assert isinstance(results[1], RuntimeError)
    assert await rows(db, "SELECT code FROM areas ORDER BY code") == [("a",), ("c",), ("nl",)]


async def test_backup_is_a_complete_copy_and_check_passes(example_db, tmp_path):
    await example_db.backup(tmp_path / "backup" / "copy.sqlite3")
    copy = await Database.open(tmp_path / "backup" / "copy.sqlite3")
    try:
        assert await rows(copy, "SELECT count(*) FROM resources") == await rows(
            example_db, "SELECT count(*) FROM resources"
        )
        assert await copy.check() == []
    finally:
        await copy.close()


async def test_postcode_maps_to_the_most_specific_area(example_db):
    async with example_db.read() as tx:
        assert (await areas.for_postcode(tx, 1055)).code == "west"
        assert (await areas.for_postcode(tx, 1102)).code == "zuidoost"
        assert (await areas.for_postcode(tx, 1000)).code == "amsterdam"
        assert await areas.for_postcode(tx, 9999) is None
        assert await areas.lineage(tx, "west") == ["west", "amsterdam", "nl"]


def test_postcode_ranges_round_trip():
    values, bad = areas.split_postcodes("1051-1058; 1013;1015-1016")
    assert values[:3] == (1013, 1015, 1016) and bad == []
    assert areas.format_postcodes(values) == "1013;1015-1016;1051-1058"
    assert areas.split_postcodes("12AB;1013;999") == ((1013,), ["12AB", "999"])
