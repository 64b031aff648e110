"""100,000 scheduled reminders: how long does the bot take to start, how much memory does it use,
and how late do due reminders fire?

    python bench/reminders.py [--reminders 100000] [--due 2000] [--spread 10]

Fills a fresh database with N carers, each with a weekly reminder in the coming week (one
pending timer each), of which `--due` fall due within `--spread` seconds from `--lead`
seconds after start-up. Then starts the real scheduler and an outbox sender (with a channel
that only notes the arrival time), as the bot does, and prints: start-up time (opening the
database and the first scheduler pass), peak memory (RSS), and how late each due reminder
reached the channel after its due time (p50/p99, milliseconds).
Quiet hours are off for these carers, so lateness is the machinery's.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

from bot.channels import Outcome, SendResult  # noqa: E402
from bot.config import Config  # noqa: E402
from bot.i18n import translators  # noqa: E402
from bot.scheduler import Scheduler  # noqa: E402
from bot.sender import Sender, SenderSettings  # noqa: E402
from flows import Reply  # noqa: E402  (registers every timer kind)
from store.db import Database  # noqa: E402
from store.schedule import utc  # noqa: E402


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Arrivals:
    name = "bench"

    def __init__(self, expected: int) -> None:
        self.at: dict[str, float] = {}
        self.expected = expected
        self.all_in = asyncio.Event()

    async def send(self, recipient: str, replies: list[Reply]) -> SendResult:
        self.at.setdefault(recipient, time.time())
        if len(self.at) >= self.expected:
            self.all_in.set()
        return SendResult(Outcome.DELIVERED)


def fill(path: str, n: int, due: int, spread: float, start: datetime) -> dict[str, float]:
    """Carers, reminders and timers in one plain sqlite3 transaction; returns due time per
    recipient of the reminders that fall due during the run."""
    import sqlite3

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    expected: dict[str, float] = {}
    stamp = utc(start)
    for i in range(n):
        if i < due:
            when = start + timedelta(seconds=2 + spread * i / max(due, 1))
            expected[str(i)] = when.timestamp()
        else:
            when = start + timedelta(hours=1, seconds=i * 6)
        conn.execute(
            "INSERT INTO users (id, channel, external_id, language, consent_at, created_at) "
            "VALUES (?, 'bench', ?, 'nl', ?, ?)",
            (i + 1, str(i), stamp, stamp),
        )
        conn.execute(
            "INSERT INTO notification_settings (user_id, quiet_start, quiet_end) "
            "VALUES (?, '00:00', '00:00')",
            (i + 1,),
        )
        conn.execute(
            "INSERT INTO reminders (id, user_id, kind, text, local_time, every_days, next_at, "
            "created_at) VALUES (?, ?, 'own', 'Pillen', '19:00', 7, ?, ?)",
            (i + 1, i + 1, utc(when), stamp),
        )
        conn.execute(
            "INSERT INTO schedule (kind, key, due_at, payload, created_at) "
            "VALUES ('reminder', ?, ?, ?, ?)",
            (f"{i + 1}:first", utc(when), json.dumps({}), stamp),
        )
    conn.execute("COMMIT")
    conn.close()
    return expected


async def main(args) -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-reminders-"))
    path = str(folder / "bench.sqlite3")
    db = await Database.open(path)
    await db.close()
    # Filled a day ahead; the due ones are moved to now once the bot has started (below), so
    # the time filling takes does not count as lateness.
    start = datetime.now(UTC) + timedelta(days=1)
    began = time.perf_counter()
    expected = fill(path, args.reminders, args.due, args.spread, start)
    print(f"filled {args.reminders:,} reminders in {time.perf_counter() - began:.1f} s")

    began = time.perf_counter()
    db = await Database.open(path)
    scheduler = Scheduler(db, translators(Config.from_env({}).timezone))
    await scheduler.run_due()
    print(f"start-up (open + first scheduler pass): {(time.perf_counter() - began) * 1000:.0f} ms")

    soon = datetime.now(UTC) + timedelta(seconds=args.lead)
    moved = {r: (soon + timedelta(seconds=t - start.timestamp())) for r, t in expected.items()}
    async with db.transaction() as tx:
        await tx.executemany(
            "UPDATE schedule SET due_at = ? WHERE kind = 'reminder' AND key = ?",
            [(utc(when), f"{int(r) + 1}:first") for r, when in moved.items()],
        )
        await tx.executemany(
            "UPDATE reminders SET next_at = ? WHERE id = ?",
            [(utc(when), int(r) + 1) for r, when in moved.items()],
        )
    expected = {r: when.timestamp() for r, when in moved.items()}
    channel = Arrivals(len(expected))
    sender = Sender(db, channel, SenderSettings(per_chat_interval=0))
    stop = asyncio.Event()
    tasks = [asyncio.create_task(scheduler.run(stop)), asyncio.create_task(sender.run(stop))]
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(channel.all_in.wait(), args.lead + args.spread + 60)
    stop.set()
    await asyncio.gather(*tasks)
    await db.close()
    late = [(channel.at[r] - due) * 1000 for r, due in expected.items() if r in channel.at]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (RSS): {rss:.0f} MB")
    print(f"due reminders fired: {len(late)} of {len(expected)}")
    if late:
        print(f"lateness p50: {percentile(late, 50):.0f} ms, p99: {percentile(late, 99):.0f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reminders", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=2000)
    parser.add_argument("--spread", type=float, default=10.0)
    parser.add_argument("--lead", type=float, default=2.0, help="seconds before the first is due")
    asyncio.run(main(parser.parse_args()))
