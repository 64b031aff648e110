"""/vergeetmij in a running bot: afterwards no byte of the erased text is left in the database
file or its WAL (the bot is still running, so SQLite has not cleaned up on close)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.support import start_mantelbot, typed_question_for_consultant

QUESTION = "Mijn schoonvader Xylander Quokkabeek vergeet zijn insuline, wie helpt ons 's avonds?"


def on_disk(db: Path) -> bytes:
    wal = Path(f"{db}-wal")
    return db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def wal_size(db: Path) -> int:
    return Path(f"{db}-wal").stat().st_size


def traces(data: bytes) -> list[str]:
    """Which parts of the question are in `data` (the whole text, and its rarest words)."""
    parts = [QUESTION, "Xylander", "Quokkabeek", "insuline"]
    return [part for part in parts if part.encode() in data]


async def test_after_vergeetmij_the_question_is_in_neither_the_database_nor_the_wal(tmp_path):
    db = tmp_path / "bot.sqlite3"
    chat = await start_mantelbot(tmp_path, "chat", "--user", "anna", "--db", str(db))

    async def say(lines: list[str], until: str) -> None:
        chat.stdin.write("".join(line + "\n" for line in lines).encode())
        await chat.stdin.drain()
        seen = ""
        while until not in seen:
            line = await asyncio.wait_for(chat.stdout.readline(), 60)
            assert line, seen
            seen += line.decode()

    try:
        await say(["1", "1055 AB", "Overslaan"], "Wat wil je doen?")
        await say(
            typed_question_for_consultant(QUESTION),
            "Ik heb je vraag bewaard.",  # no adviser in the example data: stored all the same
        )
        # Stored (draft in the state, then the handover): the test can see it.
        assert traces(on_disk(db)), "the question should be on disk before the erasure"

        await say(["/vergeetmij", "Ja, wis alles"], "Ik heb alles gewist")
        assert traces(on_disk(db)) == []
        assert wal_size(db) == 0  # cut by a truncating checkpoint
    finally:
        chat.stdin.close()
        code = await asyncio.wait_for(chat.wait(), 60)
    assert code == 0
