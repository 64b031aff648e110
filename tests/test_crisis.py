"""The crisis route: at once, from anywhere, the right screen first, and nothing of it stored."""

import asyncio
import sqlite3

import pytest

from flows import held_text
from flows.crisis import is_crisis
from tests.support import Chat, make_engine, rows


@pytest.mark.parametrize(
    "text",
    [
        "ik kan niet meer",
        "Ik KAN niet meer!!",
        "eerlijk gezegd... ik kan niet  meer",
        "ik denk aan zelfmoord",
        "Zelfmóórd",
        "I can\u2019t go on",
        "sometimes I want to die",
    ],
)
def test_crisis_words_are_recognised_whatever_the_spelling(text):
    assert is_crisis(text)


@pytest.mark.parametrize(
    "text",
    [
        "1055 AB",
        "respijtzorg",
        "ik kan niet komen",
        "meer",
        "ik kan niet meer naar de cursus komen op dinsdag?",
        "ik kan niet meer lopen met hem naar buiten",
        "ik kan het niet meer betalen",
    ],
)
def test_ordinary_messages_are_not_crisis(text):
    assert not is_crisis(text)


async def dump(db) -> str:
    text = ""
    for table in ("users", "conversation_state", "audit_log", "handovers"):
        text += str(await rows(db, f"SELECT * FROM {table}"))
    return text


async def test_crisis_screen_puts_113_first_is_short_and_offers_more(chat: Chat, example_db):
    await chat.onboard()
    await chat.press("find")
    state_before = await rows(example_db, "SELECT step, data, offered FROM conversation_state")
    await chat.send("ik zie het echt niet meer zitten")
    screen = chat.text
    assert screen.index("113") < screen.index("112") < screen.index("De Luisterlijn")
    assert "0800-0113" in screen and "https://www.113.nl" in screen
    assert "(24/7)" in screen  # opening hours
    assert len(screen) < 600
    assert "zitten" not in await dump(example_db)  # nothing of the message is stored
    assert await rows(example_db, "SELECT step, data, offered FROM conversation_state") == (
        state_before
    )
    assert "Meer hulplijnen" in chat.labels
    await chat.press("crisis:more")
    for name in ("Mantelzorglijn", "DementieLijn", "De Luisterlijn", "Veilig Thuis"):
        assert name in chat.text
    assert "werkdagen" in chat.text
    await chat.press("resume")
    assert "cat:respite" in chat.keys  # back where the carer was


async def test_abuse_screen_puts_veilig_thuis_first_for_both_directions(chat: Chat, example_db):
    await chat.onboard()
    for text in ("ik sla hem soms", "mijn vader slaat mij"):
        await chat.send(text)
        assert chat.text.index("Veilig Thuis") < chat.text.index("112")
        assert "113" not in chat.text
        assert "0800-2000" in chat.text
        assert "anoniem" in chat.text and "twijfelt" in chat.text
        assert "bang voor wat je zelf doet" in chat.text  # the carer afraid of what they do
        assert len(chat.text) < 600
    assert "slaat" not in await dump(example_db) and "sla hem" not in await dump(example_db)


async def test_ordinary_sentence_with_crisis_words_goes_to_the_step(chat: Chat, example_db):
    await chat.onboard()
    await chat.press("consult")
    await chat.press("ask")
    await chat.press("topic:practical")
    await chat.send("ik kan niet meer lopen met hem naar buiten, wie helpt?")
    assert "Vraag: ik kan niet meer lopen met hem naar buiten" in chat.text
    assert "113" not in chat.text


@pytest.mark.parametrize(
    "question",
    ["kan ik mijn pillen sparen in de app?", "can i get points for saving my pills in the app?"],
)
async def test_saving_pills_in_an_app_is_a_question_not_a_crisis(chat: Chat, question: str):
    await chat.onboard()
    await chat.press("consult")
    await chat.press("ask")
    await chat.press("topic:practical")
    await chat.send(question)
    assert f"Vraag: {question}" in chat.text
    assert "113" not in chat.text


async def test_hulp_command_and_crisis_button_work_from_any_step(chat: Chat):
    await chat.send("/hulp")
    assert "113 Zelfmoordpreventie" in chat.text
    await chat.onboard()
    await chat.press("crisis")
    assert "De Luisterlijn" in chat.text
    await chat.press("menu")
    assert "find" in chat.keys


async def test_crisis_in_english_with_english_opening_hours(example_db):
    chat = Chat(make_engine(example_db), hint="en")
    await chat.send("I can't take it anymore")
    assert "Danger right now? Call 112." in chat.text
    assert "or chat on 113.nl" in chat.text
    await chat.press("crisis:more")
    assert "weekdays" in chat.text and "every day, daytime and evening" in chat.text
    assert "werkdagen" not in chat.text and "elke dag" not in chat.text
    await chat.send("my dad hits me")
    assert chat.text.index("Veilig Thuis") < chat.text.index("112")
    assert "anonymously" in chat.text


