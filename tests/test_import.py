"""Importing resources as a coordinator's upload uses it: a preview that writes nothing, an area
scope that refuses a file touching other areas, and re-imports that change nothing. Made-up
municipality data (Zwolle and Kampen), on a real SQLite file."""

from __future__ import annotations

import pytest

from store import audit, resources
from store.csv_files import ImportRefused, import_areas, import_resources, preview_resources
from store.db import Database
from tests import town
from tests.support import Chat, make_engine, rows
from tests.test_cli import mantelbot

AREAS = b"""code,name,parent,postcodes
zwolle,Zwolle,nl,8000-8049
zwolle-centrum,Zwolle Centrum,zwolle,8011
zwolle-zuid,Zwolle Zuid,zwolle,8017-8019
kampen,Kampen,nl,8260-8267
"""

RESOURCES = b"""id,name,category,areas,phone,opening_hours,opening_hours_en
zw-respijt,Logeerhuis De IJssel,respite,zwolle-zuid,038 000 00 01,ma-vr 9-17,Mon-Fri 9-17
zw-cursus,Cursus Omgaan met dementie,course,zwolle,038 000 00 02,,
ka-maatje,Maatje Kampen,buddy,kampen,038 000 00 03,,
beide-lijn,Steunlijn IJssel,emotional_support,zwolle;kampen,038 000 00 04,,
"""

_ = lambda s: s  # noqa: E731  (the English msgids)


@pytest.fixture
async def zwolle(db: Database) -> Database:
    await import_areas(db, AREAS, _, "test")
    await import_resources(db, RESOURCES, _, "test")
    return db


async def audit_count(db: Database) -> int:
    return (await rows(db, "SELECT count(*) FROM audit_log"))[0][0]


async def test_preview_counts_and_reports_rows_without_writing(zwolle):
    before = await rows(zwolle, "SELECT * FROM resources ORDER BY id")
    audits = await audit_count(zwolle)
    upload = (
        b"id,name,category,areas\n"
        b"zw-respijt,Logeerhuis De IJssel (nieuw),respite,zwolle-zuid\n"  # changed
        b"zw-cursus,Cursus Omgaan met dementie,course,zwolle\n"  # unchanged
        b"zw-nieuw,Praatgroep Zwolle,peer_group,zwolle-centrum\n"  # new
        b"zw-fout,Fout,holiday,zwolle\n"  # row 5: unknown category
    )
    preview = await preview_resources(zwolle, upload, _)
    assert (preview.created, preview.updated, preview.unchanged) == (1, 1, 1)
    assert preview.created_ids == ("zw-nieuw",) and preview.updated_ids == ("zw-respijt",)
    assert not preview.ok and preview.problem_count == 1
    assert preview.problems[0].format(_) == "row 5: category: unknown category 'holiday'"
    assert await rows(zwolle, "SELECT * FROM resources ORDER BY id") == before
    assert await audit_count(zwolle) == audits

    good = await preview_resources(zwolle, upload.rsplit(b"zw-fout", 1)[0], _)
    assert good.ok and (good.created, good.updated, good.unchanged) == (1, 1, 1)


async def test_a_file_that_cannot_be_read_is_a_preview_problem_not_an_exception(zwolle):
    preview = await preview_resources(zwolle, b"", _)
    assert not preview.ok and preview.problems[0].format(_) == "file: the file is empty"


async def test_a_coordinator_of_zwolle_may_change_zwolle_and_its_districts(zwolle):
    upload = (
        b"id,name,category,areas\n"
        b"zw-respijt,Logeerhuis De IJssel,respite,zwolle-zuid;zwolle-centrum\n"
        b"zw-nieuw,Praatgroep Zwolle,peer_group,zwolle-centrum\n"
    )
    preview = await preview_resources(zwolle, upload, _, scope={"zwolle"})
    assert preview.ok, preview.problems
    result = await import_resources(zwolle, upload, _, "coordinator", scope={"zwolle"})
    assert (result.created, result.updated) == (1, 1)


@pytest.mark.parametrize(
    "line, reason",
    [
        (
            b"ka-nieuw,Nieuw in Kampen,buddy,kampen",
            "row 3: areas: area 'kampen' is not one of your areas",
        ),
        (
            b"ka-maatje,Maatje Kampen,buddy,zwolle",  # moving a Kampen resource into Zwolle
            "row 3: id: 'ka-maatje' now also belongs to area 'kampen', which is not one of your "
            "areas",
        ),
        (
            b"beide-lijn,Steunlijn IJssel (nieuw),emotional_support,zwolle;kampen",
            "row 3: areas: area 'kampen' is not one of your areas",
        ),
    ],
)
async def test_a_file_touching_an_area_outside_the_scope_is_refused_whole(zwolle, line, reason):
    before = await rows(zwolle, "SELECT * FROM resources ORDER BY id")
    upload = b"id,name,category,areas\nzw-nieuw,Praatgroep Zwolle,peer_group,zwolle\n" + line
    preview = await preview_resources(zwolle, upload, _, scope={"zwolle"})
    assert reason in [p.format(_) for p in preview.problems]
    with pytest.raises(ImportRefused) as refused:
        await import_resources(zwolle, upload, _, "coordinator", scope={"zwolle"})
    assert reason in [p.format(_) for p in refused.value.problems]
    assert await rows(zwolle, "SELECT * FROM resources ORDER BY id") == before  # not even row 2


