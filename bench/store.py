"""How fast is the carer's search? 100,000 realistic resources (~700 bytes) over 500 uneven areas.

    python bench/store.py [--resources 100000] [--areas 500] [--queries 2000]

Times the search a door press runs (flows/find_help.py `search_door`: both lineages, the slim
matches of the door's categories, ranked by flows/routing.py, then the full rows of the three
cards shown) on a real database file through the store, warm and the first (cold) one. Then
the same SQL on a plain sqlite3 connection, to show what the store's path adds. Prints PASS or
FAIL against the 1 ms p99 target.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

# This file is named like the package it measures: keep its own folder off the import path.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

from bot.i18n import translators  # noqa: E402
from flows import find_help  # noqa: E402
from flows.engine import Context, Session  # noqa: E402
from store import resources  # noqa: E402
from store.db import CACHE_KIB, Database  # noqa: E402

TARGET_MS = 1.0
TZ = ZoneInfo("Europe/Amsterdam")


def load_kaart():
    spec = importlib.util.spec_from_file_location("kaart", HERE / "kaart.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def questions(districts: list[str], n: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """(carer's district, naaste's district, door): a third of naasten live elsewhere."""
    doors = list(find_help.MENU_DOORS)
    asked = []
    for _ in range(n):
        home = rng.choice(districts)
        care = rng.choice(districts) if rng.random() < 0.33 else home
        asked.append((home, care, rng.choice(doors)))
    return asked


async def door_search(db: Database, t, home: str, care: str, door: str) -> int:
    """What a door press reads to show its first page; the number of resources found."""
    async with db.read() as tx:
        session = Session(home_area=home, care_area=care)
        now = datetime_now()
        ctx = Context(tx, t, translators(TZ), now, "bench", "b", None, session)
        search = await find_help.search_door(ctx, door)
        shown = [f.resource.id for f in search.found[: find_help.PAGE_SIZE]]
        await resources.by_ids(tx, shown)
    return len(search.found)


def datetime_now():
    from datetime import datetime

    return datetime(2026, 11, 23, 10, 0, tzinfo=TZ)


def plain_search(conn: sqlite3.Connection, home: str, care: str, door: str) -> int:
    """The same three statements on a plain sqlite3 connection (no ranking in Python)."""
    codes = [home] if home == care else [home, care]
    lineage = conn.execute(
        "WITH RECURSIVE up(start, code, name, parent, depth) AS ("
        " SELECT code, code, name, parent, 0 FROM areas"
        f" WHERE code IN ({', '.join('?' * len(codes))})"
        " UNION ALL SELECT up.start, a.code, a.name, a.parent, up.depth + 1"
        " FROM areas a JOIN up ON a.code = up.parent WHERE up.depth < 32)"
        " SELECT start, code, name FROM up ORDER BY start, depth",
        codes,
    ).fetchall()
    area_codes = list(dict.fromkeys(row[1] for row in lineage))
    categories = list(find_help.door_categories(door))
    rows = conn.execute(
        "SELECT r.id, r.name, r.category, r.audience, r.starts_at, r.ends_at, "
        "ra.area_code "
        "FROM resource_areas ra JOIN resources r ON r.id = ra.resource_id "
        f"WHERE ra.area_code IN ({', '.join('?' * len(area_codes))}) "
        f"AND ra.category IN ({', '.join('?' * len(categories))}) AND r.active = 1",
        [*area_codes, *categories],
    ).fetchall()
    shown = [row[0] for row in rows[:3]]
    conn.execute(
        f"SELECT *, (SELECT group_concat(area_code, ';') FROM resource_areas "
        "WHERE resource_id = r.id) FROM resources r "
        f"WHERE r.id IN ({', '.join('?' * len(shown))})",
        shown,
    ).fetchall()
    return len(rows)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--areas", type=int, default=500)
    parser.add_argument("--queries", type=int, default=2000)
    args = parser.parse_args()
    rng = random.Random(42)
    kaart = load_kaart()
    t = translators(TZ)("nl")

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        db = await Database.open(path)
        await db.close()
        started = time.perf_counter()
        districts = kaart.fill(path, args.resources, args.areas)
        print(
            f"filled {args.resources:,} resources over {args.areas} uneven areas "
            f"in {time.perf_counter() - started:.1f} s"
        )
        asked = questions(districts, args.queries, rng)

        db = await Database.open(path)
        t0 = time.perf_counter()
        await door_search(db, t, *asked[0])
        cold = (time.perf_counter() - t0) * 1000
        for each in asked[:200]:  # warm up: pages in the cache, code paths taken
            await door_search(db, t, *each)
        timings, found = [], []
        for each in asked:
            t0 = time.perf_counter()
            found.append(await door_search(db, t, *each))
            timings.append((time.perf_counter() - t0) * 1000)
        await db.close()

        plain = sqlite3.connect(path)
        plain.execute(f"PRAGMA cache_size = -{CACHE_KIB}")  # as the store sets it
        baseline = []
        for each in asked:
            t0 = time.perf_counter()
            plain_search(plain, *each)
            baseline.append((time.perf_counter() - t0) * 1000)
        plain.close()

    median, p99 = statistics.median(timings), percentile(timings, 99)
    base_median, base_p99 = statistics.median(baseline), percentile(baseline, 99)
    print(
        f"searches: {args.queries}, resources found: median {statistics.median(found):.0f}, "
        f"max {max(found)}"
    )
    print(f"cold (first search after opening): {cold:.3f} ms")
    print(f"store (door search + cards, aiosqlite): median {median:.3f} ms, p99 {p99:.3f} ms")
    print(
        f"plain sqlite3, same SQL:                median {base_median:.3f} ms, "
        f"p99 {base_p99:.3f} ms"
    )
    print(f"ratio store/plain (median): {median / base_median:.1f}")
    print(f"p99 < {TARGET_MS:g} ms: {'PASS' if p99 < TARGET_MS else 'FAIL'}")


if __name__ == "__main__":
    asyncio.run(main())
