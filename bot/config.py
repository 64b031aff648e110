"""Configuration from the environment (names as in DESIGN.md)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

DEFAULT_API_URL = "https://api.telegram.org"
DEFAULT_DB = "mantelbot.sqlite3"
LANGUAGES = ("nl", "en")
DEFAULT_STATE_DAYS = 30


@dataclass(frozen=True)
class Config:
    db_path: Path
    telegram_token: str | None
    telegram_api_url: str
    timezone: ZoneInfo
    locale: str
    # A conversation (where a carer is, drafts) is forgotten after this long without activity.
    keep_state: timedelta = timedelta(days=DEFAULT_STATE_DAYS)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Config:
        env = dict(os.environ if env is None else env)
        locale = env.get("MANTELBOT_LOCALE", "nl").split("_")[0].lower() or "nl"
        if locale not in LANGUAGES:
            raise ValueError(f"MANTELBOT_LOCALE must be one of {', '.join(LANGUAGES)}")
        days = env.get("MANTELBOT_STATE_DAYS") or str(DEFAULT_STATE_DAYS)
        if not days.isdigit() or not 1 <= int(days) <= 3650:
            raise ValueError("MANTELBOT_STATE_DAYS must be a whole number of days (1-3650)")
        return cls(
            db_path=Path(env.get("MANTELBOT_DB") or DEFAULT_DB),
            telegram_token=env.get("TELEGRAM_BOT_TOKEN") or None,
            telegram_api_url=(env.get("TELEGRAM_API_URL") or DEFAULT_API_URL).rstrip("/"),
            timezone=ZoneInfo(env.get("MANTELBOT_TIMEZONE") or "Europe/Amsterdam"),
            locale=locale,
            keep_state=timedelta(days=int(days)),
        )

    def __repr__(self) -> str:  # never show the token, e.g. in a traceback
        token = "set" if self.telegram_token else "unset"
        return f"Config(db_path={self.db_path!s}, telegram_token={token}, locale={self.locale})"
