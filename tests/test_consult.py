"""Talk to a mantelzorgconsulent: a question is passed on only after the carer approves it."""

from datetime import date

import pytest

from flows.consult import add_working_days
from tests.support import Chat, make_engine, rows, rows_about
from tests.test_coordinators import make_coordinator

QUESTION = "Mijn moeder heeft dementie. Hoe regel ik logeeropvang?"


async def ask_question(chat: Chat, topic: str = "respite", text: str = QUESTION) -> None:
    await chat.press("consult")
    await chat.press("ask")
    await chat.press(f"topic:{topic}")
    await chat.send(text)


async def test_the_carer_sees_what_is_passed_on_and_is_told_when_to_expect_an_answer(
    chat: Chat, example_db
):
    await make_coordinator(example_db, "fatima", ["west"])
    await chat.onboard("1055 AB")
    await chat.press("consult")
    assert "nog geen mantelzorgconsulent" not in chat.text  # Fatima answers for West
    await chat.press("menu")
    await ask_question(chat)
    assert "Dit geef ik door aan een mantelzorgconsulent" in chat.text
    assert "Onderwerp: Even vrij (respijtzorg)" in chat.text
    assert f"Vraag: {QUESTION}" in chat.text
    assert "Je wijk: West" in chat.text
    assert "Taal: Nederlands" in chat.text
    assert "in deze chat" in chat.text
    assert chat.labels[:3] == ["Versturen", "Aanpassen", "Annuleren"]
    assert await rows(example_db, "SELECT * FROM handovers") == []  # not before approval

    await chat.press("send")
    # Monday 23 November 2026 + 2 working days = Wednesday 25 November.
    assert "binnen 2 werkdagen, dus uiterlijk op 25 november 2026" in chat.text
    stored = await rows(
        example_db,
        "SELECT u.external_id, h.area_code, h.topic, h.question, h.language, h.status "
        "FROM handovers h JOIN users u ON u.id = h.user_id",
    )
    assert stored == [("carer-1", "west", "respite", QUESTION, "nl", "open")]
    assert "am_i" in chat.keys  # back in the main menu
    # The flow's copy of the question is gone from the conversation state.
    assert QUESTION not in str(await rows(example_db, "SELECT * FROM conversation_state"))


async def test_in_english(example_db):
    await make_coordinator(example_db, "admin", [], role="admin")
    chat = Chat(make_engine(example_db), hint="en")
    await chat.onboard("1102 AB")
    await ask_question(chat, "money", "How do I pay for day care?")
    assert "Topic: Money and costs" in chat.text
    assert "Your district: Zuidoost" in chat.text
    assert "Language: English" in chat.text
    assert chat.labels[:3] == ["Send", "Change", "Cancel"]
    await chat.press("send")
    assert "within 2 working days, so by 25 November 2026 at the latest" in chat.text
    assert await rows(example_db, "SELECT topic, language, area_code FROM handovers") == [
        ("money", "en", "zuidoost")
    ]


async def test_where_nobody_answers_no_answer_is_promised_and_phone_numbers_are_shown(
    chat: Chat, example_db
):
    await make_coordinator(example_db, "karim", ["zuidoost"])  # another district only
    await chat.onboard("1055 AB")
    await chat.press("consult")  # said before the carer writes anything
    assert "antwoordt nu in jouw gebied nog geen mantelzorgconsulent" in chat.text
    assert "Mantelzorglijn" in chat.text and "ask" in chat.keys  # still allowed to leave it
    await chat.press("menu")
    await ask_question(chat)
    await chat.press("send")
    assert "binnen 2 werkdagen" not in chat.text
    assert "antwoordt in jouw gebied nog geen mantelzorgconsulent via deze chat" in chat.text
    assert "Je kunt ze ook zelf bellen:" in chat.text and "Mantelzorglijn" in chat.text
    # Kept open: a coordinator added for West later finds it in the queue.
    assert await rows(example_db, "SELECT area_code, status FROM handovers") == [("west", "open")]


