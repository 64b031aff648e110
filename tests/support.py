"""Test helpers: the engine as a channel builds it, and a chat that talks to it like a user."""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import translators
from flows import Engine, Incoming, Reply
from store.db import Database

TZ = ZoneInfo("Europe/Amsterdam")
# The crisis corpus figures, printed at the end of the run (tests/conftest.py).
CORPUS_FIGURES = pytest.StashKey[list[str]]()
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=TZ)


def make_engine(db: Database, default_language: str = "nl") -> Engine:
    return Engine(db, translators(TZ), default_language=default_language, clock=lambda: NOW)


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


async def rows(db: Database, query: str, *params: object) -> list[tuple]:
    async with db.read() as tx, tx.execute(query, params) as cur:
        return [tuple(r) for r in await cur.fetchall()]


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


async def start_mantelbot(
    cwd: Path, *args: str, env: dict[str, str] | None = None, stderr: int | None = None
) -> asyncio.subprocess.Process:
    """A real `mantelbot` process with pipes, in this machine's environment without our own
    settings (plus `env`); stderr is discarded unless `stderr` says otherwise."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("MANTELBOT_", "TELEGRAM_"))}
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL if stderr is None else stderr,
        env=clean | (env or {}),
        cwd=cwd,
    )


def typed_question_for_consultant(question: str) -> list[str]:
    """What a carer types in `mantelbot chat`, from the main menu, to send `question` to a
    mantelzorgconsulent (the reply to the last line starts with "Verstuurd.")."""
    return [
        "Vraag een mantelzorgconsulent",
        "Mijn vraag stellen",
        "Even vrij (respijtzorg)",
        question,
        "Versturen",
    ]
