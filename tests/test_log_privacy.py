"""At DEBUG, libraries log every statement and request with its parameters. No log line may carry
what a carer wrote, their id or the token, whichever logger writes it."""

from __future__ import annotations

import asyncio
import logging

from bot import private_logs
from tests.support import start_mantelbot, typed_question_for_consultant

QUESTION = "Mijn broer Teunis Brakkeveen slaapt slecht sinds zijn beroerte, wat kan ik doen?"
USER = "gebruiker-77313"


async def test_a_real_chat_at_debug_logs_no_text_and_no_user_id(tmp_path):
    lines = ["1", "1055 AB", "Overslaan", *typed_question_for_consultant(QUESTION)]
    chat = await start_mantelbot(
        tmp_path,
        "chat",
        "--user",
        USER,
        "--db",
        str(tmp_path / "bot.sqlite3"),
        env={"MANTELBOT_LOG_LEVEL": "DEBUG"},
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(chat.communicate("\n".join(lines).encode() + b"\n"), 120)
    assert chat.returncode == 0
    # The question really went through the database (the example data has no adviser).
    assert "Ik heb je vraag bewaard." in out.decode()
    logged = err.decode()
    assert "DEBUG aiosqlite executing <hidden>" in logged  # DEBUG was on, and scrubbed
    for secret in (QUESTION, "Brakkeveen", "beroerte", USER, "1055"):
        assert secret not in logged, secret


def test_any_library_hides_its_arguments_at_debug_ours_keep_them_and_the_token_never_shows(
    caplog,
):
    token = "7000000001:TEST-secret-token-value"
    private_logs.install(token)  # as `mantelbot` does when it sets up logging
    caplog.set_level(logging.DEBUG)
    logging.getLogger("aiosqlite").debug("executing %s", "INSERT ... ('Teunis')")
    logging.getLogger("some.library").debug("payload %(text)s", {"text": "Teunis", "n": 3})
    logging.getLogger("some.library").warning("closing failed: %s", "disk full")
    logging.getLogger("store.db").debug("checkpoint %s: %d pages", "main", 12)
    try:
        raise RuntimeError(f"POST https://api.example.org/bot{token}/getMe failed")
    except RuntimeError:
        logging.getLogger("httpx").exception("request %s", f"/bot{token}/getMe")
    messages = [r.getMessage() for r in caplog.records]
    assert messages[:4] == [
        "executing <hidden>",
        "payload <hidden>",
        "closing failed: disk full",  # a library's warning keeps its details
        "checkpoint main: 12 pages",  # our own modules log no texts; their details stay
    ]
    assert "Teunis" not in caplog.text
    assert token not in caplog.text and "<token>" in caplog.text
