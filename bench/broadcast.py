"""A broadcast to 5,000 carers through the fake Bot API server, which refuses more than 30
messages a second (429 with retry_after, as Telegram does).

    python bench/broadcast.py [--carers 5000] [--ceiling 30] [--rate 25]

Starts the broadcast as a coordinator's "Send" does (store/broadcasts.start: one INSERT … SELECT
for every carer of the area, in the carer's language, after their quiet hours; the time it takes
is printed), then runs the outbox sender
with the bot's Telegram stack (python-telegram-bot, our pacer at `--rate` per second) against
the fake server in this process, until every row is final. Prints messages per second, 429s
received, duplicates and missing (both must be 0), and the ratio to the ceiling (target ≥ 0.8).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

from bot.i18n import translators  # noqa: E402
from bot.pacing import Pacer  # noqa: E402
from bot.sender import Sender, SenderSettings  # noqa: E402
from bot.telegram_http import AiohttpRequest, PacedRateLimiter, TolerantBot  # noqa: E402
from bot.telegram_outbox import TelegramOutbox  # noqa: E402
from flows.coordinators.broadcast import news_message  # noqa: E402
from flows.outgoing import dump  # noqa: E402
from store import areas, broadcasts, outbox  # noqa: E402
from store.areas import Area  # noqa: E402
from store.db import Database  # noqa: E402
from tests.fake_bot_api import FakeBotAPI  # noqa: E402

FIRST_CHAT = 100_000


async def main(args) -> None:
    fake = await FakeBotAPI().start()
    fake.accept_per_second = args.ceiling
    db = await Database.open(Path(tempfile.mkdtemp(prefix="bench-broadcast-")) / "b.sqlite3")
    now = datetime.now(UTC)
    text = "Nieuw: een cursus over dementie in jouw wijk. Kijk bij Ik zoek hulp."
    async with db.transaction() as tx:
        await areas.upsert(tx, Area("benchstad", "Benchstad", "nl", (9990,)))
        await tx.executemany(
            "INSERT INTO users (channel, external_id, language, consent_at, created_at, home_area)"
            " VALUES ('telegram', ?, ?, ?, ?, 'benchstad')",
            [
                (
                    str(FIRST_CHAT + i),
                    "en" if i % 10 == 0 else "nl",
                    outbox.utc(now),
                    outbox.utc(now),
                )
                for i in range(args.carers)
            ],
        )
    t = translators(UTC)
    payloads = {
        lang: dump([news_message(t(lang), text, "Steunpunt Benchstad")]) for lang in ("nl", "en")
    }
    queue_began = time.perf_counter()
    async with db.transaction() as tx:
        broadcast = await broadcasts.start(
            tx,
            created_by=None,
            audience=broadcasts.Audience(("benchstad",)),
            text=text,
            payloads=payloads,
            default_language="nl",
            not_before=lambda start, end: now,  # quiet hours are not what is measured here
            now=now,
        )
    queued_in = time.perf_counter() - queue_began
    pacer = Pacer(args.rate)
    bot = TolerantBot(
        fake.token,
        base_url=f"{fake.url}/bot",
        request=AiohttpRequest(connection_pool_size=64),
        rate_limiter=PacedRateLimiter(pacer),
    )
    await bot.initialize()
    sender = Sender(db, TelegramOutbox(bot), SenderSettings(batch=50, concurrency=32))
    stop = asyncio.Event()
    began = time.perf_counter()
    task = asyncio.create_task(sender.run(stop))
    while True:
        async with db.read() as tx:
            figures = await broadcasts.figures(tx, broadcast.id, datetime.now(UTC))
        if figures.sending + figures.waiting == 0:
            break
        await asyncio.sleep(0.5)
    elapsed = time.perf_counter() - began
    stop.set()
    await task
    await bot.shutdown()
    await fake.stop()
    await db.close()
    sent = Counter(
        c.chat_id for c in fake.calls if c.method == "sendMessage" and c.ok and c.chat_id
    )
    refused = sum(1 for c in fake.calls if c.method == "sendMessage" and not c.ok)
    expected = {FIRST_CHAT + i for i in range(args.carers)}
    duplicates = sum(n - 1 for n in sent.values() if n > 1)
    missing = len(expected - set(sent))
    rate = sum(sent.values()) / elapsed
    print(f"carers: {args.carers}, pace {args.rate}/s, server ceiling {args.ceiling}/s")
    print(f"queued {broadcast.recipients} copies in one transaction in {queued_in * 1000:.0f} ms")
    print(f"delivered {sum(sent.values())} in {elapsed:.1f} s: {rate:.1f} msgs/s")
    print(f"429s received: {refused}")
    print(f"duplicates: {duplicates}, missing: {missing}")
    print(
        f"report: delivered {figures.delivered}, blocked {figures.blocked}, "
        f"failed {figures.failed}, uncertain {figures.uncertain}"
    )
    print(f"ratio to the {args.ceiling}/s ceiling: {rate / args.ceiling:.2f} (target >= 0.8)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--carers", type=int, default=5000)
    parser.add_argument("--ceiling", type=float, default=30.0)
    parser.add_argument("--rate", type=float, default=25.0)
    asyncio.run(main(parser.parse_args()))
