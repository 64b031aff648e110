"""How fast is "resources of category X for area Y"? 100,000 resources over 500 areas.

    python bench/store.py [--resources 100000] [--areas 500] [--queries 2000]

Prints the median and p99 in milliseconds of the query the carer's search runs (area lineage +
resources for that lineage, through aiosqlite), and the same SQL on a plain sqlite3 connection as
a baseline in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

# This file is named like the package it measures: keep its own folder off the import path.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

from store import areas, resources  # noqa: E402
from store.db import Database  # noqa: E402


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def fill(db: Database, n_resources: int, n_areas: int, rng: random.Random) -> list[str]:
    """A tree nl → 20 cities → districts; most resources local, some city-wide, few national."""
    cities = [f"city-{i}" for i in range(20)]
    districts = [f"district-{i}" for i in range(n_areas - len(cities))]
    parent_of = {d: cities[i % len(cities)] for i, d in enumerate(districts)}
    categories = [c for c in resources.CATEGORIES if c != "helpline"]
    async with db.transaction() as tx:
        await tx.executemany(
            "INSERT INTO areas (code, name, parent) VALUES (?, ?, ?)",
            [(c, c, "nl") for c in cities] + [(d, d, parent_of[d]) for d in districts],
        )
        rows, links = [], []
        for i in range(n_resources):
            roll = rng.random()
            area = (
                "nl"
                if roll < 0.001
                else rng.choice(cities)
                if roll < 0.05
                else rng.choice(districts)
            )
            rows.append((f"r-{i}", f"Resource {i}", rng.choice(categories), "description", "Bel."))
            links.append((f"r-{i}", area, rows[-1][2]))
        await tx.executemany(
            "INSERT INTO resources (id, name, category, description_nl, first_step_nl) "
            "VALUES (?, ?, ?, ?, ?)",
            rows,
        )
        await tx.executemany(
            "INSERT INTO resource_areas (resource_id, area_code, category) VALUES (?, ?, ?)", links
        )
    async with db.transaction() as tx:
        await tx.execute("ANALYZE")
    return districts


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--areas", type=int, default=500)
    parser.add_argument("--queries", type=int, default=2000)
    args = parser.parse_args()
    rng = random.Random(42)
    categories = [c for c in resources.CATEGORIES if c != "helpline"]

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        db = await Database.open(path)
        started = time.perf_counter()
        districts = await fill(db, args.resources, args.areas, rng)
        print(
            f"filled {args.resources:,} resources over {args.areas} areas "
            f"in {time.perf_counter() - started:.1f} s"
        )

        timings, found = [], []
        for _ in range(args.queries):
            area, category = rng.choice(districts), rng.choice(categories)
            t0 = time.perf_counter()
            async with db.read() as tx:
                lineage = await areas.lineage(tx, area)
                result = await resources.for_areas(tx, category, lineage)
            timings.append((time.perf_counter() - t0) * 1000)
            found.append(len(result))
        await db.close()

        baseline = []
        plain = sqlite3.connect(path)
        marks = "?, ?, ?"
        query = (
            "SELECT r.* FROM resource_areas ra JOIN resources r ON r.id = ra.resource_id "
            f"WHERE ra.area_code IN ({marks}) AND ra.category = ? AND r.active = 1 "
            "GROUP BY r.id ORDER BY r.name"
        )
        for _ in range(args.queries):
            area, category = rng.choice(districts), rng.choice(categories)
            t0 = time.perf_counter()
            plain.execute(query, (area, "city-0", "nl", category)).fetchall()
            baseline.append((time.perf_counter() - t0) * 1000)
        plain.close()

    median, p99 = statistics.median(timings), percentile(timings, 99)
    base_median = statistics.median(baseline)
    print(f"queries: {args.queries}, resources per answer: median {statistics.median(found):.0f}")
    print(f"store  (lineage + resources, aiosqlite): median {median:.3f} ms, p99 {p99:.3f} ms")
    print(
        f"plain sqlite3, same resources SQL:       median {base_median:.3f} ms, "
        f"p99 {percentile(baseline, 99):.3f} ms"
    )
    print(f"ratio store/plain (median): {median / base_median:.1f}")
    print(f"p99 under 5 ms: {'yes' if p99 < 5 else 'NO'}")


if __name__ == "__main__":
    asyncio.run(main())
