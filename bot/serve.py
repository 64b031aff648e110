"""`mantelbot run`: the chat channels (Telegram, Signal, or both) in one process, on one engine
and one database, until SIGINT or SIGTERM. Each channel has its outbox sender; the timers run
once."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Coroutine
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bot.config import LANGUAGES, Config
from bot.i18n import translators
from bot.scheduler import Scheduler
from bot.sender import Sender, SenderSettings
from bot.signal import SignalChannel, SignalSettings
from flows import Engine
from store import search_index
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
        keep_state=config.keep_state,
    )


@dataclass(frozen=True)
class Settings:
    """What `run` reads from the environment, checked before anything starts."""

    outbox: SenderSettings
    signal: SignalSettings | None = None
    webhook: object | None = None  # telegram.WebhookSettings (loaded only with Telegram)
    telegram_rate: float = 25.0  # bot/telegram.py DEFAULT_RATE (loaded only with Telegram)


def services(
    engine: Engine,
    config: Config,
    channels: tuple[str, ...],
    settings: Settings,
    stop: asyncio.Event,
) -> list[Coroutine[Any, Any, None]]:
    """The loops of `mantelbot run`: each channel with its outbox sender, and the timers once."""
    jobs: list[Coroutine[Any, Any, None]] = []
    if "telegram" in channels:
        from bot import telegram  # python-telegram-bot is loaded only when it runs

        bot = telegram.TelegramBot(config, engine, rate=settings.telegram_rate)
        jobs.append(bot.serve(stop, settings.webhook))  # with its sender and the timers
    if settings.signal is not None:
        channel = SignalChannel(engine, settings.signal)
        pace = replace(settings.outbox, per_chat_interval=settings.signal.recipient_interval)
        jobs += [channel.serve(stop), Sender(engine.db, channel, pace).run(stop)]
    if "telegram" not in channels:
        timers = Scheduler(engine.db, engine.translator, default_language=engine.default_language)
        jobs.append(timers.run(stop))
    return jobs


def settings_from_env(channels: tuple[str, ...], webhook: bool, token: str | None) -> Settings:
    """Raises ValueError with a message that names the variable (never the token)."""
    settings = Settings(SenderSettings.from_env())
    if "telegram" in channels:
        from bot import telegram

        hook = telegram.WebhookSettings.from_env() if webhook else None
        settings = replace(settings, webhook=hook, telegram_rate=telegram.rate_from_env())
        telegram.check_token(token)
    if "signal" in channels:
        settings = replace(settings, signal=SignalSettings.from_env())
    return settings


async def run(db: Database, config: Config, channels: tuple[str, ...], settings: Settings) -> int:
    """Run the channels until SIGINT or SIGTERM; returns the exit code."""
    async with db.read() as tx:
        search_index.current(tx)  # build the carer search index now, not at the first search
    if channels == ("telegram",):
        from bot import telegram

        return await telegram.run(db, config, settings.webhook, settings.telegram_rate)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        failed = await run_until_stopped(
            services(make_engine(db, config), config, channels, settings, stop), stop
        )
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
    log.info("stopped")
    return EXIT_FAILED if failed else EXIT_OK


async def run_until_stopped(jobs: list[Coroutine[Any, Any, None]], stop: asyncio.Event) -> bool:
    """Run the jobs until `stop`, or until one of them ends (then the others stop too).
    True when one failed."""
    tasks = [asyncio.create_task(job) for job in jobs]
    await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    stop.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    failed = [r for r in results if isinstance(r, BaseException)]
    for error in failed:
        log.error("a channel failed: %s", type(error).__name__, exc_info=error)
    return bool(failed)
