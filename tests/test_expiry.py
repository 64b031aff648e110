"""Conversations are kept no longer than promised: a state (with a draft question that was never
sent) and the memory of a user without consent are forgotten after MANTELBOT_STATE_DAYS
(default 30) days without activity. The clock here is the test's."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.config import Config
from bot.i18n import translators
from flows import Engine
from store.db import Database
from tests.support import NOW, TZ, Chat, Clock, rows

QUESTION = "Kan iemand op woensdag bij mijn vader Wiebrand blijven?"


def engine_with(db: Database, clock: Clock, **options) -> Engine:
    return Engine(db, translators(TZ), clock=clock, **options)


async def draft_question(chat: Chat) -> None:
    """Up to the summary the carer has not approved yet: the draft is in the state."""
    await chat.onboard("1055 AB")
    await chat.press("consult")
    await chat.press("ask")
    await chat.press("topic:respite")
    await chat.send(QUESTION)
    assert "Zal ik het versturen?" in chat.text


async def test_an_unsent_draft_is_swept_after_30_days_without_activity(example_db):
    clock = Clock(NOW)
    engine = engine_with(example_db, clock)
    chat = Chat(engine)
    await draft_question(chat)
    assert QUESTION in str(await rows(example_db, "SELECT data FROM conversation_state"))

    clock.now += timedelta(days=29)
    assert await engine.sweep() == (0, 0)  # still within the promise
    assert QUESTION in str(await rows(example_db, "SELECT data FROM conversation_state"))

    clock.now += timedelta(days=2)
    assert await engine.sweep() == (1, 0)
    assert await rows(example_db, "SELECT * FROM conversation_state") == []
    assert len(await rows(example_db, "SELECT * FROM users")) == 1  # consent itself stays

    await chat.send("hallo")  # back after a month: the main menu, not the old draft
    assert "Wat wil je doen?" in chat.text and QUESTION not in chat.text


async def test_an_expired_draft_cannot_be_sent_even_before_the_sweep(example_db):
    clock = Clock(NOW)
    chat = Chat(engine_with(example_db, clock))
    await draft_question(chat)
    clock.now += timedelta(days=31)
    await chat.press_stale("send")
    assert await rows(example_db, "SELECT * FROM handovers") == []
    assert "Wat wil je doen?" in chat.text
    assert QUESTION not in str(await rows(example_db, "SELECT * FROM conversation_state"))


async def test_activity_keeps_the_conversation(example_db):
    clock = Clock(NOW)
    engine = engine_with(example_db, clock)
    chat = Chat(engine)
    await draft_question(chat)
    for _ in range(3):  # a message every 20 days
        clock.now += timedelta(days=20)
        await chat.press("edit")
        await chat.press("back")
    assert await engine.sweep() == (0, 0)
    await chat.press("send")
    assert [r[0] for r in await rows(example_db, "SELECT question FROM handovers")] == [QUESTION]


async def test_the_memory_of_a_user_without_consent_is_forgotten_too(example_db):
    clock = Clock(NOW)
    engine = engine_with(example_db, clock)
    anna, bert = Chat(engine, user="anna"), Chat(engine, user="bert")
    await anna.onboard("1055 AB", consent=False)
    await bert.onboard("1102 AB", consent=False)
    clock.now += timedelta(days=31)
    assert await engine.sweep() == (0, 2)
    await anna.send("/menu")
    assert "Vind je het goed" in anna.text  # a stranger again: the welcome and consent question

    await bert.onboard("1102 AB", consent=False)  # at the main menu, in memory only
    clock.now += timedelta(days=31)
    await anna.send("/menu")  # any activity also forgets the sessions idle for too long
    assert await engine.sweep() == (0, 0)
    await bert.send("/menu")
    assert "Vind je het goed" in bert.text and "Wat wil je doen?" not in bert.text


async def test_the_span_is_configurable(example_db):
    assert Config.from_env({}).keep_state == timedelta(days=30)
    assert Config.from_env({"MANTELBOT_STATE_DAYS": "7"}).keep_state == timedelta(days=7)
    for wrong in ("0", "zeven", "-3"):
        with pytest.raises(ValueError, match="MANTELBOT_STATE_DAYS"):
            Config.from_env({"MANTELBOT_STATE_DAYS": wrong})

    clock = Clock(NOW)
    engine = engine_with(example_db, clock, keep_state=timedelta(days=7))
    await draft_question(Chat(engine))
    clock.now += timedelta(days=8)
    assert await engine.sweep() == (1, 0)
