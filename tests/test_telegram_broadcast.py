"""A coordinator's news message on Telegram, end to end: the real python-telegram-bot stack against
the fake Bot API server, on a real SQLite file, in the made-up town of tests/town.py.

The coordinator walks /beheer → news → areas → subject → text → preview → "Send to N carers". The
carers of her areas get the message once, exactly as the preview showed it; a carer elsewhere
does not. While it runs she sees one progress message that is edited in place, and at the end a
report in which the carer who blocked the bot counts as blocked.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from store import reminders
from store.reminders import Settings
from tests import town
from tests.fake_bot_api import FakeBotAPI, keys_of
from tests.support import rows
from tests.test_telegram import Carer, onboard, running

COORDINATOR = 5001
NOORD, ZUID, LINDENOORD, BLOCKED, SLOW = 6001, 6002, 6003, 6004, 6005
TEXT = "Nieuw: een cursus Zorgen en Werken in Weidebroek. Aanmelden kan tot 1 december."


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    server = await FakeBotAPI().start()
    yield server
    await server.stop()


def news(fake: FakeBotAPI, chat: int) -> list[dict]:
    return [
        call.result
        for call in fake.sent(chat, "sendMessage")
        if call.result.get("text", "").startswith("Nieuws van")
    ]


async def compose_news(coordinator: Carer, text: str) -> tuple[dict, dict]:
    """A coordinator on Telegram: /beheer → news → new → all my areas → every carer → `text`.
    Returns the preview (the carers' message) and the question under it with "Send to N"."""
    await coordinator.send("/beheer")
    await coordinator.press("news")
    await coordinator.press("new")
    await coordinator.press("ba:*")
    await coordinator.press("cat:*")
    await coordinator.send(text, until=lambda sent: len(sent) >= 2)
    preview, question = coordinator.last[-2:]
    return preview, question


async def test_a_broadcast_reaches_the_carers_in_scope_once_with_progress_and_report(fake, db):
    await town.build(db)
    await town.add_coordinator(db, str(COORDINATOR), ["weidebroek"], channel="telegram")
    fenna = Carer(fake, user_id=COORDINATOR)
    postcodes = {NOORD: "9912 AB", ZUID: "9913 AB", LINDENOORD: "9914 AB"}
    postcodes |= {BLOCKED: "9912 AB", SLOW: "9913 AB"}
    async with running(fake, db.path):
        for chat, postcode in postcodes.items():
            await onboard(Carer(fake, user_id=chat), postcode)
        # No quiet hours, so the test does not depend on the time of day it runs.
        async with db.transaction() as tx:
            async with tx.execute("SELECT id FROM users") as cur:
                user_ids = [row[0] for row in cur.rows]
            for user_id in user_ids:
                await reminders.save_settings(tx, user_id, Settings("00:00", "00:00", True))

        preview, question = await compose_news(fenna, TEXT)
        assert preview["text"] == f"Nieuws van Steunpunt Weidebroek:\n\n{TEXT}"
        assert keys_of(preview) == ["news.off", "crisis"]
        assert "Zal ik het naar 4 mantelzorgers sturen?" in question["text"]
        assert "Stuur naar 4 mantelzorgers" in [
            b["text"] for row in question["reply_markup"]["inline_keyboard"] for b in row
        ]

        fake.fail(BLOCKED, 403)
        fake.fail(SLOW, 429, retry_after=8)  # keeps the broadcast going past one progress tick
        await fenna.press("send:4", message=question)
        assert "Ik stuur het bericht naar 4 mantelzorgers" in fenna.text

        def report() -> dict | None:
            for call in fake.sent(COORDINATOR, "sendMessage"):
                if "is verstuurd" in call.result.get("text", ""):
                    return call.result
            return None

        final = await fake.wait_for(report, within=60)

    for chat in (NOORD, ZUID, SLOW):
        (message,) = news(fake, chat)
        assert message["text"] == preview["text"]
        assert keys_of(message) == ["news.off", "crisis"]
    assert news(fake, LINDENOORD) == [] and news(fake, BLOCKED) == []
    assert "Aangekomen: 3" in final["text"] and "Bot geblokkeerd: 1" in final["text"]
    assert "Mislukt: 0" in final["text"]

    # One progress message, changed in place as the figures moved.
    progress = [
        call.result
        for call in fake.sent(COORDINATOR, "sendMessage")
        if call.result.get("text", "").startswith("Nieuwsbericht:")
    ]
    assert len(progress) == 1
    edits = [call for call in fake.sent(COORDINATOR, "editMessageText") if call.ok]
    assert edits and all(call.params["message_id"] == progress[0]["message_id"] for call in edits)
    assert "Nieuwsbericht: " in edits[-1].result["text"]
    assert await rows(db, "SELECT active FROM users u WHERE external_id = ?", str(BLOCKED)) == [
        (0,)
    ]
