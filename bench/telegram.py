"""How many updates a second does the Telegram bot answer, next to a bare echo bot?

    python bench/telegram.py [--carers 50] [--rounds 5] [--warmup 5] [--profile FILE]

Runs two bots as their own processes, each polling its own fake Bot API server
(tests/fake_bot_api.py) in this process: `mantelbot run` (the real thing, on a fresh database with
the example data) and a bare python-telegram-bot echo bot (text back; a button press answered and
its data sent back) with the same concurrency. In each round N simulated carers walk /start →
consent → postcode (→ the naaste's area) → "find" → respite, each waiting for the bot's answer
before the next step, as a person on a phone does; the echo bot gets the same updates. Rounds
alternate between the bots, so a slow spell of the machine hits both. Prints the median updates per
second over the rounds, the time from update to answer (p50/p99; the answer is the message with
buttons that ends the turn), Bot API calls and bot CPU per update, and the ratio ours / echo.

Pacing (MANTELBOT_TELEGRAM_RATE, 25 messages a second by default, below Telegram's 30) is off for
the measurement: it would cap both bots alike and hide the cost of our own code.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# This file is named like a module it uses (bot/telegram.py must not see it as `telegram`): keep
# its own folder off the import path, and the repository root on it (for tests.fake_bot_api).
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

CONCURRENCY = 32  # the same bound as bot.telegram.MAX_CONCURRENT_UPDATES


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run_echo_bot() -> None:
    """The baseline: a bare python-telegram-bot echo bot (text back, button presses answered)."""
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
    from telegram.ext import ApplicationBuilder, CallbackQueryHandler, MessageHandler, filters

    url, token = os.environ["TELEGRAM_API_URL"], os.environ["TELEGRAM_BOT_TOKEN"]
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Echo", callback_data="echo")]])

    async def on_text(update: Update, context) -> None:
        await update.message.reply_text(update.message.text, reply_markup=keyboard)

    async def on_button(update: Update, context) -> None:
        query = update.callback_query
        await query.answer()
        await query.message.reply_text(query.data, reply_markup=keyboard)

    app = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{url}/bot")
        .base_file_url(f"{url}/file/bot")
        .concurrent_updates(CONCURRENCY)
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, on_text))
    app.add_handler(CallbackQueryHandler(on_button))
    app.run_polling(timeout=30, allowed_updates=["message", "callback_query"])


@dataclass
class Result:
    """One bot's measured rounds."""

    name: str
    rates: list[float] = field(default_factory=list)  # updates per second, per round
    latencies: list[float] = field(default_factory=list)
    updates: int = 0
    calls: int = 0
    bot_cpu: float = 0.0  # CPU seconds of the bot process during the rounds

    @property
    def rate(self) -> float:
        return statistics.median(self.rates)


@dataclass
class Turns:
    """Waits, per chat, for the message with buttons that ends the bot's turn."""

    waiting: dict[int, asyncio.Future] = field(default_factory=dict)

    def listener(self, call) -> None:
        sent = call.ok and call.method in ("sendMessage", "sendDocument")
        if sent and "reply_markup" in call.result:
            future = self.waiting.pop(call.chat_id, None)
            if future and not future.done():
                future.set_result(call.result)

    async def turn(self, chat_id: int, push: Callable[[], object]) -> tuple[dict, float]:
        future = asyncio.get_running_loop().create_future()
        self.waiting[chat_id] = future
        started = time.perf_counter()
        push()
        message = await asyncio.wait_for(future, 60)
        return message, time.perf_counter() - started


def keys_of(message: dict) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [button["callback_data"] for row in rows for button in row]


async def walk(fake, turns: Turns, user_id: int, echo: bool, steps: list[str]) -> list[float]:
    """One carer's way to respite. Ours records the steps it took; the echo bot replays them."""
    latencies: list[float] = []
    done: list[str] = []
    message: dict = {}

    async def text(value: str) -> None:
        nonlocal message
        message, took = await turns.turn(user_id, lambda: fake.send_text(user_id, value))
        latencies.append(took)
        done.append(f"text:{value}")

    async def press(key: str) -> None:
        nonlocal message
        current = message
        message, took = await turns.turn(user_id, lambda: fake.press(user_id, current, key))
        latencies.append(took)
        done.append(f"press:{key}")

    if echo:
        for step in steps:
            kind, _, value = step.partition(":")
            await (text(value) if kind == "text" else press(value))
        return latencies
    await text("/start")
    await press("yes")
    await text("1055 AB")
    if "same" in keys_of(message):  # asked where the naaste lives
        await press("same")
    await press("find")
    respite = [k for k in keys_of(message) if k in ("door:respite", "cat:respite")]
    await press(respite[0] if respite else "cat:respite")
    assert "Waar:" in message.get("text", ""), "the walk did not end at the resources"
    if not steps:
        steps.extend(done)
    return latencies


