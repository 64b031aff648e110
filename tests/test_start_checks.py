"""Settings that would leak or fail later are refused at start, in one line, before any request."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.telegram import WebhookSettings
from tests.support import env_without_our_settings


def run(tmp_path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = env_without_our_settings(
        MANTELBOT_DB=str(tmp_path / "bot.sqlite3"), TELEGRAM_API_URL="http://127.0.0.1:9"
    )
    return subprocess.run(
        [sys.executable, "-m", "bot", "run", *args],
        env=clean | env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("token", ["123456", "abc:defghijklmnopqrstuvwxyz123", "12:short", "1:x y"])
def test_a_malformed_token_is_refused_without_repeating_it(tmp_path, token):
    done = run(tmp_path, {"TELEGRAM_BOT_TOKEN": token})
    assert done.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in done.stderr and len(done.stderr.splitlines()) == 1
    assert token not in done.stderr
    assert not (tmp_path / "bot.sqlite3").exists()  # refused before anything else happened


def test_a_webhook_must_be_https(tmp_path):
    token = "7000000001:TEST-token-never-sent-anywhere"
    env = {"TELEGRAM_BOT_TOKEN": token, "MANTELBOT_WEBHOOK_URL": "http://bot.example.org/tg"}
    done = run(tmp_path, env, "--webhook")
    assert done.returncode == 2
    assert "https://" in done.stderr and len(done.stderr.splitlines()) == 1
    with pytest.raises(ValueError, match="https://"):
        WebhookSettings.from_env({"MANTELBOT_WEBHOOK_URL": "http://bot.example.org/tg"})
    settings = WebhookSettings.from_env({"MANTELBOT_WEBHOOK_URL": "https://bot.example.org/tg"})
    assert settings.path == "tg"