async def test_an_unchanged_file_with_areas_in_another_order_changes_nothing(zwolle):
    audits = await audit_count(zwolle)
    reordered = RESOURCES.replace(b"zwolle;kampen", b" kampen ; zwolle ")
    result = await import_resources(zwolle, reordered, _, "test")
    assert (result.created, result.updated, result.unchanged) == (0, 0, 4)
    assert result.lock_seconds == 0.0  # it never took the write lock
    assert await audit_count(zwolle) == audits


async def test_a_changed_row_is_audited_with_only_what_changed(zwolle):
    upload = (
        b"id,name,category,areas,phone\n"
        b"beide-lijn,Steunlijn IJssel,emotional_support,zwolle,038 111 11 11\n"
    )
    result = await import_resources(zwolle, upload, _, "coordinator")
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    detail = (
        await rows(
            zwolle,
            "SELECT actor, action, detail FROM audit_log WHERE entity = 'resource' "
            "ORDER BY id DESC LIMIT 1",
        )
    )[0]
    assert detail == (
        "coordinator",
        "update",
        '{"areas": [["kampen", "zwolle"], ["zwolle"]], '
        '"phone": ["038 000 00 04", "038 111 11 11"]}',
    )
    async with zwolle.read() as tx:
        stored = await resources.get(tx, "beide-lijn")
    assert stored.areas == ("zwolle",) and stored.opening_hours == ""  # other columns kept


async def test_english_opening_hours_fall_back_to_dutch_with_a_flag(zwolle):
    async with zwolle.read() as tx:
        respite = await resources.get(tx, "zw-respijt")
        helpline = await resources.get(tx, "mantelzorglijn")
    assert respite.text_in("opening_hours", "en") == ("Mon-Fri 9-17", False)
    assert respite.text_in("opening_hours", "nl") == ("ma-vr 9-17", False)
    assert respite.text_in("cost", "en") == ("", False)  # nothing to fall back to
    assert helpline.text_in("opening_hours", "en") == ("weekdays", False)  # the migration
    dutch_only = resources.Resource("x", "X", "course", cost="gratis")
    assert dutch_only.text_in("cost", "en") == ("gratis", True)
    assert dutch_only.text("cost", "en") == "gratis"


async def test_an_import_is_audited_per_file_and_shortly_per_new_resource(tmp_path, db):
    """A new resource's entry names it and its areas (its other values are in the row, and
    every later change keeps the old value); one entry says what the file did as a whole."""
    await town.build(db)
    await town.add_coordinator(db, "fenna", ["weidebroek"])
    upload = tmp_path / "nieuw.csv"
    upload.write_bytes(
        b"id,name,category,areas,phone\n"
        b"wb-praat,Praatgroep Noord,peer_group,wb-noord,0599 111 111\n"
        b"wb-logeerhuis,Logeerhuis De Wilg,respite,wb-noord,0599 100 199\n"
    )
    result = await import_resources(db, upload, _, "cli:anna")
    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    async with db.read() as tx:
        trail = await audit.entries(tx, oldest_first=True)
    assert [(e.action, e.entity, e.entity_id) for e in trail[-3:]] == [
        ("create", "resource", "wb-praat"),
        ("update", "resource", "wb-logeerhuis"),
        ("import", "file", "nieuw.csv"),
    ]
    created, updated, whole = trail[-3:]
    assert created.detail == {"name": [None, "Praatgroep Noord"], "areas": [None, ["wb-noord"]]}
    assert updated.detail == {"phone": ["0599 100 100", "0599 100 199"]}
    assert whole.detail == {"created": 1, "updated": 1, "unchanged": 0}
    assert whole.areas == ("wb-noord",)  # so coordinators of that area see it

    fenna = Chat(make_engine(db), user="fenna")
    await fenna.send("/beheer")
    await fenna.press("changes")
    newest = fenna.text.split("\n\n")[1]
    assert newest.endswith(
        "cli:anna · nieuw.csv (geïmporteerd)\n  1 nieuw, 1 gewijzigd, 0 hetzelfde."
    )
    assert "wb-praat (nieuw)" in fenna.text and "Praatgroep Noord" in fenna.text

    printed = mantelbot(tmp_path, "audit", env={"MANTELBOT_DB": db.path}).stdout
    assert 'import file nieuw.csv: {"created": 1, "unchanged": 0, "updated": 1}' in printed
    assert (
        'create resource wb-praat: areas: - → ["wb-noord"]; name: - → Praatgroep Noord' in printed
    )
