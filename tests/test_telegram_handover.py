"""A handover over Telegram end to end (the fake Bot API server): carer → coordinator → carer →
coordinator, then closed, and the coordinator never learns who the carer is."""

from __future__ import annotations

from tests.fake_bot_api import FakeBotAPI, keys_of, labels_of
from tests.support import make_coordinator, rows
from tests.test_telegram import Carer, fake, onboard, running  # noqa: F401

QUESTION = "Mijn vader heeft dementie en ik slaap slecht. Wie kan een dag per week oppassen?"


def newest(server: FakeBotAPI, chat: int, containing: str) -> dict:
    for call in reversed(server.sent(chat, "sendMessage")):
        if containing in call.result["text"]:
            return call.result
    raise AssertionError(f"no message with {containing!r} in chat {chat}")


def arrived(server: FakeBotAPI, chat: int, containing: str):
    return lambda: any(containing in text for text in server.texts(chat))


async def test_a_handover_over_telegram_keeps_the_carer_anonymous(fake, example_db):  # noqa: F811
    await make_coordinator(example_db, "9001", ["west"], channel="telegram")
    carer, adviser = Carer(fake, user_id=4242), Carer(fake, user_id=9001)
    async with running(fake, example_db.path):
        await onboard(carer)
        await carer.press("consult")
        await carer.press("ask")
        await carer.press("topic:respite")
        await carer.send(QUESTION)
        await carer.press("send")
        assert "Verstuurd." in carer.text

        # The coordinator's phone: a notification with a button to open the question.
        await fake.wait_for(arrived(fake, 9001, "Nieuwe vraag van een mantelzorger in West"))
        notification = newest(fake, 9001, "Nieuwe vraag")
        assert QUESTION in notification["text"]
        await adviser.press("hq:1", notification)
        assert "Vraag #1" in adviser.text and "Wijk: West" in adviser.text
        await adviser.press("claim")
        await adviser.send("Hallo, ik ben Fatima. Het Logeerhuis West heeft plek op dinsdag.")
        assert "Verstuurd naar de mantelzorger." in adviser.text

        # The carer's phone: the answer, signed, with buttons to answer and to close.
        await fake.wait_for(arrived(fake, 4242, "Het Logeerhuis West heeft plek"))
        answer = newest(fake, 4242, "Het Logeerhuis West heeft plek")
        assert "Antwoord van Fatima, Steunpunt Mantelzorg West" in answer["text"]
        assert keys_of(answer) == ["hc:r:1", "hc:c:1"]
        await carer.press("hc:r:1", answer)
        await carer.send("Fijn! Moet ik zelf bellen?")
        assert "Verstuurd naar de mantelzorgconsulent." in carer.text

        # Back at the coordinator, who answers again and closes.
        await fake.wait_for(arrived(fake, 9001, "Moet ik zelf bellen?"))
        relayed = newest(fake, 9001, "Moet ik zelf bellen?")
        assert relayed["text"].startswith("Mantelzorger #1 schrijft:")
        await adviser.press("hq:1", relayed)
        await adviser.send("Ja, bel ze morgen tussen 9 en 12.")
        await adviser.press("close")
        assert "Gesloten." in adviser.text

        await fake.wait_for(arrived(fake, 4242, "heeft je vraag gesloten"))
        assert any("bel ze morgen" in text for text in fake.texts(4242))

    # Nothing the coordinator ever got names the carer: no chat id, no Telegram name.
    to_adviser = [call.result for call in fake.sent(9001)]
    shown = "\n".join(m.get("text", "") + " ".join(labels_of(m)) for m in to_adviser)
    assert "4242" not in shown and "Carer 4242" not in shown
    assert "4242" not in str([call.params for call in fake.sent(9001)])
    assert await rows(example_db, "SELECT status, closed_by FROM handovers") == [
        ("closed", "coordinator")
    ]
    assert await rows(example_db, "SELECT status, count(*) FROM outbox GROUP BY status") == [
        ("delivered", 6)
    ]
