"""Consent first; without it nothing about the user reaches the database."""

from tests.support import Chat, rows


async def test_without_consent_nothing_is_stored_but_help_is_found(chat: Chat, example_db):
    await chat.onboard("1055 AB", consent=False)
    await chat.press("find")
    await chat.press("cat:respite")
    assert "Waar: West" in chat.text  # the district is remembered in memory only
    assert await rows(example_db, "SELECT * FROM users") == []
    assert await rows(example_db, "SELECT * FROM conversation_state") == []


async def test_consent_stores_the_district_never_the_postcode(chat: Chat, example_db):
    await chat.onboard("1055 AB")
    users = await rows(example_db, "SELECT channel, external_id, home_area FROM users")
    assert users == [("test", "carer-1", "west")]
    everything = str(await rows(example_db, "SELECT * FROM users"))
    everything += str(await rows(example_db, "SELECT * FROM conversation_state"))
    assert "1055" not in everything


async def test_the_welcome_says_what_is_stored_before_asking(chat: Chat):
    await chat.send("/start")
    assert "bewaar ik je taal, je wijk en je antwoorden" in chat.text
    assert "Vind je het goed" in chat.text
