"""A carer finds help: direct doors and the whole list, local first, national last; respite near
the naaste, courses near the carer; honest when nothing is local, and the gap is counted."""

from datetime import date

import pytest

from store import needs, resources
from store.db import Database
from store.resources import Resource
from tests.support import NOW, Chat, make_engine, rows


async def see_category(chat: Chat, category: str) -> str:
    """Open a kind of help from the main menu and read every page."""
    if "find" not in chat.keys:
        await chat.press("menu")
    await chat.press("find")
    if f"cat:{category}" not in chat.keys:
        await chat.press("all")  # the whole list of kinds of help
    await chat.press(f"cat:{category}")
    pages = [chat.text]
    while "more" in chat.keys:
        await chat.press("more")
        pages.append(chat.text)
    return "\n\n".join(pages)


def places(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(("Waar: ", "Where: "))]


async def add(db: Database, *found: Resource) -> None:
    async with db.transaction() as tx:
        for resource in found:
            await resources.upsert(tx, resource)


async def test_west_postcode_lists_west_then_city_then_national(chat: Chat):
    await chat.onboard("1055 AB")
    text = await see_category(chat, "advice")
    # Advice: West has none of its own in the example data; the city-wide steunpunt comes first,
    # never another district's.
    assert "Steunpunt" in text and "Noord" not in text
    text = await see_category(chat, "respite")
    assert "Waar: West" in text
    assert "Zuidoost" not in text
    assert text.index("Waar: West") < text.index("Waar: Amsterdam")


async def test_national_resources_come_after_local_ones(chat: Chat):
    await chat.onboard("1055 AB")
    text = await see_category(chat, "helpline")
    assert "Alarmnummer 112" in text and "Heel Nederland" in text
    text = await see_category(chat, "course")
    order = {"Waar: West": 0, "Waar: Amsterdam": 1, "Waar: Heel Nederland": 2}
    ranks = [order[p] for p in places(text)]
    assert ranks and ranks == sorted(ranks), places(text)


async def test_zuidoost_carer_sees_zuidoost_respite_not_west(chat: Chat):
    await chat.onboard("1102 AB")
    text = await see_category(chat, "respite")
    assert "Waar: Zuidoost" in text
    assert "Waar: West" not in text


async def test_three_cards_at_a_time_with_more(chat: Chat):
    await chat.onboard("1055 AB")
    await chat.press("find")
    await chat.press("all")
    await chat.press("cat:helpline")  # six national helplines
    first = [r.text.splitlines()[0] for r in chat.last if "Waar:" in r.text]
    assert len(first) == 3
    assert "more" in chat.keys
    await chat.press("more")
    second = [r.text.splitlines()[0] for r in chat.last if "Waar:" in r.text]
    assert len(second) == 3 and not set(first) & set(second)
    assert "more" not in chat.keys


async def test_unknown_postcode_falls_back_to_national_honestly(chat: Chat):
    await chat.send("/start")
    await chat.press("yes")
    await chat.send("9999 ZZ")
    assert "9999" in chat.text and "heel Nederland" in chat.text
    await chat.press("skip")
    text = await see_category(chat, "respite")
    assert "Ik heb nog niets gevonden" in text


async def test_bad_postcode_is_asked_again(chat: Chat):
    await chat.send("/start")
    await chat.press("yes")
    await chat.send("ergens in West")
    assert "geen postcode" in chat.text
    assert "bijvoorbeeld 1011 AB" in chat.text  # the question again, with an example
    await chat.send("1055AB")
    assert "Je woont in West" in chat.text


@pytest.mark.parametrize(
    ("lang", "doors", "category"),
    [
        (
            "nl",
            ["Ik wil even vrij", "Een cursus", "Andere mantelzorgers ontmoeten", "Praktische hulp"],
            "Even vrij (respijtzorg)",
        ),
        (
            "en",
            ["I want some time off", "A course", "Meet other carers", "Practical help"],
            "Time off (respite care)",
        ),
    ],
)
async def test_doors_and_the_full_list_in_the_users_language(example_db, lang, doors, category):
    chat = Chat(make_engine(example_db), hint=lang)
    await chat.onboard("1055 AB")
    await chat.press("find")
    assert chat.labels[:4] == doors
    await chat.press("all")
    assert category in chat.labels
    assert len([k for k in chat.keys if k.startswith("cat:")]) == len(resources.CATEGORIES)