class Bot:
    """A bot process polling its own fake Bot API server."""

    def __init__(self, name: str, command: list[str], env: dict[str, str]) -> None:
        self.name, self.command, self.env = name, command, env
        self.result = Result(name)
        self.turns = Turns()
        self.ids = iter(range(10_000, 10_000_000))

    async def start(self, log: Path) -> None:
        from tests.fake_bot_api import FakeBotAPI

        self.fake = await FakeBotAPI().start()
        self.fake.listeners.append(self.turns.listener)
        env = self.env | {"TELEGRAM_BOT_TOKEN": self.fake.token, "TELEGRAM_API_URL": self.fake.url}
        with log.open("ab") as stderr:
            self.process = await asyncio.create_subprocess_exec(
                *self.command, env=env, stderr=stderr, cwd=ROOT
            )
        await self.fake.wait_for(lambda: self.fake.polls > 0, within=60)

    async def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(self.process.wait(), 30)
        await self.fake.stop()

    async def walks(self, carers: int, steps: list[str]) -> tuple[list[list[float]], float]:
        echo = self.name == "echo"
        started = time.perf_counter()
        done = await asyncio.gather(
            *(walk(self.fake, self.turns, next(self.ids), echo, steps) for _ in range(carers))
        )
        return done, time.perf_counter() - started

    async def round(self, carers: int, steps: list[str]) -> None:
        calls, cpu = len(self.fake.calls), cpu_of(self.process.pid)
        walks, seconds = await self.walks(carers, steps)
        result = self.result
        latencies = [took for one in walks for took in one]
        result.rates.append(len(latencies) / seconds)
        result.latencies += latencies
        result.updates += len(latencies)
        result.calls += len(self.fake.calls) - calls
        result.bot_cpu += cpu_of(self.process.pid) - cpu


def cpu_of(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc; NaN elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def prepare_database(path: Path) -> None:
    from bot import example_data
    from store.db import Database

    db = await Database.open(path)
    await example_data.load(db, lambda s: s)
    await db.close()


async def main(args) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("MANTELBOT_", "TELEGRAM_"))}
    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "bench.sqlite3"
        await prepare_database(db_path)
        log = Path(folder) / "bots.log"
        profile = ["-m", "cProfile", "-o", args.profile] if args.profile else []
        ours = Bot(
            "mantelbot",
            [sys.executable, *profile, "-m", "bot", "run"],
            clean | {"MANTELBOT_DB": str(db_path), "MANTELBOT_TELEGRAM_RATE": "0"},
        )
        echo = Bot("echo", [sys.executable, str(HERE / "telegram.py"), "--echo-bot"], clean)
        steps: list[str] = []
        await asyncio.gather(ours.start(log), echo.start(log))
        try:
            await ours.walks(args.warmup, steps)  # records the steps the echo carers replay
            await echo.walks(args.warmup, steps)
            # Rounds alternate between the two bots, so a slow spell of the machine hits both.
            for _ in range(args.rounds):
                await echo.round(args.carers, steps)
                await ours.round(args.carers, steps)
        finally:
            await asyncio.gather(ours.stop(), echo.stop())
            if "Traceback" in log.read_text():
                print(log.read_text()[-3000:], file=sys.stderr)
    print(
        f"Telegram bot through the fake Bot API: {args.rounds} rounds of {args.carers} carers "
        f"x {len(steps)} updates (/start, consent, postcode, …, respite); pacing off; "
        f"{os.cpu_count()} CPUs"
    )
    print(
        f"{'bot':10} {'updates/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'calls/update':>13} "
        f"{'CPU ms/update':>14}"
    )
    for result in (echo.result, ours.result):
        print(
            f"{result.name:10} {result.rate:10.1f} "
            f"{statistics.median(result.latencies) * 1000:8.1f} "
            f"{percentile(result.latencies, 99) * 1000:8.1f} "
            f"{result.calls / result.updates:13.1f} "
            f"{result.bot_cpu / result.updates * 1000:14.2f}"
        )
    rounds = [a / b for a, b in zip(ours.result.rates, echo.result.rates, strict=True)]
    print(
        f"ratio ours / echo (median updates/s): {ours.result.rate / echo.result.rate:.2f}  "
        f"(per round: {', '.join(f'{r:.2f}' for r in rounds)}; target: at least 0.70)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--carers", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of our bot to FILE")
    parser.add_argument("--echo-bot", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.echo_bot:
        run_echo_bot()
    else:
        asyncio.run(main(arguments))
