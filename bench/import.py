"""How fast is a resources import, how long does it hold the write lock, and how much memory?

    python bench/import.py [--sizes 20000,100000] [--areas 500]

For each size, in a fresh process (so the peak memory is that import's own): a CSV of realistic
rows (about 700 bytes, uneven districts) is imported into an empty database, then the unchanged file
again, then the file with 5 % of the rows edited. Prints for each run the wall time, how long the
write lock was held (and how long the checkpoint after it kept other writers out), the longest
stall of the event loop (a running bot in the same process would wait that long), the counts, the
audit rows written, the size of the WAL afterwards, and the peak memory (RSS) of the process. The
CPU time (all threads) is printed beside the wall time: on a machine shared with other work it says
more than the wall time.
Targets (issues 7 and 13): 20,000 under 3 s for import and re-import; 100,000 under 15 s and
re-import under 10 s; lock under 2 s; an unchanged re-import changes nothing and writes no audit
rows; the WAL is cut back after an import; memory does not grow with the file.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# This folder has a file named like a package it measures: keep it off the import path.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

from store import resources  # noqa: E402
from store.csv_files import RESOURCE_COLUMNS, import_areas, import_resources  # noqa: E402
from store.db import Database  # noqa: E402

TARGETS = {20_000: (3.0, 3.0), 100_000: (15.0, 10.0)}  # import, unchanged re-import (seconds)
LOCK_TARGET = 2.0  # the write lock, with the checkpoint after it that keeps writers out too
WAL_TARGET_MIB = 4  # journal_size_limit: what a checkpoint leaves at most
# The file is read a batch at a time, so the rows are never all in memory: peak memory may grow
# by less than a row's CSV (~700 B) per extra row. Holding the whole file's plan, as imports did
# before, cost ~3.4 KiB per row (116 MiB at 20,000 rows, 386 MiB at 100,000).
MEMORY_PER_ROW_BYTES = 700


def write_areas(path: Path, n_areas: int) -> list[str]:
    cities = [f"stad-{i}" for i in range(20)]
    districts = [f"wijk-{i}" for i in range(n_areas - len(cities))]
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["code", "name", "parent", "postcodes"])
        for i, city in enumerate(cities):
            out.writerow([city, f"Stad {i}", "nl", f"{1000 + i * 400}-{1000 + i * 400 + 399}"])
        for i, district in enumerate(districts):
            city = i % len(cities)
            pc4 = 1000 + city * 400 + i // len(cities)
            out.writerow([district, f"Wijk {i}", cities[city], str(pc4)])
    return cities + districts


def row(i: int, rng: random.Random, places: list[str], edit: bool = False) -> list[str]:
    """About 700 bytes, like real rows; most local, some city-wide, a few national."""
    weights = [0.6 ** (k / 40) for k in range(len(places))]  # uneven: some districts are busy
    roll = rng.random()
    codes = ["nl"] if roll < 0.002 else rng.choices(places, weights)
    if rng.random() < 0.2:
        codes = [*codes, rng.choice(places)]
    category = rng.choice([c for c in resources.CATEGORIES if c != "helpline"])
    name = f"Steunpunt {i} {'(nieuw) ' if edit else ''}voor mantelzorgers"
    values = {
        "id": f"r-{i}",
        "name": name,
        "category": category,
        "functions": "verlichten;verbinden",
        "areas": ";".join(dict.fromkeys(codes)),
        "audience": rng.choice(["dementia", "working_carers", "", "palliative;dementia"]),
        "description_nl": "Je kunt hier terecht met je vragen over de zorg voor je naaste. "
        "We denken met je mee en zoeken samen wat past. " * 2,
        "description_en": "You can come here with questions about caring for someone. "
        "We think along with you.",
        "first_step_nl": "Bel ons en vraag naar de mantelzorgconsulent.",
        "first_step_en": "Call us and ask for the carer consultant.",
        "phone": f"038 {i:07d}",
        "email": f"info{i}@example.org",
        "url": f"https://example.org/r-{i}",
        "address": f"Voorbeeldstraat {i % 300}, 8011 AB Zwolle",
        "cost": "gratis",
        "cost_en": "free",
        "languages": "nl;en",
        "opening_hours": "ma-vr 9:00-17:00",
        "opening_hours_en": "Mon-Fri 9:00-17:00",
        "starts_at": "",
        "ends_at": "",
        "last_verified": "2026-11-23",
        "source": "bench",
        "active": "1",
    }
    return [values[c] for c in RESOURCE_COLUMNS]


def write_resources(path: Path, n: int, places: list[str], edited: float = 0.0) -> int:
    rng, edits = random.Random(7), random.Random(11)
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, delimiter=";")
        out.writerow(RESOURCE_COLUMNS)
        for i in range(n):
            out.writerow(row(i, rng, places, edit=edits.random() < edited))
    return path.stat().st_size


async def timed_import(db: Database, path: Path) -> dict[str, float]:
    """One import, with a ticker that measures how long the event loop was not free."""
    stall, stop = [0.0], asyncio.Event()

    async def ticker() -> None:
        last = time.perf_counter()
        while not stop.is_set():
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            stall[0] = max(stall[0], now - last - 0.005)
            last = now

    audit_before = await audit_rows(db)
    tick = asyncio.create_task(ticker())
    started, cpu = time.perf_counter(), time.process_time()
    result = await import_resources(db, path, lambda s: s, "bench")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    stop.set()
    await tick
    return {
        "seconds": seconds,
        "cpu": cpu,
        "lock": result.lock_seconds,
        "checkpoint": result.checkpoint_seconds,
        "stall": stall[0],
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "audit": await audit_rows(db) - audit_before,
        "wal_mib": wal_mib(db.path),
    }


async def audit_rows(db: Database) -> int:
    async with db.read() as tx, tx.execute("SELECT count(*) FROM audit_log") as cur:
        return (await cur.fetchone())[0]


def wal_mib(path: str) -> float:
    wal = Path(f"{path}-wal")
    return wal.stat().st_size / 2**20 if wal.exists() else 0.0


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


async def one(n: int, n_areas: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        places = write_areas(folder / "areas.csv", n_areas)
        size = write_resources(folder / "resources.csv", n, places)
        write_resources(folder / "edited.csv", n, places, edited=0.05)
        db = await Database.open(folder / "bench.sqlite3")
        await import_areas(db, folder / "areas.csv", lambda s: s, "bench")
        before = peak_mib()  # the interpreter, the modules and writing the files
        runs = {
            "import": await timed_import(db, folder / "resources.csv"),
            "unchanged re-import": await timed_import(db, folder / "resources.csv"),
            "5 % edited": await timed_import(db, folder / "edited.csv"),
        }
        await db.close()
    return {"n": n, "bytes": size, "runs": runs, "peak_mib": peak_mib(), "before_mib": before}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20000,100000")
    parser.add_argument("--areas", type=int, default=500)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child process: one size
    args = parser.parse_args()
    if args.one:
        print(json.dumps(asyncio.run(one(args.one, args.areas))))
        return
    ok = True
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    peaks = {}
    for n in (int(s) for s in args.sizes.split(",")):
        done = subprocess.run(
            [sys.executable, __file__, "--one", str(n), "--areas", str(args.areas)],
            capture_output=True,
            text=True,
            check=True,
        )
        figures = json.loads(done.stdout)
        print(f"{n:,} resources ({figures['bytes'] / 1e6:.0f} MB CSV), {args.areas} areas:")
        for name, run in figures["runs"].items():
            print(
                f"  {name:20} {run['seconds']:6.2f} s (CPU {run['cpu']:5.2f} s)   "
                f"lock held {run['lock']:4.2f} s (+ checkpoint {run['checkpoint']:4.2f} s)   "
                f"loop stall max {run['stall'] * 1000:4.0f} ms"
            )
            print(
                f"  {'':20} new {run['created']}, changed {run['updated']}, "
                f"unchanged {run['unchanged']}; audit rows written {run['audit']}; "
                f"WAL after it {run['wal_mib']:.1f} MiB"
            )
        peaks[n] = figures["peak_mib"]
        print(
            f"  peak memory (RSS) of the process: {figures['peak_mib']:.0f} MiB "
            f"({figures['before_mib']:.0f} MiB before the first import)"
        )
        target_import, target_again = TARGETS.get(n, (None, None))
        runs = figures["runs"]
        again = runs["unchanged re-import"]
        checks = [
            (
                f"lock < {LOCK_TARGET:.0f} s",
                max(r["lock"] + r["checkpoint"] for r in runs.values()) < LOCK_TARGET,
            ),
            ("re-import: 0 changed, 0 audit rows", again["updated"] == again["audit"] == 0),
            (
                f"WAL after import < {WAL_TARGET_MIB} MiB",
                runs["import"]["wal_mib"] < WAL_TARGET_MIB,
            ),
        ]
        if target_import:
            checks += [
                (f"import < {target_import:.0f} s", runs["import"]["seconds"] < target_import),
                (f"re-import < {target_again:.0f} s", again["seconds"] < target_again),
            ]
        for name, passed in checks:
            ok = ok and passed
            print(f"  {name}: {'PASS' if passed else 'FAIL'}")
    if len(peaks) > 1:
        small, large = min(peaks), max(peaks)
        per_row = (peaks[large] - peaks[small]) * 2**20 / (large - small)
        passed = per_row < MEMORY_PER_ROW_BYTES
        ok = ok and passed
        print(
            f"peak memory {small:,} → {large:,} rows: {per_row:.0f} B per extra row "
            f"(bounded: < {MEMORY_PER_ROW_BYTES} B): {'PASS' if passed else 'FAIL'}"
        )
    print("all targets met: PASS" if ok else "SOME TARGETS MISSED: FAIL")


if __name__ == "__main__":
    main()
