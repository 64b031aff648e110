"""How many carer messages per second does the engine answer? A realistic carer path over a
realistic sociale kaart (bench/kaart.py: 100,000 resources, 500 uneven areas).

    python bench/engine.py [--resources 100000] [--areas 500] [--carers 200]

Each carer starts, consents, gives a postcode (a third also the naaste's), then opens each door
of "I am looking for help", looks at a second page where there is one, and goes back to the
menu. Prints messages per second, the statements per message (all of them, counted by SQLite's
trace callback) and per door press, twice in the same run on copies of the same database:
with the in-memory search index (store/search_index.py), and before it (every search reading
SQLite, as the search did before the index). Also the figures recorded for the code before
the carer search was first made faster (BEFORE, measured on the same machine).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

from datetime import datetime  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

from bot.i18n import translators  # noqa: E402
from flows import Engine, Incoming, find_help  # noqa: E402
from store import search_index  # noqa: E402
from store.db import Database  # noqa: E402

TZ = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=TZ)
# The code before (main at efb0a51: two full searches per door press through aiosqlite), this
# script with --carers 100, on the same 2-core machine: messages/s, statements per
# message, statements per door press.
BEFORE = {"messages_per_s": 213, "statements_per_message": 9.2, "statements_per_door": 16.3}


def load_kaart():
    spec = importlib.util.spec_from_file_location("kaart", HERE / "kaart.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def carer(engine: Engine, name: str, home: int, care: int | None, counted) -> None:
    async def send(door: bool = False, **what) -> None:
        before = counted["statements"]
        replies = await engine.handle(Incoming("bench", name, **what))
        counted["messages"] += 1
        if door:
            counted["door_statements"].append(counted["statements"] - before)
        keys = {c.key for r in replies for c in r.choices}
        if door and "more" in keys:
            await send(choice="more")

    await send(text="/start")
    await send(choice="yes")
    await send(text=f"{home} AB")
    await (send(text=f"{care} AB") if care else send(choice="skip"))
    for door in find_help.MENU_DOORS:
        await send(choice="find")
        await send(door=True, choice=find_help.door_key(door))
        await send(choice="menu")


async def run(path: Path, kaart, districts: list[str], carers: int, index: bool) -> dict:
    """The carer path for `carers` carers on the database at `path`: messages, seconds,
    statements. `index` False: every search reads SQLite (the index is never current)."""
    current = search_index.current
    if not index:
        search_index.current = lambda tx: None
    try:
        db = await Database.open(path)
        counted = {"statements": 0, "messages": 0, "door_statements": []}

        def trace(_sql: str) -> None:
            counted["statements"] += 1

        await db._conn.set_trace_callback(trace)
        engine = Engine(db, translators(TZ), clock=lambda: NOW)
        rng = random.Random(7)
        plan = []
        for i in range(carers):
            home = kaart.postcode(rng.randrange(len(districts)))
            care = kaart.postcode(rng.randrange(len(districts))) if rng.random() < 0.33 else None
            plan.append((f"carer-{i}", home, care))
        await carer(engine, "warm-up", plan[0][1], None, dict(counted, door_statements=[]))
        if index:
            async with db.read() as tx:
                await search_index.ready(tx)
        counted["statements"] = 0
        started = time.perf_counter()
        for name, home, care in plan:
            await carer(engine, name, home, care, counted)
        counted["seconds"] = time.perf_counter() - started
        await db.close()
    finally:
        search_index.current = current
    return counted


def rate(counted: dict) -> float:
    return counted["messages"] / counted["seconds"]


def line(label: str, counted: dict) -> str:
    per_message = counted["statements"] / counted["messages"]
    per_door = statistics.mean(counted["door_statements"])
    return (
        f"{label} {rate(counted):.0f} messages/s, {per_message:.1f} statements per message, "
        f"{per_door:.1f} per door press ({counted['messages']} messages, "
        f"{counted['seconds']:.1f} s)"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--areas", type=int, default=500)
    parser.add_argument("--carers", type=int, default=200)
    args = parser.parse_args()
    kaart = load_kaart()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        db = await Database.open(path)
        await db.close()
        districts = kaart.fill(path, args.resources, args.areas)
        before_path = Path(folder) / "before.sqlite3"
        shutil.copy(path, before_path)
        with_index = await run(path, kaart, districts, args.carers, index=True)
        without = await run(before_path, kaart, districts, args.carers, index=False)
    print(f"carers: {args.carers}")
    print(line("now, index:            ", with_index))
    print(line("before, reading SQLite:", without))
    print(f"ratio (messages/s): {rate(with_index) / rate(without):.2f}")
    if BEFORE["messages_per_s"]:
        print(
            f"recorded before (efb0a51): {BEFORE['messages_per_s']:.0f} messages/s, "
            f"{BEFORE['statements_per_message']:.1f} statements per message, "
            f"{BEFORE['statements_per_door']:.1f} per door press (see BEFORE)"
        )


if __name__ == "__main__":
    asyncio.run(main())
