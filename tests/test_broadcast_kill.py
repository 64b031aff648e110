"""A coordinator's news message to 500 carers survives `kill -9`: the real `mantelbot run`
process against the fake Bot API server, the broadcast started through the coordinator's chat
(/beheer → news → areas → subject → text → preview → send), the process SIGKILLed halfway and
started again. Every carer gets the message, twice at most the ones in flight at the kill, and
the coordinator's report counts them all."""

from __future__ import annotations

from collections import Counter

from tests import town
from tests.bot_process import (
    BotProcess,
    add_coordinator,
    store_carers,
    telegram_deliveries,
)
from tests.fake_bot_api import FakeBotAPI, keys_of
from tests.support import rows
from tests.test_telegram import Carer, fake  # noqa: F401  (the fixture)
from tests.test_telegram_broadcast import compose_news

COORDINATOR = 5001
NOORD = list(range(70001, 70251))  # 250 carers in Weidebroek-Noord
ZUID = list(range(80001, 80251))  # 250 in Weidebroek-Zuid
BLOCKED = [90001, 90002, 90003]  # blocked the bot: reported, never retried
LINDENOORD = [91001, 91002]  # outside her areas
TEXT = "De inloop in het buurthuis is vanaf maandag ook op woensdag open."


def report(bot_api: FakeBotAPI) -> list[str]:
    return [t for t in bot_api.texts(COORDINATOR) if "is verstuurd" in t]


async def test_a_broadcast_to_500_carers_killed_halfway_arrives_once_with_a_true_report(
    fake: FakeBotAPI,  # noqa: F811
    db,
):
    await town.build(db)
    # The blocked ones first: they are sent to early on, long before the kill.
    await store_carers(db, "telegram", [str(c) for c in BLOCKED + NOORD], "wb-noord")
    await store_carers(db, "telegram", [str(c) for c in ZUID], "wb-zuid")
    await store_carers(db, "telegram", [str(c) for c in LINDENOORD], "lindenoord")
    add_coordinator(db, f"telegram:{COORDINATOR}", "weidebroek")
    fake.blocked |= set(BLOCKED)
    carers = NOORD + ZUID
    audience = len(carers) + len(BLOCKED)
    # Paced (messages per second for the whole bot), so the kill lands halfway; a short lease,
    # so what was in flight is sent again soon after the restart.
    settings = {"MANTELBOT_TELEGRAM_RATE": "50", "MANTELBOT_OUTBOX_LEASE": "2"}
    bot = BotProcess(db, telegram=fake, settings=settings)

    def news() -> Counter[int]:
        """How often each carer got the message (the coordinator saw it once, as a preview)."""
        counts = telegram_deliveries(fake, TEXT)
        assert counts.pop(COORDINATOR, 0) == 1
        return counts

    def delivered() -> set[int]:
        return set(news())

    async with bot:
        fenna = Carer(fake, user_id=COORDINATOR)
        preview, question = await compose_news(fenna, TEXT)
        assert f"{audience} mantelzorgers" in question["text"]
        await fenna.press(f"send:{audience}", message=question)

        await fake.wait_for(lambda: len(delivered()) >= len(carers) // 2, within=60)
        await bot.kill()
        at_kill = len(delivered())
        [(in_flight,)] = await rows(db, "SELECT count(*) FROM outbox WHERE status = 'sending'")
        assert at_kill < len(carers), "the kill came too late to test anything"

        restarted = len(fake.calls)
        await bot.start()
        await fake.wait_for(lambda: report(fake), within=60)
        assert await bot.stop() == 0, bot.log()

    counts = news()
    twice = [chat for chat, n in counts.items() if n > 1]
    print(f"killed after {at_kill} of {len(carers)}; in flight {in_flight}; twice {len(twice)}")
    assert set(counts) == set(carers)  # every one, and nobody outside her areas
    assert max(counts.values()) <= 2
    assert len(twice) <= in_flight  # only what was in flight at the kill came twice
    # Each carer got it exactly as the preview showed it.
    for chat in (NOORD[0], ZUID[-1], *twice[:3]):
        message = fake.sent(chat, "sendMessage")[0].result
        assert message["text"] == preview["text"] and keys_of(message) == keys_of(preview)
    # The blocked carers were tried once, not again after the restart.
    assert len([c for c in fake.called("sendMessage") if c.chat_id in BLOCKED]) == len(BLOCKED)
    # One progress message, kept up to date in place, before and after the restart.
    [progress] = [
        c.result
        for c in fake.sent(COORDINATOR, "sendMessage")
        if c.result["text"].startswith("Nieuwsbericht:")
    ]
    edited = {c.params["message_id"] for c in fake.sent(COORDINATOR, "editMessageText")}
    assert edited == {progress["message_id"]}
    assert any(
        c.ok and c.method == "editMessageText" and c.chat_id == COORDINATOR
        for c in fake.calls[restarted:]
    )  # the restarted process went on with the same message
    [final] = report(fake)
    assert f"Aangekomen: {len(carers)}" in final
    assert f"Bot geblokkeerd: {len(BLOCKED)}" in final
    assert "Mislukt: 0" in final
