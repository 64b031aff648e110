"""Test helpers: the engine as a channel builds it, and a chat that talks to it like a user."""

from __future__ import annotations

import asyncio
import inspect
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import translators
from flows import Engine, Incoming, Reply
from store import coordinators
from store.db import Database

TZ = ZoneInfo("Europe/Amsterdam")
# The crisis corpus figures, printed at the end of the run (tests/conftest.py).
CORPUS_FIGURES = pytest.StashKey[list[str]]()
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=TZ)


@dataclass
class Clock:
    """A clock the test moves (`clock.now += timedelta(days=2)`); pass it as any `clock`."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now


def make_engine(db: Database, default_language: str = "nl") -> Engine:
    return Engine(db, translators(TZ), default_language=default_language, clock=lambda: NOW)


async def make_coordinator(
    db: Database,
    external_id: str,
    areas: list[str],
    *,
    role: str = "coordinator",
    channel: str = "test",
    name: str = "Fatima Amrani",
    org: str = "Steunpunt Mantelzorg West",
) -> int:
    """A coordinator (or admin) of `areas`, as `mantelbot coordinators add` makes one."""
    async with db.transaction() as tx:
        user_id = await coordinators.user_for(tx, channel, external_id, NOW)
        await coordinators.save(
            tx, user_id, role=role, name=name, org=org, areas=areas, actor="test", now=NOW
        )
    return user_id


@dataclass
class Chat:
    """One user talking to the engine; keeps the replies of the last turn."""

    engine: Engine
    user: str = "carer-1"
    hint: str | None = None
    channel: str = "test"
    last: list[Reply] = field(default_factory=list)

    async def send(self, text: str) -> list[Reply]:
        self.last = await self.engine.handle(
            Incoming(self.channel, self.user, text=text, language_hint=self.hint)
        )
        return self.last

    async def press(self, key: str) -> list[Reply]:
        """Press a button of the last turn (fails the test if it was not offered)."""
        assert key in self.keys, f"{key!r} not offered; offered: {self.keys}"
        self.last = await self.engine.handle(
            Incoming(self.channel, self.user, choice=key, language_hint=self.hint)
        )
        return self.last

    async def press_stale(self, key: str) -> list[Reply]:
        self.last = await self.engine.handle(
            Incoming(self.channel, self.user, choice=key, language_hint=self.hint)
        )
        return self.last

    @property
    def keys(self) -> list[str]:
        return [c.key for r in self.last for c in r.choices]

    @property
    def labels(self) -> list[str]:
        return [c.label for r in self.last for c in r.choices]

    @property
    def text(self) -> str:
        return "\n\n".join(r.text for r in self.last)

    async def onboard(
        self, postcode: str = "1055 AB", consent: bool = True, care: str | None = None
    ) -> None:
        """Start, consent (or not), the carer's postcode, then the naaste's (`care`: a postcode,
        "same"; None skips it). Ends at the main menu."""
        await self.send("/start")
        await self.press("yes" if consent else "no")
        await self.send(postcode)
        if care is None:
            await self.press("skip")
        elif care == "same":
            await self.press("same")
        else:
            await self.send(care)


async def eventually(check: Callable[[], object], within: float = 10.0) -> None:
    """Wait for a condition nothing announces (a database row, a message a background loop sent);
    `check` may be async. No fixed sleeps: it returns as soon as the condition holds."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        met = check()
        if inspect.isawaitable(met):
            met = await met
        if met:
            return
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


async def rows(db: Database, query: str, *params: object) -> list[tuple]:
    async with db.read() as tx, tx.execute(query, params) as cur:
        return [tuple(r) for r in await cur.fetchall()]


async def rows_about(db: Database, user_id: int | None, external_id: str) -> list[tuple]:
    """(table, row) for every row in any table that holds the user's id in a column that refers
    to users (or is called user_id), or the external id anywhere in any text value."""
    found = []
    async with db.read() as tx:
        async with tx.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ) as cur:
            tables = [r[0] for r in await cur.fetchall()]
        for table in tables:
            async with tx.execute(f'PRAGMA foreign_key_list("{table}")') as cur:
                id_columns = {r["from"] for r in await cur.fetchall() if r["table"] == "users"}
            async with tx.execute(f'SELECT * FROM "{table}"') as cur:
                rows = await cur.fetchall()
            for row in rows:
                columns = row.keys()
                ids = id_columns | ({"user_id"} & set(columns))
                if table == "users":
                    ids.add("id")
                by_id = user_id is not None and any(row[c] == user_id for c in ids)
                by_external = any(isinstance(v, str) and external_id in v for v in tuple(row))
                if by_id or by_external:
                    found.append((table, tuple(row)))
    return found


async def dump(db: Database, *, clockless: bool = False) -> list[str]:
    """Every row of every table, as SQL: to show that something changed nothing at all.
    `clockless`: without the bookkeeping columns of the conversation state (a refusal on a real
    clock asks the same question again at a new time, for a new update)."""
    async with db.read() as tx:
        tables = [
            r[0]
            for r in (
                await tx.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%' ORDER BY name"
                )
            ).rows
        ]
        lines = []
        for table in tables:
            for row in (await tx.execute(f'SELECT * FROM "{table}" ORDER BY 1')).rows:
                values = dict(row)
                if clockless and table == "conversation_state":
                    for bookkeeping in ("updated_at", "last_update", "delivered"):
                        values.pop(bookkeeping, None)
                lines.append(f"{table}: {tuple(values.values())!r}")
    return lines


def env_without_our_settings(**extra: str) -> dict[str, str]:
    """This machine's environment without our own settings (a developer's token or database must
    never reach a test's process), plus `extra`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MANTELBOT_", "TELEGRAM_", "SIGNAL_"))
    }
    return env | extra


async def start_mantelbot(
    cwd: Path, *args: str, env: dict[str, str] | None = None, stderr: int | None = None
) -> asyncio.subprocess.Process:
    """A real `mantelbot` process with pipes, in this machine's environment without our own
    settings (plus `env`); stderr is discarded unless `stderr` says otherwise."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL if stderr is None else stderr,
        env=env_without_our_settings(**(env or {})),
        cwd=cwd,
    )


def typed_question_for_consultant(question: str) -> list[str]:
    """What a carer types in `mantelbot chat`, from the main menu, to send `question` to a
    mantelzorgconsulent (the reply to the last line starts with "Verstuurd.", or with "Ik heb je
    vraag bewaard." where no adviser answers for the area, as in the example data)."""
    return [
        "Vraag een mantelzorgconsulent",
        "Mijn vraag stellen",
        "Even vrij (respijtzorg)",
        question,
        "Versturen",
    ]
