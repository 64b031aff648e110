"""The crisis route: at once, from anywhere, and nothing of the message is stored."""

import pytest

from flows.crisis import is_crisis
from tests.support import Chat, rows


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


async def test_crisis_text_mid_flow_gets_helplines_and_is_not_stored(chat: Chat, example_db):
    await chat.onboard()
    await chat.press("find")
    state_before = await rows(example_db, "SELECT step, data, offered FROM conversation_state")
    await chat.send("Ik kan niet meer, echt niet")
    assert "112" in chat.text and "113" in chat.text
    for name in ("Mantelzorglijn", "DementieLijn", "De Luisterlijn"):
        assert name in chat.text
    assert chat.text.index("Alarmnummer 112") < chat.text.index("De Luisterlijn")
    dump = ""
    for table in ("users", "conversation_state", "audit_log"):
        dump += str(await rows(example_db, f"SELECT * FROM {table}"))
    assert "echt niet" not in dump and "kan niet meer" not in dump
    assert await rows(example_db, "SELECT step, data, offered FROM conversation_state") == (
        state_before
    )
    await chat.press("resume")
    assert "cat:respite" in chat.keys  # back where the carer was


async def test_hulp_command_and_crisis_button_work_from_any_step(chat: Chat):
    await chat.send("/hulp")
    assert "Alarmnummer 112" in chat.text
    await chat.onboard()
    await chat.press("crisis")
    assert "De Luisterlijn" in chat.text
    await chat.press("menu")
    assert "find" in chat.keys


async def test_crisis_in_english(example_db):
    from tests.support import make_engine

    chat = Chat(make_engine(example_db), hint="en")
    await chat.send("I can't take it anymore")
    assert "Is someone in danger right now? Call 112." in chat.text
