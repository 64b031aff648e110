"""How many updates a second does the Telegram bot answer, next to a bare echo bot?

    python bench/telegram.py [--carers 50] [--warmup 5]

Starts the fake Bot API server (tests/fake_bot_api.py) in this process and the bot as its own
process: first `mantelbot run` (the real thing, on a fresh database with the example data), then
a bare python-telegram-bot echo bot with the same concurrency. N simulated carers each walk
/start → consent → postcode (→ the naaste's area) → "find" → respite, waiting for the bot's answer
before the next step, as a person on a phone does. Prints updates per second and the time from
update to answer (p50/p99; "answer" = the message with the buttons that ends the turn) for both,
and the ratio ours / echo.

Pacing (MANTELBOT_TELEGRAM_RATE, 30 messages a second by default, as Telegram asks) is off for the
measurement: it would cap both bots alike and hide the cost of our own code.
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

CONCURRENCY = 64  # the same bound as bot.telegram.MAX_CONCURRENT_UPDATES


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
    name: str
    updates: int
    seconds: float
    latencies: list[float]
    calls: int
    bot_cpu: float  # CPU seconds of the bot process during the measurement
    server_cpu: float  # … of this process (fake server and carers)

    @property
    def rate(self) -> float:
        return self.updates / self.seconds


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


async def measure(
    name: str, command: list[str], env: dict[str, str], args, steps: list[str], log: Path
) -> Result:
    from tests.fake_bot_api import FakeBotAPI

    fake = await FakeBotAPI().start()
    turns = Turns()
    fake.listeners.append(turns.listener)
    environment = env | {"TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_URL": fake.url}
    with log.open("ab") as stderr:
        process = await asyncio.create_subprocess_exec(
            *command, env=environment, stderr=stderr, cwd=ROOT
        )
    echo = name == "echo"
    try:
        await fake.wait_for(lambda: fake.polls > 0, within=60)
        await asyncio.gather(
            *(walk(fake, turns, 10_000 + i, echo, steps) for i in range(args.warmup))
        )
        calls_before = len(fake.calls)
        started, cpu, bot_cpu = time.perf_counter(), time.process_time(), cpu_of(process.pid)
        walks = await asyncio.gather(
            *(walk(fake, turns, 20_000 + i, echo, steps) for i in range(args.carers))
        )
        seconds = time.perf_counter() - started
        cpu, bot_cpu = time.process_time() - cpu, cpu_of(process.pid) - bot_cpu
        calls = len(fake.calls) - calls_before
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 30)
        await fake.stop()
    latencies = [took for one in walks for took in one]
    return Result(name, len(latencies), seconds, latencies, calls, bot_cpu, cpu)


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
        log = Path(folder) / "bot.log"
        ours_env = clean | {"MANTELBOT_DB": str(db_path), "MANTELBOT_TELEGRAM_RATE": "0"}
        steps: list[str] = []
        profile = ["-m", "cProfile", "-o", args.profile] if args.profile else []
        ours = await measure(
            "mantelbot", [sys.executable, *profile, "-m", "bot", "run"], ours_env, args, steps, log
        )
        echo = await measure(
            "echo",
            [sys.executable, str(HERE / "telegram.py"), "--echo-bot"],
            clean,
            args,
            steps,
            log,
        )
        if "Traceback" in log.read_text():
            print(log.read_text()[-3000:], file=sys.stderr)
    walk_len = len(steps)
    print(
        f"Telegram bot through the fake Bot API: {args.carers} carers x {walk_len} updates "
        f"(/start, consent, postcode, …, respite); pacing off; {os.cpu_count()} CPUs"
    )
    print(
        f"{'bot':10} {'updates/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'calls/update':>13} "
        f"{'bot CPU ms/update':>18} {'server CPU %':>13}"
    )
    for result in (echo, ours):
        print(
            f"{result.name:10} {result.rate:10.1f} "
            f"{statistics.median(result.latencies) * 1000:8.1f} "
            f"{percentile(result.latencies, 99) * 1000:8.1f} "
            f"{result.calls / result.updates:13.1f} "
            f"{result.bot_cpu / result.updates * 1000:18.2f} "
            f"{result.server_cpu / result.seconds * 100:13.0f}"
        )
    print(f"ratio ours / echo (updates/s): {ours.rate / echo.rate:.2f}  (target: at least 0.70)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--carers", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of our bot to FILE")
    parser.add_argument("--echo-bot", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.echo_bot:
        run_echo_bot()
    else:
        asyncio.run(main(arguments))
