"""Where the carer and their naaste live: a postcode, "same as me", or a pick from the list.
Only the district is kept, never the postcode, and nothing at all without consent."""

from __future__ import annotations

import json

from flows.places import CARE_POSTCODE_STEP, HOME_POSTCODE_STEP, single_question
from store.db import Database
from tests.support import Chat, make_engine, rows


async def start(chat: Chat, consent: bool = True) -> None:
    await chat.send("/start")
    await chat.press("yes" if consent else "no")


async def stored_areas(db: Database) -> list[tuple]:
    return await rows(db, "SELECT home_area, care_area FROM users")


async def test_carer_and_naaste_postcodes_keep_only_the_districts(chat: Chat, example_db):
    await start(chat)
    await chat.send("1055 AB")
    assert "Je woont in West" in chat.text
    assert "Waar woont je naaste?" in chat.text
    await chat.send("1102ab")
    assert "Je naaste woont in Zuidoost" in chat.text
    assert "check" in chat.keys and "find" in chat.keys  # the main menu
    assert await stored_areas(example_db) == [("west", "zuidoost")]
    everything = ""
    for table in ("users", "conversation_state"):
        everything += str(await rows(example_db, f"SELECT * FROM {table}"))
    assert "1055" not in everything and "1102" not in everything


async def test_a_postcode_typed_in_a_sentence_is_read(chat: Chat, example_db):
    await start(chat)
    await chat.send("mijn postcode is 1055ab")
    assert "Je woont in West" in chat.text
    await chat.send("ze woont in 1102 AB en ik in 1055 AB")  # two: which one is meant?
    assert "Sorry, dat is geen postcode." in chat.text
    await chat.send("1102 AB, bij de metro")
    assert "Je naaste woont in Zuidoost" in chat.text
    assert await stored_areas(example_db) == [("west", "zuidoost")]


async def test_same_as_me_in_one_tap(chat: Chat, example_db):
    await start(chat)
    await chat.send("1055 AB")
    await chat.press("same")
    assert "dezelfde wijk" in chat.text
    assert await stored_areas(example_db) == [("west", "west")]


async def test_same_as_me_is_not_offered_without_an_own_area(chat: Chat, example_db):
    await start(chat)
    await chat.press("skip")
    assert "Waar woont je naaste?" in chat.text
    assert "same" not in chat.keys
    await chat.send("1102 AB")
    assert await stored_areas(example_db) == [(None, "zuidoost")]


async def test_skipping_the_naaste_keeps_no_care_area(chat: Chat, example_db):
    await start(chat)
    await chat.send("1055 AB")
    await chat.press("skip")
    assert "bij jou in de buurt" in chat.text
    assert await stored_areas(example_db) == [("west", None)]


async def test_a_bad_naaste_postcode_is_asked_again(chat: Chat):
    await start(chat)
    await chat.send("1055 AB")
    await chat.send("bij mijn moeder")
    # The example is a postcode of the loaded areas (Nieuw-West), not the carer's own district.
    assert "geen postcode" in chat.text and "bijvoorbeeld 1060 AB" in chat.text
    await chat.send("1102 AB")
    assert "Je naaste woont in Zuidoost" in chat.text


async def test_pick_the_district_from_the_list(chat: Chat, example_db):
    await start(chat)
    await chat.press("list")
    # One city in the example data: its districts at once, with "elsewhere" options.
    assert "Welke wijk van Amsterdam?" in chat.text
    assert {"Centrum", "West", "Zuidoost", "Weesp"} <= set(chat.labels)
    assert "Ergens anders in Amsterdam" in chat.labels
    assert "Ergens anders in Nederland" in chat.labels
    await chat.press("area:west")
    assert "Je woont in West" in chat.text
    await chat.press("list")
    await chat.press("area:amsterdam")  # somewhere else in Amsterdam
    assert "Je naaste woont in Amsterdam" in chat.text
    assert await stored_areas(example_db) == [("west", "amsterdam")]


async def test_pick_elsewhere_in_the_netherlands_in_english(example_db):
    chat = Chat(make_engine(example_db), hint="en")
    await start(chat)
    await chat.press("list")
    assert "Which district of Amsterdam?" in chat.text
    await chat.press("area:nl")
    assert "help for the whole country" in chat.text
    assert "Where does the person you care for live?" in chat.text
    await chat.press("list")
    await chat.press("area:zuidoost")
    assert "The person you care for lives in Zuidoost" in chat.text
    assert await stored_areas(example_db) == [("nl", "zuidoost")]


