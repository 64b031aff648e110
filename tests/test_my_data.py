"""See everything stored about you (/mijngegevens) and erase it (/vergeetmij)."""

import json

import pytest

from store import burden
from tests.support import NOW, Chat, make_engine, rows, rows_about


async def user_id(db, external_id: str = "carer-1") -> int:
    found = await rows(db, "SELECT id FROM users WHERE external_id = ?", external_id)
    assert found, "no user row"
    return found[0][0]


async def fill_in_some(chat: Chat) -> None:
    """A profile answer and a question for a consultant, so several tables hold rows."""
    await chat.press("settings")
    await chat.press("profile")
    await chat.press("start")
    await chat.press("v:parent")
    await chat.press("v:dementia")
    await chat.press("stop")
    await chat.press("menu")
    await chat.press("consult")
    await chat.press("ask")
    await chat.press("topic:respite")
    await chat.send("Mijn moeder heeft dementie. Hoe regel ik logeeropvang?")
    await chat.press("send")


async def test_my_data_shows_everything_in_plain_words_and_as_a_json_file(chat: Chat, example_db):
    await chat.onboard("1055 AB")
    await fill_in_some(chat)
    await chat.send("/mijngegevens")
    assert "Dit is alles wat ik over jou heb bewaard" in chat.text
    assert "Je gaf toestemming op 23 november 2026" in chat.text
    assert "Waar je woont: West" in chat.text
    assert "Voor wie je zorgt: Mijn vader of moeder" in chat.text
    assert "Situatie van je naaste: Dementie" in chat.text
    assert "Even vrij (respijtzorg) (wacht op antwoord)" in chat.text
    documents = [r.document for r in chat.last if r.document]
    assert [d.filename for d in documents] == ["mantelbot-gegevens.json"]
    exported = json.loads(documents[0].content)["tables"]
    me = await user_id(example_db)
    assert exported["users"][0]["id"] == me
    assert exported["users"][0]["situation"] == "dementia"
    assert exported["handovers"][0]["question"].startswith("Mijn moeder heeft dementie")
    assert exported["conversation_state"][0]["user_id"] == me
    assert set(exported) >= {"users", "handovers", "conversation_state"}


async def test_the_export_includes_tables_added_later_by_other_parts(chat: Chat, example_db):
    await chat.onboard("1055 AB")
    me = await user_id(example_db)
    async with example_db.transaction() as tx:
        await tx.execute(
            "CREATE TABLE later_notes (id INTEGER PRIMARY KEY, "
            "user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE, note TEXT)"
        )
        await tx.execute("INSERT INTO later_notes (user_id, note) VALUES (?, 'x')", (me,))
    await chat.send("/mydata")
    exported = json.loads(chat.last[-1].document.content)["tables"]
    assert exported["later_notes"] == [{"id": 1, "user_id": me, "note": "x"}]
    assert "later_notes" in chat.text


@pytest.mark.parametrize(("command", "lang"), [("/vergeetmij", "nl"), ("/forgetme", "en")])
async def test_forget_me_leaves_no_row_about_the_user_in_any_table(example_db, command, lang):
    chat = Chat(make_engine(example_db), user="carer-forget", hint=lang)
    await chat.onboard("1055 AB")
    await fill_in_some(chat)
    me = await user_id(example_db, "carer-forget")
    async with example_db.transaction() as tx:  # a burden check result, as its flow stores it
        await burden.save(tx, me, 5, NOW)
    assert len(await rows_about(example_db, me, "carer-forget")) >= 4  # users, state, handover, …

    await chat.send(command)
    assert ("Wil je dat ik alles wis" if lang == "nl" else "erase everything") in chat.text
    await chat.press("yes")
    assert ("Ik heb alles gewist" if lang == "nl" else "I have erased everything") in chat.text
    # The postcode question follows at once, so the reply does not send the carer to /start.
    assert "/start" not in chat.text
    assert await rows_about(example_db, me, "carer-forget") == []
    assert await rows(example_db, "PRAGMA foreign_key_check") == []
    # The memory is cleared too: the bot no longer knows where the carer lives.
    await chat.send("/mijngegevens")
    assert ("niets over jou bewaard" if lang == "nl" else "stored nothing about you") in chat.text
    assert "West" not in chat.text
    assert not any(r.document for r in chat.last)
    assert await rows_about(example_db, me, "carer-forget") == []


async def test_erasure_also_cleans_a_table_that_forgot_the_cascade(chat: Chat, example_db):
    await chat.onboard("1055 AB")
    me = await user_id(example_db)
    async with example_db.transaction() as tx:
        await tx.execute("CREATE TABLE careless (user_id INTEGER, note TEXT)")
        await tx.execute("INSERT INTO careless VALUES (?, 'left behind?')", (me,))
    await chat.send("/vergeetmij")
    await chat.press("yes")
    assert await rows(example_db, "SELECT * FROM careless") == []
    assert await rows_about(example_db, me, "carer-1") == []


async def test_saying_no_keeps_everything(chat: Chat, example_db):
    await chat.onboard("1055 AB")
    await chat.send("/vergeetmij")
    await chat.press("no")
    assert "niets gewist" in chat.text
    assert await rows(example_db, "SELECT home_area FROM users") == [("west",)]
    assert "am_i" in chat.keys  # the main menu


async def test_without_consent_my_data_says_nothing_is_stored(chat: Chat, example_db):
    await chat.onboard("1055 AB", consent=False)
    await chat.send("/mijngegevens")
    assert "Ik heb niets over jou bewaard" in chat.text
    assert "Waar je woont: West" in chat.text  # what is only in memory is named as such
    assert not any(r.document for r in chat.last)
    await chat.press("erase")
    await chat.press("yes")
    assert "vergeten wat je me in dit gesprek hebt verteld" in chat.text
    await chat.send("/mijngegevens")
    assert "West" not in chat.text
    assert await rows(example_db, "SELECT * FROM users") == []


async def test_withdrawing_consent_is_the_same_erasure(example_db):
    chat = Chat(make_engine(example_db), hint="en")
    await chat.onboard("1055 AB")
    me = await user_id(example_db)
    await chat.press("settings")
    assert "Withdraw my consent" in chat.labels
    await chat.press("withdraw")
    assert "If you withdraw your consent, I erase everything" in chat.text
    await chat.press("yes")
    assert await rows_about(example_db, me, "carer-1") == []
    assert "Where do you live?" in chat.text  # the districts are forgotten too: asked again
    await chat.press("skip")
    await chat.press("skip")
    await chat.press("settings")
    assert "consent" in chat.keys and "withdraw" not in chat.keys