async def test_english_cards_use_english_descriptions(example_db):
    chat = Chat(make_engine(example_db), hint="en")
    await chat.onboard("1055 AB")
    await chat.press("find")
    await chat.press("cat:respite")
    assert "Where: West" in chat.text
    assert "First step: Call" in chat.text
    assert "For: people who care for someone with dementia" in chat.text


async def test_a_card_says_what_for_whom_cost_first_step_contact_where_and_when(chat: Chat):
    await chat.onboard("1055 AB")
    await chat.press("find")
    await chat.press("cat:course")
    card = next(r.text for r in chat.last if "Grenzen stellen als mantelzorger" in r.text)
    assert "nee zeggen" in card  # what it is
    assert "Waar: West" in card
    assert "Volgende datum: donderdag 14 januari 2027, 19:30" in card
    assert "Kosten: Gratis" in card
    assert "Eerste stap: Meld je aan via de website." in card
    assert "Telefoon: 020 000 00 03" in card and "Website: https://" in card
    ggz = next(r.text for r in chat.last if "psychische problemen (voorbeeld)" in r.text)
    assert "Voor: mensen die zorgen voor iemand met psychische problemen" in ggz


async def test_respite_near_the_naaste_first_courses_near_the_carer_first(chat: Chat):
    await chat.onboard("1055 AB", care="1102 AB")
    respite = await see_category(chat, "respite")
    assert places(respite) == [
        "Waar: Zuidoost (waar je naaste woont)",
        "Waar: Zuidoost (waar je naaste woont)",
        "Waar: West (waar jij woont)",
        "Waar: West (waar jij woont)",
        "Waar: Amsterdam",
    ]
    assert "Hulp dicht bij je naaste staat bovenaan" in respite
    courses = await see_category(chat, "course")
    assert places(courses)[:3] == [
        "Waar: West (waar jij woont)",
        "Waar: West (waar jij woont)",
        "Waar: Zuidoost (waar je naaste woont)",
    ]
    assert places(courses)[-1] == "Waar: Heel Nederland"
    assert "Hulp dicht bij jou staat bovenaan" in courses


async def test_the_first_sentence_names_whose_place_really_comes_first(chat, example_db):
    # Advice is looked for near the carer first, but West has none: the naaste's district leads.
    await add(
        example_db,
        Resource(
            "vb-test-advies-zo",
            "Adviespunt Zuidoost",
            "advice",
            description_nl="Advies in Zuidoost.",
            areas=("zuidoost",),
        ),
    )
    await chat.onboard("1055 AB", care="1102 AB")
    advice = await see_category(chat, "advice")
    assert places(advice)[0] == "Waar: Zuidoost (waar je naaste woont)"
    assert "Hulp dicht bij je naaste staat bovenaan" in advice
    assert "Hulp dicht bij jou staat bovenaan" not in advice


async def test_a_kind_of_help_can_be_typed_instead_of_pressed(chat: Chat, example_db):
    await chat.onboard("1055 AB")
    await chat.press("find")
    await chat.send("Ik zoek een cursus")
    assert "Cursussen en trainingen:" in chat.text
    await chat.send("en iemand om mee te praten?")  # from the results: another kind
    assert "Iemand om mee te praten:" in chat.text and "De Luisterlijn" in chat.text
    await chat.press("cats")
    await chat.press("all")
    await chat.send("geld")
    assert "Geld en vergoedingen" in chat.text
    await chat.press("cats")
    await chat.send("cursus of logeren")  # two kinds: which one is meant?
    assert "Sorry, dat begrijp ik niet." in chat.text
    english = Chat(make_engine(example_db), user="carer-en", hint="en")
    await english.onboard("1055 AB")
    await english.press("find")
    await english.send("time off")
    assert "Time off (respite care):" in english.text


async def test_practical_help_follows_the_naaste_in_english(example_db):
    chat = Chat(make_engine(example_db), hint="en")
    await chat.onboard("1055 AB", care="1102 AB")
    await chat.press("find")
    await chat.press("cat:practical_help")
    assert places(chat.text) == [
        "Where: Zuidoost (where the person you care for lives)",
        "Where: West (where you live)",
    ]


async def test_a_resource_for_both_areas_appears_once(chat: Chat, example_db):
    await add(
        example_db,
        Resource(
            "vb-test-beide",
            "Respijt voor West en Zuidoost",
            "respite",
            description_nl="Voor beide wijken.",
            areas=("west", "zuidoost"),
        ),
    )
    await chat.onboard("1055 AB", care="1102 AB")
    text = await see_category(chat, "respite")
    assert text.count("Respijt voor West en Zuidoost") == 1
    card = text[text.index("Respijt voor West en Zuidoost") :].split("\n\n")[0]
    assert "Waar: Zuidoost" in card  # at its best place: the naaste's district


