"""A coordinator's news message reaches carers on Telegram and on Signal exactly once: one real
`mantelbot run` process serving both channels (MANTELBOT_CHANNELS=telegram,signal) on one
database, against the fake Bot API server and the fake signal-cli daemon. A coordinator on
Telegram (buttons) and one on Signal (numbered lines) each send one; a Signal carer's typed
number picks from the news message, also after the bot restarted."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests import town
from tests.bot_process import (
    BotProcess,
    add_coordinator,
    signal_deliveries,
    store_carers,
)
from tests.bot_process import telegram_deliveries as telegram_news
from tests.fake_bot_api import FakeBotAPI
from tests.fake_signal_cli import FakeSignalCli
from tests.support import rows
from tests.test_signal import Phone
from tests.test_telegram import Carer
from tests.test_telegram_broadcast import compose_news

FENNA = 5001  # coordinator on Telegram
KARIM = "c0c0c0c0-1111-4222-8333-444455556666"  # coordinator on Signal
ANNA = 6001  # carer on Telegram, Weidebroek-Noord
BERT = "b0b0b0b0-1111-4222-8333-444455556666"  # carer on Signal, Weidebroek-Zuid
LINDA = "d0d0d0d0-1111-4222-8333-444455556666"  # carer on Signal, Lindenoord: not in scope
FROM_TELEGRAM = "Zaterdag is er een koffieochtend voor mantelzorgers in De Linde."
FROM_SIGNAL = "De cursus Zorgen en Werken heeft nog drie plaatsen vrij."


@pytest.fixture
async def servers() -> AsyncIterator[tuple[FakeBotAPI, FakeSignalCli]]:
    bot_api, signal_cli = await FakeBotAPI().start(), await FakeSignalCli().start()
    yield bot_api, signal_cli
    await bot_api.stop()
    await signal_cli.stop()
    assert not signal_cli.violations, signal_cli.violations


def finished(texts: list[str]) -> list[str]:
    return [t for t in texts if "is verstuurd" in t]


async def test_a_broadcast_reaches_a_telegram_and_a_signal_carer_exactly_once(servers, db):
    bot_api, signal_cli = servers
    await town.build(db)
    await store_carers(db, "telegram", [str(ANNA)], "wb-noord")
    await store_carers(db, "signal", [BERT], "wb-zuid")
    await store_carers(db, "signal", [LINDA], "lindenoord")
    for uuid in (BERT, LINDA):
        signal_cli.phone(uuid)  # registered on Signal, as anyone who wrote to the bot is
    add_coordinator(db, f"telegram:{FENNA}", "weidebroek")
    add_coordinator(db, f"signal:{KARIM}", "weidebroek", name="Karim")

    async with BotProcess(db, telegram=bot_api, signal=signal_cli) as bot:
        # Fenna, on Telegram, taps her way through.
        fenna = Carer(bot_api, user_id=FENNA)
        _, question = await compose_news(fenna, FROM_TELEGRAM)
        await fenna.press("send:2", message=question)
        await bot_api.wait_for(lambda: finished(bot_api.texts(FENNA)), within=30)

        # The bot restarts; Bert then types the number of "I need help right now" under the
        # news: it still picks that, not what the same number meant in his last menu.
        assert await bot.stop() == 0, bot.log()
        await bot.start()
        bert = Phone(signal_cli, uuid=BERT)
        bert.last = signal_cli.sent_to(BERT)[-1:]
        assert await bert.picks("Ik heb nu direct hulp nodig", until="113")

        # Karim, on Signal, types the numbers in front of the choices.
        karim = Phone(signal_cli, uuid=KARIM)
        await karim.says("/beheer", until="Bericht aan mantelzorgers")
        await karim.picks("Bericht aan mantelzorgers", until="Nieuw bericht")
        await karim.picks("Nieuw bericht", until="Al mijn gebieden")
        await karim.picks("Al mijn gebieden", until="Alle mantelzorgers daar")
        await karim.picks("Alle mantelzorgers daar", until="Typ je bericht")
        preview = await karim.says(FROM_SIGNAL, until="Stuur naar 2 mantelzorgers")
        await karim.picks("Stuur naar 2 mantelzorgers", until="Ik stuur het bericht")
        await signal_cli.wait_for(lambda: finished(signal_cli.texts(KARIM)), within=30)

        # Bert answers the news on Signal with the number of "Stop news messages".
        bert.last = signal_cli.sent_to(BERT)[-1:]
        assert FROM_SIGNAL in bert.text
        await bert.picks("Stop nieuwsberichten", until="Nieuwsberichten staan uit")
        assert await bot.stop() == 0, bot.log()

    for text in (FROM_TELEGRAM, FROM_SIGNAL):
        assert telegram_news(bot_api, text) == {ANNA: 1} | ({FENNA: 1} if "koffie" in text else {})
        assert signal_deliveries(signal_cli, text) == {BERT: 1} | (
            {KARIM: 1} if "cursus" in text else {}
        )  # and nothing for Linda in Lindenoord
    # Bert's message on Signal was what Karim's preview showed: text and numbered choices.
    [news] = [s.text for s in signal_cli.sent_to(BERT) if FROM_SIGNAL in s.text]
    assert news in preview
    assert "1. Stop nieuwsberichten" in news and "2. Ik heb nu direct hulp nodig" in news
    for texts in (bot_api.texts(FENNA), signal_cli.texts(KARIM)):
        [report] = finished(texts)
        assert "Aangekomen: 2" in report and "Mislukt: 0" in report
    assert await rows(
        db,
        "SELECT s.broadcasts FROM notification_settings s JOIN users u ON u.id = s.user_id "
        "WHERE u.external_id = ?",
        BERT,
    ) == [(0,)]