async def test_change_the_topic_or_the_question_before_sending(chat: Chat, example_db):
    await chat.onboard("1055 AB")
    await ask_question(chat)
    await chat.press("edit")
    await chat.press("topic")
    await chat.press("topic:money")
    assert "Onderwerp: Geld en kosten" in chat.text
    assert QUESTION in chat.text  # the question is kept
    await chat.press("edit")
    await chat.press("question")
    await chat.send("Wat kost dagopvang?")
    assert "Vraag: Wat kost dagopvang?" in chat.text
    await chat.press("send")
    assert await rows(example_db, "SELECT topic, question FROM handovers") == [
        ("money", "Wat kost dagopvang?")
    ]


async def test_cancel_sends_nothing_and_keeps_no_copy(chat: Chat, example_db):
    await chat.onboard("1055 AB")
    await ask_question(chat)
    await chat.press("cancel")
    assert "ik heb niets verstuurd" in chat.text.lower()
    assert await rows(example_db, "SELECT * FROM handovers") == []
    assert QUESTION not in str(await rows(example_db, "SELECT * FROM conversation_state"))


async def test_a_very_long_question_is_asked_to_be_shorter(chat: Chat, example_db):
    await chat.onboard("1055 AB")
    await chat.press("consult")
    await chat.press("ask")
    await chat.press("topic:other")
    await chat.send("woord " * 300)
    assert "niet meer dan 1.000 tekens" in chat.text
    await chat.send("Korter nu.")
    assert "Vraag: Korter nu." in chat.text


async def test_a_crisis_in_the_question_gets_the_helplines_and_is_not_stored(
    chat: Chat, example_db
):
    await chat.onboard("1055 AB")
    await chat.press("consult")
    await chat.press("ask")
    await chat.press("topic:emotional")
    await chat.send("Ik kan niet meer, het is te veel")
    assert "113" in chat.text
    assert await rows(example_db, "SELECT * FROM handovers") == []
    assert "kan niet meer" not in str(await rows(example_db, "SELECT * FROM conversation_state"))


async def test_without_consent_the_carer_can_call_instead(chat: Chat, example_db):
    await chat.onboard("1055 AB", consent=False)
    await chat.press("consult")
    assert "moet ik hem bewaren" in chat.text
    await chat.press("phone")
    assert "Steunpunt Mantelzorg Amsterdam (voorbeeld)" in chat.text
    assert "Mantelzorglijn" in chat.text and "030 760 60 55" in chat.text
    assert await rows(example_db, "SELECT * FROM users") == []


async def test_without_consent_the_carer_can_consent_here_and_go_on(example_db):
    chat = Chat(make_engine(example_db), hint="en")
    await chat.onboard("1055 AB", consent=False)
    await chat.press("consult")
    assert "You have not given consent for storing yet" in chat.text
    await chat.press("consent")
    assert "What is your question about?" in chat.text
    assert await rows(example_db, "SELECT home_area, language FROM users") == [("west", "en")]
    await chat.press("topic:work")
    await chat.send("Can I get leave to care for my father?")
    await chat.press("send")
    assert await rows(example_db, "SELECT topic FROM handovers") == [("work",)]


async def test_handovers_go_with_the_user_when_erased(chat: Chat, example_db):
    await chat.onboard("1055 AB")
    await ask_question(chat)
    await chat.press("send")
    assert len(await rows(example_db, "SELECT * FROM handovers")) == 1
    await chat.send("/vergeetmij")
    await chat.press("yes")
    assert await rows(example_db, "SELECT * FROM handovers") == []
    assert await rows_about(example_db, None, "carer-1") == []


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (date(2026, 11, 23), date(2026, 11, 25)),  # Monday → Wednesday
        (date(2026, 11, 26), date(2026, 11, 30)),  # Thursday → Monday
        (date(2026, 11, 27), date(2026, 12, 1)),  # Friday → Tuesday
        (date(2026, 11, 28), date(2026, 12, 1)),  # Saturday → Tuesday
    ],
)
def test_working_days_skip_the_weekend(start, expected):
    assert add_working_days(start, 2) == expected
