"""My data and settings, and switching language with /taal or /language."""

from tests.support import Chat, make_engine, rows


async def test_the_main_menu_has_every_door_in_order(chat: Chat):
    await chat.onboard()
    keys = chat.keys
    for earlier, later in [("am_i", "find"), ("find", "rights"), ("rights", "consult")]:
        assert keys.index(earlier) < keys.index(later)
    assert keys.index("consult") < keys.index("prepare") < keys.index("settings")
    assert "Mijn gegevens en instellingen" in chat.labels
    assert "Je rechten en informatie" in chat.labels


async def test_settings_offer_every_change(chat: Chat):
    await chat.onboard()
    await chat.press("settings")
    assert "ik bewaar je antwoorden" in chat.text
    for key in ("home", "care", "profile", "language", "mydata", "erase", "withdraw", "menu"):
        assert key in chat.keys, key
    await chat.press("home")
    assert "Waar woon je?" in chat.text
    await chat.send("1102 AB")
    assert await rows(chat.engine.db, "SELECT home_area FROM users") == [("zuidoost",)]
    assert "Je gegevens en instellingen" in chat.text  # back in the settings, not the onboarding


async def test_where_my_naaste_lives_can_be_changed(chat: Chat):
    await chat.onboard()
    await chat.press("settings")
    await chat.press("care")
    assert "Waar woont je naaste?" in chat.text
    await chat.send("1102 AB")
    assert await rows(chat.engine.db, "SELECT care_area FROM users") == [("zuidoost",)]
    assert "Je gegevens en instellingen" in chat.text


async def test_language_switch_from_settings_returns_to_settings(chat: Chat, example_db):
    await chat.onboard()
    await chat.press("settings")
    await chat.press("language")
    assert chat.text.startswith("Welke taal wil je? / Which language do you want?")
    await chat.press("lang:en")
    assert "from now on I speak English" in chat.text
    assert "Your data and settings." in chat.text  # the settings again, in English
    assert await rows(example_db, "SELECT language FROM users") == [("en",)]


async def test_taal_and_language_work_from_any_step_and_without_consent(example_db):
    chat = Chat(make_engine(example_db))
    await chat.onboard(consent=False)
    await chat.press("prepare")
    await chat.send("/language")
    assert "lang:nl" in chat.keys and "lang:en" in chat.keys
    await chat.press("lang:en")
    assert "What would you like to do?" in chat.text  # the main menu, in English
    await chat.send("/taal")
    assert chat.text.startswith("Which language do you want? / Welke taal wil je?")
    await chat.press("lang:nl")
    assert "vanaf nu praat ik Nederlands" in chat.text
    assert await rows(example_db, "SELECT * FROM users") == []


async def test_give_consent_from_the_settings(example_db):
    chat = Chat(make_engine(example_db), hint="en")
    await chat.onboard("1055 AB", consent=False)
    await chat.press("settings")
    assert "I store nothing about you" in chat.text
    await chat.press("consent")
    assert "Is it OK that I store this?" in chat.text
    await chat.press("yes")
    assert await rows(example_db, "SELECT home_area, language FROM users") == [("west", "en")]
    assert "withdraw" in chat.keys


async def test_the_verbinden_doors_lead_to_other_carers(chat: Chat):
    await chat.onboard("1055 AB")
    await chat.press("consult")
    await chat.press("peers")
    assert "Groep voor jonge mantelzorgers (voorbeeld)" in chat.text  # West's peer group