async def test_list_with_more_cities_groups_districts_under_their_city(example_db):
    async with example_db.transaction() as tx:
        await tx.execute(
            "INSERT INTO areas (code, name, parent) VALUES ('utrecht', 'Utrecht', 'nl')"
        )
        await tx.execute("INSERT INTO area_postcodes (area_code, pc4) VALUES ('utrecht', 3511)")
    chat = Chat(make_engine(example_db))
    await start(chat)
    await chat.press("list")
    assert "Welke plaats?" in chat.text
    assert chat.labels[:2] == ["Amsterdam", "Utrecht"]
    await chat.press("area:amsterdam")
    assert "Welke wijk van Amsterdam?" in chat.text
    await chat.press("area:oost")
    assert "Je woont in Oost" in chat.text


async def test_without_consent_the_areas_live_in_memory_only(chat: Chat, example_db):
    await start(chat, consent=False)
    await chat.send("1055 AB")
    await chat.send("1102 AB")
    await chat.press("find")
    await chat.press("cat:respite")
    assert "Waar: Zuidoost" in chat.text  # remembered in memory
    assert await rows(example_db, "SELECT * FROM users") == []
    assert await rows(example_db, "SELECT * FROM conversation_state") == []


async def test_no_postcode_entry_in_the_main_menu(chat: Chat):
    await chat.onboard("1055 AB")
    assert "find" in chat.keys  # the main menu
    assert "postcode" not in chat.keys
    assert not any("postcode" in label.casefold() for label in chat.labels)


async def open_on_its_own(
    chat: Chat, db: Database, step_name: str, data: dict | None = None
) -> None:
    """What another flow (the settings menu) does: enter one question outside onboarding."""
    async with db.transaction() as tx:
        await tx.execute(
            "UPDATE conversation_state SET step = ?, data = ?, offered = '[]'",
            (step_name, json.dumps(data or {})),
        )
    chat.last = await chat.engine.resume(chat.channel, chat.user)  # the question is shown


async def test_from_settings_each_question_returns_to_the_main_menu(chat: Chat, example_db):
    await chat.onboard("1055 AB", care="1102 AB")
    await open_on_its_own(chat, example_db, HOME_POSTCODE_STEP)
    await chat.send("1091 AA")
    assert "Je woont in Oost" in chat.text
    assert "Waar woont je naaste?" not in chat.text
    assert "check" in chat.keys  # the main menu
    await open_on_its_own(chat, example_db, CARE_POSTCODE_STEP, single_question("menu.main"))
    await chat.send("nergens")  # not a postcode: asked again, still on its own
    await chat.press("list")
    await chat.press("area:noord")
    assert "Je naaste woont in Noord" in chat.text and "check" in chat.keys
    assert await stored_areas(example_db) == [("oost", "noord")]


async def test_a_question_entered_outside_onboarding_with_a_return_step(chat: Chat, example_db):
    await chat.onboard("1055 AB")
    await open_on_its_own(chat, example_db, HOME_POSTCODE_STEP, single_question("find.doors"))
    await chat.press("list")
    await chat.press("area:zuid")
    assert "Je woont in Zuid" in chat.text
    assert "Wat voor hulp zoek je?" in chat.text  # the step asked for, not the naaste's question


async def test_from_the_settings_menu_each_question_stands_on_its_own(chat: Chat, example_db):
    await chat.onboard("1055 AB", care="1102 AB")
    await chat.press("settings")
    await chat.press("home")
    await chat.send("1031 AB")
    assert "Je woont in Noord" in chat.text
    # Back where the carer came from (the settings menu), not on to the naaste's question.
    assert "Waar woont je naaste?" not in chat.text and "care" in chat.keys
    await chat.press("care")
    await chat.press("same")
    assert "dezelfde wijk" in chat.text and "home" in chat.keys
    assert await stored_areas(example_db) == [("noord", "noord")]


async def test_the_naaste_question_promises_only_what_is_kept(chat: Chat, example_db):
    # With consent only the district is kept; without consent nothing is, and it says so.
    await start(chat)
    await chat.send("1055 AB")
    assert "Ik bewaar alleen de wijk" in chat.text
    assert "Ik bewaar die niet" not in chat.text
    other = Chat(chat.engine, "no-consent")
    await start(other, consent=False)
    await other.send("1055 AB")
    assert "Ik bewaar die niet" in other.text
    assert "Ik bewaar alleen de wijk" not in other.text
