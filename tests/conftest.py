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


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Print the crisis corpus figures in every run that measured them (also in CI)."""
    figures = config.stash.get(CORPUS_FIGURES, None)
    if figures:
        terminalreporter.write_sep("-", "crisis detection corpus")
        for line in figures:
            terminalreporter.write_line(line)
