"""Recognise yourself as a carer, and a short profile where every question can be skipped."""

import pytest

from tests.support import Chat, make_engine, rows, rows_about


async def recognise(chat: Chat, *answers: str) -> None:
    await chat.press("am_i")
    for answer in answers:
        await chat.press(answer)


async def test_am_i_a_carer_is_the_first_door_of_the_main_menu(chat: Chat):
    await chat.onboard()
    assert chat.keys[0] == "am_i"
    assert chat.labels[0] == "Ben ik mantelzorger?"
    assert chat.keys[-1] == "crisis"


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        (("yes", "daily", "yes"), "Dan ben je mantelzorger"),
        (("sometimes", "weekly", "unsure"), "Dan ben je mantelzorger"),
        (("sometimes", "rarely", "no"), "Misschien is het (nog) geen mantelzorg"),
        (("no",), "Dan ben je nu waarschijnlijk geen mantelzorger"),
    ],
)
async def test_three_questions_give_a_clear_and_kind_answer(chat: Chat, answers, expected):
    await chat.onboard()
    await recognise(chat, *answers)
    assert expected in chat.text


async def test_a_carer_is_told_there_is_help_and_can_go_on(example_db):
    chat = Chat(make_engine(example_db), hint="en")
    await chat.onboard()
    await recognise(chat, "yes", "daily", "yes")
    assert "Then you are a mantelzorger" in chat.text
    assert "there is help for you" in chat.text
    await chat.press("find")
    assert "cat:respite" in chat.keys


async def test_not_a_carer_can_read_what_mantelzorg_is(example_db):
    chat = Chat(make_engine(example_db), hint="en")
    await chat.onboard()
    await recognise(chat, "no")
    assert "probably not a mantelzorger" in chat.text
    await chat.press("page")
    assert "What is mantelzorg?" in chat.text


async def fill_profile(chat: Chat, *keys: str) -> None:
    for key in keys:
        await chat.press(key)


async def test_the_profile_is_stored_on_the_user(chat: Chat, example_db):
    await chat.onboard()
    await recognise(chat, "yes", "daily", "yes")
    await chat.press("profile")
    assert "zes korte vragen" in chat.text and "Ik bewaar je antwoorden" in chat.text
    await chat.press("start")
    assert "Vraag 1 van 6" in chat.text
    await fill_profile(chat, "v:parent", "v:dementia", "v:8_20", "v:1_5y", "v:work", "v:50_64")
    assert "Dit heb je me verteld" in chat.text
    assert "Voor wie je zorgt: Mijn vader of moeder" in chat.text
    assert "Uren per week: 8 tot 20 uur" in chat.text
    stored = await rows(
        example_db,
        "SELECT relation, situation, hours_band, duration_band, work, age_band FROM users",
    )
    assert stored == [("parent", "dementia", "8_20", "1_5y", "work", "50_64")]


async def test_questions_can_be_skipped_stopped_and_answers_removed(example_db):
    chat = Chat(make_engine(example_db), hint="en")
    await chat.onboard()
    await chat.press("settings")
    await chat.press("profile")
    await chat.press("start")
    await fill_profile(chat, "skip", "v:mental_health", "stop")
    assert "Their situation: Mental health problems" in chat.text
    assert await rows(example_db, "SELECT relation, situation, work FROM users") == [
        (None, "mental_health", None)
    ]
    # Later, from the settings: the current answer is shown and can be removed.
    await chat.press("menu")
    await chat.press("settings")
    await chat.press("profile")
    await chat.press("start")
    await chat.press("skip")
    assert "Your answer now: Mental health problems" in chat.text
    await chat.press("clear")
    assert await rows(example_db, "SELECT situation FROM users") == [(None,)]


async def test_without_consent_the_profile_stays_in_memory_until_consent(chat: Chat, example_db):
    await chat.onboard(consent=False)
    await chat.press("settings")
    await chat.press("profile")
    assert "alleen tijdens dit gesprek" in chat.text
    await chat.press("start")
    await fill_profile(chat, "v:partner", "v:physical", "stop")
    assert "Voor wie je zorgt: Mijn partner" in chat.text
    assert await rows(example_db, "SELECT * FROM users") == []
    # Giving consent later moves the answers into the stored row.
    await chat.press("menu")
    await chat.press("settings")
    await chat.press("consent")
    await chat.press("yes")
    assert await rows(example_db, "SELECT relation, situation, home_area FROM users") == [
        ("partner", "physical", "west")
    ]


async def test_an_under_16_is_erased_and_goes_on_without_storing(chat: Chat, example_db):
    await chat.onboard("1055 AB")
    await chat.press("settings")
    await chat.press("profile")
    await chat.press("start")
    await fill_profile(chat, "v:parent", "skip", "skip", "skip", "v:study")
    assert await rows(example_db, "SELECT relation FROM users") == [("parent",)]
    await chat.press("v:under_16")
    assert "jonger dan 16" in chat.text
    assert "Ik heb alles gewist" in chat.text
    assert await rows_about(example_db, None, "carer-1") == []
    # Help for young carers in their own district (kept in memory only).
    await chat.press("help")
    assert "Groep voor jonge mantelzorgers (voorbeeld)" in chat.text
    await chat.press("read")
    assert "Jonge mantelzorgers" in chat.text
    # They cannot give consent, nor leave a question to be stored.
    await chat.press("menu")
    await chat.press("settings")
    assert "consent" not in chat.keys
    await chat.press("menu")
    await chat.press("consult")
    assert "kan ik geen vraag voor je doorgeven" in chat.text
    assert "ask" not in chat.keys and "consent" not in chat.keys
    # They did not choose to store nothing: the burden check does not say they did.
    await chat.press("menu")
    await chat.press("check")
    assert "Ik bewaar niets over jou, dus ook je score niet." in chat.text
    assert "gekozen" not in chat.text
    await chat.send("/start")
    await chat.press("yes")  # the welcome's consent: still nothing is stored
    assert await rows_about(example_db, None, "carer-1") == []


async def test_an_under_16_without_consent_in_english(example_db):
    chat = Chat(make_engine(example_db), hint="en")
    await chat.onboard("1055 AB", consent=False)
    await chat.press("settings")
    await chat.press("profile")
    await chat.press("start")
    await fill_profile(chat, "skip", "skip", "skip", "skip", "skip", "v:under_16")
    assert "Because you are under 16, I do not store anything about you" in chat.text
    assert "I have erased" not in chat.text  # there was nothing to erase
    await chat.press("help")
    assert "Help for young carers" in chat.text
    assert await rows(example_db, "SELECT * FROM users") == []
