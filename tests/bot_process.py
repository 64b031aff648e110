"""The real `mantelbot run` process for end-to-end tests: started against the fake Bot API server
and/or the fake signal-cli daemon (both run in the test's event loop), killed with SIGKILL or
stopped with SIGTERM, on a real SQLite file. Carers and coordinators are stored the way the bot
and the command line store them."""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from store import reminders, users
from store.db import Database
from store.reminders import Settings
from tests.fake_bot_api import FakeBotAPI
from tests.fake_signal_cli import FakeSignalCli
from tests.support import NOW, start_mantelbot
from tests.test_cli import mantelbot


async def store_carers(
    db: Database, channel: str, external_ids: list[str], area: str, language: str = "nl"
) -> None:
    """Carers who gave consent and a postcode in `area` (only the district is kept), in one
    transaction. Without quiet hours, so what the bot sends them never waits for the morning,
    whatever the hour the test runs at."""
    async with db.transaction() as tx:
        for external_id in external_ids:
            user = await users.create(tx, channel, external_id, language, NOW)
            await users.update(tx, user.id, home_area=area, care_area=area)
            await reminders.save_settings(tx, user.id, Settings("00:00", "00:00"))


def add_coordinator(db: Database, target: str, areas: str, name: str = "Fenna") -> None:
    """`mantelbot coordinators add CHANNEL:ID --areas …`, as an administrator runs it."""
    done = mantelbot(
        Path(db.path).parent,
        "coordinators",
        "add",
        target,
        "--areas",
        areas,
        "--name",
        name,
        "--org",
        "Steunpunt Weidebroek",
        env={"MANTELBOT_DB": str(db.path)},
    )
    assert done.returncode == 0, done.stderr


@dataclass
class BotProcess:
    """`mantelbot run` serving the channels of the fake servers it is given."""

    db: Database
    telegram: FakeBotAPI | None = None
    signal: FakeSignalCli | None = None
    settings: dict[str, str] = field(default_factory=dict)  # more MANTELBOT_* settings
    process: asyncio.subprocess.Process | None = None

    @property
    def log_file(self) -> Path:
        return Path(self.db.path).parent / "mantelbot-run.log"

    def env(self) -> dict[str, str]:
        channels = [name for name in ("telegram", "signal") if getattr(self, name)]
        env = {"MANTELBOT_DB": str(self.db.path), "MANTELBOT_CHANNELS": ",".join(channels)}
        if self.telegram:
            env |= {
                "TELEGRAM_BOT_TOKEN": self.telegram.token,
                "TELEGRAM_API_URL": self.telegram.url,
            }
        if self.signal:
            env |= {
                "SIGNAL_CLI_ADDRESS": self.signal.address,
                "MANTELBOT_SIGNAL_RECIPIENT_INTERVAL": "0",
                "MANTELBOT_SIGNAL_OUTBOX_INTERVAL": "0",
            }
        return env | self.settings

    async def start(self, within: float = 30) -> None:
        """Start the process; returns when it polls Telegram and subscribed to Signal."""
        polls = self.telegram.polls if self.telegram else 0
        subscribes = self.signal.subscribes if self.signal else 0
        with self.log_file.open("ab") as log:
            self.process = await start_mantelbot(
                Path(self.db.path).parent, "run", env=self.env(), stderr=log
            )

        deadline = asyncio.get_running_loop().time() + within
        while not (
            (not self.telegram or self.telegram.polls > polls)
            and (not self.signal or self.signal.subscribes > subscribes)
        ):
            assert self.process.returncode is None, f"mantelbot run ended: {self.log()}"
            assert asyncio.get_running_loop().time() < deadline, f"not ready: {self.log()}"
            await asyncio.sleep(0.05)

    async def kill(self) -> None:
        """SIGKILL: no shutdown, no last write; what it was sending stays in flight."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> int:
        """SIGTERM, as a service manager stops it; returns the exit code."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), 30)

    def log(self) -> str:
        return self.log_file.read_text(errors="replace") if self.log_file.exists() else ""

    async def __aenter__(self) -> BotProcess:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()


def telegram_deliveries(fake: FakeBotAPI, text: str) -> Counter[int]:
    """How often each Telegram chat got a message containing `text`."""
    return Counter(c.chat_id for c in fake.sent(method="sendMessage") if text in c.result["text"])


def signal_deliveries(fake: FakeSignalCli, text: str) -> Counter[str]:
    """How often each Signal user got a message containing `text`."""
    return Counter(s.recipient for s in fake.sent if text in s.text)