async def write_consult_question(chat: Chat, text: str) -> None:
    await chat.onboard()
    await chat.press("consult")
    await chat.press("ask")
    await chat.press("topic:emotional")
    await chat.send(text)


async def test_a_question_that_opens_the_helplines_is_kept_and_can_be_sent_anyway(
    chat: Chat, example_db
):
    question = "Ik kan het niet meer aan met mijn moeder. Kan iemand me bellen?"
    await write_consult_question(chat, question)
    assert "113" in chat.text
    assert "Toch versturen" in chat.labels
    assert "niet meer aan" not in await dump(example_db)  # only in memory
    await chat.press(held_text.SEND_ANYWAY)
    assert f"Vraag: {question}" in chat.text  # the summary, with the text kept
    assert "niet meer aan" not in await dump(example_db)  # still not stored
    await chat.press("send")
    assert await rows(example_db, "SELECT question FROM handovers") == [(question,)]
    assert "niet meer aan" not in str(await rows(example_db, "SELECT * FROM conversation_state"))


async def test_a_kept_question_expires_and_the_carer_is_asked_to_write_it_again(
    chat: Chat, example_db, monkeypatch
):
    monkeypatch.setattr(held_text, "HOLD_SECONDS", 0)
    await write_consult_question(chat, "ik wil er niet meer zijn")
    await chat.press(held_text.SEND_ANYWAY)
    assert "niet meer bewaard" in chat.text
    assert "Schrijf je vraag" in chat.text  # the question step again
    assert await rows(example_db, "SELECT * FROM handovers") == []


async def test_helplines_need_no_write_lock_while_another_process_writes(chat: Chat, example_db):
    await chat.onboard()  # the main menu, with the crisis button
    # Another process (an import) holds the write lock for as long as this test runs.
    other = sqlite3.connect(example_db.path, isolation_level=None, timeout=0)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE resources SET name = name WHERE id = 'mantelzorglijn'")
    try:
        await chat.press("crisis")
        assert "113 Zelfmoordpreventie" in chat.text
        await chat.send("/hulp")
        assert "https://www.113.nl" in chat.text  # read from the database, not the built-in text
        await chat.press("crisis:more")
        assert "Mantelzorglijn (MantelzorgNL)" in chat.text
        await chat.send("ik wil dood")
        assert "113 Zelfmoordpreventie" in chat.text
    finally:
        other.rollback()
        other.close()


async def test_built_in_helplines_when_the_database_does_not_answer(chat: Chat, example_db):
    await chat.onboard()
    release = asyncio.Event()

    async def another_carers_slow_step():
        async with example_db.transaction():
            await asyncio.wait_for(release.wait(), 10)

    holder = asyncio.create_task(another_carers_slow_step())
    await asyncio.sleep(0)
    try:
        await chat.send("ik wil er een eind aan maken")
    finally:
        release.set()
        await holder
    assert "113 Zelfmoordpreventie (dag en nacht): bel 113 of gratis 0800-0113" in chat.text
    assert "Veilig Thuis" in chat.text and "Mantelzorglijn (werkdagen)" in chat.text


async def test_built_in_helplines_when_the_database_cannot_be_read_at_all(example_db):
    chat = Chat(make_engine(example_db))
    await example_db.close()
    await chat.send("/hulp")
    assert "113 Zelfmoordpreventie (dag en nacht)" in chat.text
    await chat.send("ik sla haar soms")
    assert chat.text.index("Veilig Thuis") < chat.text.index("113")


async def test_a_message_to_the_adviser_that_opens_the_helplines_can_be_sent_anyway(example_db):
    from tests.test_handovers import setup

    anna, _ = await setup(example_db)
    await anna.press("consult")
    await anna.press("hc:r:1")  # "Mijn open vraag": write to the adviser
    await anna.send("Ik kan het echt niet meer aan.")
    assert "113" in anna.text and "Toch versturen" in anna.labels
    messages = "SELECT body FROM handover_messages"
    assert await rows(example_db, messages) == []  # not passed on unless the carer chooses
    await anna.press(held_text.SEND_ANYWAY)
    assert await rows(example_db, messages) == [("Ik kan het echt niet meer aan.",)]
    assert "Toegevoegd aan je vraag" in anna.text


async def test_a_coordinator_answer_that_names_suicide_reaches_the_carer(example_db):
    from tests.test_handovers import inbox, setup

    anna, fatima = await setup(example_db)
    await fatima.send("/beheer")
    await fatima.press("handovers")
    await fatima.press("ho:1")
    await fatima.press("claim")
    answer = "Denk je aan zelfmoord? Bel dan meteen 113. Voor logeeropvang bel ik je morgen."
    await fatima.send(answer)
    assert "Verstuurd naar de mantelzorger" in fatima.text
    assert answer in await inbox(example_db, "anna")
    await fatima.send("/hulp")  # a coordinator can still ask for help themselves
    assert "113 Zelfmoordpreventie" in fatima.text
