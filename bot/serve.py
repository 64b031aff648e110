"""`mantelbot run`: the chat channels (Telegram, Signal, or both) in one process, on one engine
and one database, until SIGINT or SIGTERM. Each channel has its outbox sender; the timers run
once."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from dataclasses import replace
from datetime import datetime

from bot.config import LANGUAGES, Config
from bot.i18n import translators
from bot.scheduler import Scheduler
from bot.sender import Sender, SenderSettings
from flows import Engine
from store.db import Database

log = logging.getLogger(__name__)

CHANNELS = ("telegram", "signal")
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def channels_from(chosen: list[str] | None, env: dict[str, str] | None = None) -> tuple[str, ...]:
    """`--channel` (repeatable), else MANTELBOT_CHANNELS (`telegram,signal`), else Telegram."""
    env = dict(os.environ if env is None else env)
    names = chosen or (env.get("MANTELBOT_CHANNELS") or "telegram").split(",")
    names = [name.strip().lower() for name in names if name.strip()]
    if not names or any(name not in CHANNELS for name in names):
        raise ValueError(
            "MANTELBOT_CHANNELS must list telegram and/or signal, e.g. telegram,signal"
        )
    return tuple(dict.fromkeys(names))


def make_engine(db: Database, config: Config) -> Engine:
    return Engine(
        db,
        translators(config.timezone),
        languages=LANGUAGES,
        default_language=config.locale,
        clock=lambda: datetime.now(config.timezone),
    )


async def run(db: Database, config: Config, channels: tuple[str, ...], webhook: bool) -> int:
    """Run the channels until a signal; returns the exit code."""
    from bot.signal import SignalChannel, SignalSettings

    try:
        outbox = SenderSettings.from_env()
        settings = SignalSettings.from_env() if "signal" in channels else None
        if "telegram" in channels:
            from bot import telegram  # python-telegram-bot is loaded only when it runs

            hook = telegram.WebhookSettings.from_env() if webhook else None
            rate = telegram.rate_from_env()
    except ValueError as error:
        print(f"mantelbot: configuration: {error}", file=sys.stderr)
        return EXIT_USAGE
    if channels == ("telegram",):
        return await telegram.run(db, config, hook, rate)

    engine = make_engine(db, config)
    stop = asyncio.Event()
    jobs = []
    if "telegram" in channels:
        jobs.append(telegram.TelegramBot(config, engine, rate=rate).serve(stop, hook))
    if settings is not None:
        channel = SignalChannel(engine, settings)
        pace = replace(outbox, per_chat_interval=settings.recipient_interval)
        jobs += [channel.serve(stop), Sender(db, channel, pace).run(stop)]
    if "telegram" not in channels:  # the Telegram bot runs the timers itself
        jobs.append(
            Scheduler(db, engine.translator, default_language=engine.default_language).run(stop)
        )
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        tasks = [asyncio.create_task(job) for job in jobs]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        stop.set()  # one channel ended (a signal, or it failed): the others end too
        results = await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
    failed = [r for r in results if isinstance(r, BaseException)]
    for error in failed:
        log.error("a channel failed: %s", type(error).__name__, exc_info=error)
    log.info("stopped")
    return EXIT_FAILED if failed else EXIT_OK