async def test_peers_door_shows_peer_groups_and_buddies(chat: Chat):
    await chat.onboard("1031 AB")  # Noord: a buddy, no peer group of its own
    await chat.press("find")
    await chat.press("door:peers")
    text = chat.text
    assert "Andere mantelzorgers en maatjes" in text
    assert "Mantelzorgmaatje Noord" in text and "Online groep voor mantelzorgers" in text
    assert text.index("Mantelzorgmaatje Noord") < text.index("Online groep voor mantelzorgers")


async def test_help_for_the_carers_situation_comes_first_at_the_same_place(chat, example_db):
    await chat.onboard("1055 AB")
    text = await see_category(chat, "course")
    assert text.index("Grenzen stellen als mantelzorger") < text.index("psychische problemen")
    async with example_db.transaction() as tx:  # the profile answer "mental health problems"
        await tx.execute("UPDATE users SET situation = 'mental_health'")
    text = await see_category(chat, "course")
    assert text.index("psychische problemen") < text.index("Grenzen stellen als mantelzorger")
    assert places(text)[:2] == ["Waar: West", "Waar: West"]  # still local before city


async def test_nothing_local_is_said_honestly_and_counted_once(chat: Chat, example_db):
    await chat.onboard("1031 AB")  # Noord: nobody to talk to in Noord, nor city-wide
    await chat.press("find")
    await chat.press("cat:emotional_support")
    assert "Ik heb in Noord nog niets gevonden voor 'Iemand om mee te praten'" in chat.text
    assert "Je naam geef ik niet door" in chat.text
    assert set(places(chat.text)) == {"Waar: Heel Nederland"}
    await chat.press("cats")  # another kind of help, then the same door again
    await chat.press("cat:emotional_support")
    assert await rows(example_db, "SELECT area_code, category, noted_on FROM unmet_needs") == [
        ("noord", "emotional_support", NOW.date().isoformat())
    ]
    columns = [r[1] for r in await rows(example_db, "PRAGMA table_info(unmet_needs)")]
    assert "user_id" not in columns  # not linked to the carer
    async with example_db.transaction() as tx:
        await tx.execute("DELETE FROM users")  # erasure
    assert len(await rows(example_db, "SELECT * FROM unmet_needs")) == 1


async def test_unmet_need_is_recorded_where_the_help_is_needed(chat: Chat, example_db):
    await chat.onboard("1031 AB", care="1071 AB")  # carer in Noord, the naaste in Zuid
    await see_category(chat, "practical_help")  # the naaste's side: none in Zuid, Noord, the city
    await see_category(chat, "respite")  # none in Zuid or Noord, but city-wide: nothing to record
    await see_category(chat, "course")  # none in Noord or Zuid, but city-wide: nothing to record
    assert await rows(example_db, "SELECT area_code, category FROM unmet_needs") == [
        ("zuid", "practical_help")
    ]


async def test_unmet_needs_are_counted_without_consent_too(chat: Chat, example_db):
    await chat.onboard("1102 AB", consent=False)
    text = await see_category(chat, "emotional_support")
    assert "Ik heb in Zuidoost nog niets gevonden" in text
    assert "Chat voor mantelzorgers" in text  # the national option
    assert await rows(example_db, "SELECT * FROM users") == []
    async with example_db.read() as tx:
        counted = await needs.counts(tx, since=date(2026, 1, 1))
    assert [(c.area_code, c.category, c.count) for c in counted] == [
        ("zuidoost", "emotional_support", 1)
    ]


async def test_national_helplines_are_not_counted_as_missing(chat: Chat, example_db):
    await chat.onboard("1055 AB")
    text = await see_category(chat, "helpline")
    assert "Alarmnummer 112" in text and "nog niets gevonden" not in text
    assert await rows(example_db, "SELECT * FROM unmet_needs") == []


async def test_no_area_known_records_nothing(chat: Chat, example_db):
    await chat.send("/start")
    await chat.press("yes")
    await chat.press("skip")
    await chat.press("skip")
    text = await see_category(chat, "course")
    assert "Waar: Heel Nederland" in text and "nog niets gevonden" not in text
    assert await rows(example_db, "SELECT * FROM unmet_needs") == []
