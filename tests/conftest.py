"""Shared fixtures: a real SQLite file and the real engine and flows over it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot import example_data
from flows import Engine
from store.db import Database
from tests.support import CORPUS_FIGURES, Chat, make_engine


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "test.sqlite3")
    yield database
    await database.close()


@pytest.fixture
async def example_db(db: Database) -> Database:
    await example_data.load(db, lambda s: s)
    return db


@pytest.fixture
def engine(example_db: Database) -> Engine:
    return make_engine(example_db)


@pytest.fixture
def chat(engine: Engine) -> Chat:
    return Chat(engine)


# A small municipality that is not the example data's: Zwolle with two districts, and Kampen.
ZWOLLE_AREAS = """code,name,parent,postcodes
zwolle,Zwolle,,8000-8049
zwolle-zuid,Zwolle-Zuid,zwolle,8011-8017
holtenbroek,Holtenbroek,zwolle,8031-8035
kampen,Kampen,,8260-8269
"""
ZWOLLE_RESOURCES = """id,name,category,areas,description_nl,description_en,phone,email,url,address,\
cost,cost_en,opening_hours,opening_hours_en,starts_at,ends_at,source
zw-logeerhuis,Logeerhuis De IJssel,respite,zwolle-zuid,Je naaste logeert een weekend.,\
The person you care for stays for a weekend.,038 000 00 01,logeer@example.org,\
https://example.org/logeer,"Dijkweg 1, 8011 AA Zwolle",Gratis,Free,ma-vr 9:00-17:00,,,,test
zw-cursus-dementie,Cursus Omgaan met dementie,course,zwolle,Zes avonden over dementie.,,,\
cursus@example.org,,,,,,,2026-11-01T19:30:00+01:00,2027-03-01T21:00:00+01:00,test
zw-cursus-stress,Cursus Minder stress,course,holtenbroek,Vier ochtenden.,,038 000 00 02,,,,,,,,\
2027-01-12T10:00:00+01:00,2027-02-02T12:00:00+01:00,test
kp-praatgroep,Praatgroep Kampen,peer_group,kampen,Samen praten.,Talking together.,\
038 000 00 03,,,,,,di 10:00-12:00,Tue 10:00-12:00,,,test
nl-online-cursus,Online cursus mantelzorg,course,nl,Leer op je eigen tempo.,\
Learn at your own pace.,,,https://example.org/online,,,,,,,,test
"""


@pytest.fixture
async def zwolle_db(db: Database) -> Database:
    """Areas and resources of Zwolle and Kampen, loaded through the real CSV import."""
    from store.csv_files import import_areas, import_resources

    await import_areas(db, ZWOLLE_AREAS.encode(), lambda s: s, actor="test")
    await import_resources(db, ZWOLLE_RESOURCES.encode(), lambda s: s, actor="test")
    return db


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Print the crisis corpus figures in every run that measured them (also in CI)."""
    figures = config.stash.get(CORPUS_FIGURES, None)
    if figures:
        terminalreporter.write_sep("-", "crisis detection corpus")
        for line in figures:
            terminalreporter.write_line(line)
