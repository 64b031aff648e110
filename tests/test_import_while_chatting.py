"""A coordinator imports 20,000 resources in one process while a carer chats in another, on the
same database file: real processes, as on a server where `mantelbot run` and an import meet."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

from tests.test_cli import ZWOLLE_AREAS, clean_env, mantelbot

ROWS = 20_000


def big_csv(path: Path, rows: int = ROWS) -> None:
    lines = ["id,name,category,areas,phone,description_nl"]
    categories = ("respite", "course", "peer_group", "advice", "practical_help", "buddy")
    for i in range(rows):
        area = ("zwolle", "zwolle-zuid", "zwolle-centrum", "kampen")[i % 4]
        lines.append(
            f"bulk-{i},Hulp {i},{categories[i % len(categories)]},{area},038 {i:07d},"
            "Je kunt hier terecht met je vragen over de zorg voor je naaste."
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


class PipedChat:
    """`mantelbot chat` with a pipe for its input and output, read a reply at a time."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc

    @classmethod
    async def start(cls, folder: Path, user: str) -> PipedChat:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "chat",
            "--user",
            user,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            env=clean_env(folder),
            cwd=folder,
        )
        chat = cls(proc)
        await chat.read_until("[1]")  # the welcome
        return chat

    async def say(self, line: str, marker: str) -> str:
        self.proc.stdin.write(line.encode() + b"\n")
        await self.proc.stdin.drain()
        return await self.read_until(marker)

    async def read_until(self, marker: str) -> str:
        """Lines up to the end of the reply that contains `marker`: the blank line after its
        choices."""
        seen: list[str] = []
        while True:
            raw = await asyncio.wait_for(self.proc.stdout.readline(), 60)
            assert raw, "the chat ended; it printed:\n" + "\n".join(seen)
            line = raw.decode().rstrip("\n")
            if not line and seen and seen[-1].startswith("[") and marker in "\n".join(seen):
                return "\n".join(seen)
            seen.append(line)

    async def close(self) -> None:
        self.proc.stdin.close()
        await self.proc.wait()


async def onboarded_carer(folder: Path) -> PipedChat:
    carer = await PipedChat.start(folder, "anna")
    await carer.say("1", "postcode")  # consent: from here on every step is written
    await carer.say("8017 AB", "Zwolle Zuid")
    await carer.say("Overslaan", "Wat wil je doen?")
    return carer


async def start_import(folder: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "resources",
        "import",
        "big.csv",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=clean_env(folder),
        cwd=folder,
    )


def prepare(folder: Path) -> None:
    (folder / "areas.csv").write_text(ZWOLLE_AREAS, encoding="utf-8")
    assert mantelbot(folder, "areas", "import", "areas.csv").returncode == 0
    big_csv(folder / "big.csv")


async def test_every_carer_message_is_answered_during_a_20000_row_import(tmp_path):
    prepare(tmp_path)
    carer = await onboarded_carer(tmp_path)
    importer = await start_import(tmp_path)
    answered = during = 0
    while importer.returncode is None or answered < 6:
        running = importer.returncode is None
        for line, marker in (("/menu", "Wat wil je doen?"), ("3", "Wat voor hulp zoek je?")):
            reply = await carer.say(line, marker)
            assert "Sorry" not in reply
            answered += 1
            during += running
    out, err = await importer.communicate()
    assert importer.returncode == 0, err.decode()
    assert f"{ROWS} nieuw" in out.decode()
    print(f"carer messages answered: {answered}, of which during the import: {during}")
    assert during >= 2  # the carer was talking while the import ran
    await carer.close()


async def test_crisis_button_and_hulp_answer_within_a_second_during_a_20000_row_import(tmp_path):
    prepare(tmp_path)
    carer = await onboarded_carer(tmp_path)
    importer = await start_import(tmp_path)
    slowest, during = 0.0, 0
    while importer.returncode is None:
        await carer.say("/menu", "Ik heb nu direct hulp nodig")
        for line in ("Ik heb nu direct hulp nodig", "/hulp"):
            running = importer.returncode is None
            sent = time.monotonic()
            reply = await carer.say(line, "113")
            slowest = max(slowest, time.monotonic() - sent)
            assert "113" in reply and "Sorry" not in reply
            during += running
    assert importer.returncode == 0, (await importer.stderr.read()).decode()
    print(f"helpline replies during the import: {during}, slowest {slowest:.3f} s")
    assert during >= 2
    assert slowest < 1.0, f"the slowest helpline reply took {slowest:.2f} s"
    await carer.close()
