"""What a carer sees outside the example city (Zwolle and Kampen, tests/conftest.py): every way to
reach a resource, a helpline to talk to anywhere, honest headers, dates that are never in the past,
and unmet needs counted only where nothing at all is near."""

from __future__ import annotations

from datetime import date

from store import needs, stats
from store.db import Database
from tests.support import Chat, make_engine, rows


def chat_in(db: Database, lang: str = "nl", user: str = "carer-1") -> Chat:
    return Chat(make_engine(db), user=user, hint=lang)


async def open_door(chat: Chat, key: str) -> str:
    """From the main menu, open a kind of help and read every page."""
    if "find" not in chat.keys:
        await chat.press("menu")
    await chat.press("find")
    if key not in chat.keys:
        await chat.press("all")
    await chat.press(key)
    pages = [chat.text]
    while "more" in chat.keys:
        await chat.press("more")
        pages.append(chat.text)
    return "\n\n".join(pages)


def card(text: str, name: str) -> str:
    start = text.index(name)
    return text[start:].split("\n\n")[0]


async def unmet(db: Database) -> list[tuple]:
    return await rows(db, "SELECT area_code, category FROM unmet_needs ORDER BY id")


async def test_a_card_shows_every_way_to_reach_the_resource(zwolle_db):
    chat = chat_in(zwolle_db)
    await chat.onboard("8012 AB", care="same")
    shown = card(await open_door(chat, "cat:respite"), "Logeerhuis De IJssel")
    for line in (
        "Telefoon: 038 000 00 01",
        "E-mail: logeer@example.org",
        "Adres: Dijkweg 1, 8011 AA Zwolle",
        "Openingstijden: ma-vr 9:00-17:00",
        "Website: https://example.org/logeer",
        "Kosten: Gratis",
    ):
        assert line in shown, shown


async def test_english_cards_have_english_cost_and_label_dutch_opening_hours(zwolle_db):
    chat = chat_in(zwolle_db, "en")
    await chat.onboard("8012 AB", care="same")
    shown = card(await open_door(chat, "cat:respite"), "Logeerhuis De IJssel")
    assert "Cost: Free" in shown and "Gratis" not in shown
    assert "Email: logeer@example.org" in shown and "Address: Dijkweg 1" in shown
    assert "Opening hours: ma-vr 9:00-17:00 (in Dutch)" in shown
    assert "Praatgroep Kampen" not in await open_door(chat, "cat:peer_group")
    chat = chat_in(zwolle_db, "en", user="carer-2")
    await chat.onboard("8261 AB", care="same")
    talk = card(await open_door(chat, "cat:peer_group"), "Praatgroep Kampen")
    assert "Opening hours: Tue 10:00-12:00" in talk and "(in Dutch)" not in talk


async def test_someone_to_talk_to_offers_national_helplines_anywhere(zwolle_db):
    for postcode in ("8261 AB", "9999 ZZ"):  # Kampen has no local listener; 9999 is no area
        chat = chat_in(zwolle_db, user=postcode)
        await chat.onboard(postcode)
        text = await open_door(chat, "cat:emotional_support")
        assert "De Luisterlijn" in text and "088 0767 000" in text
        assert "nog niets gevonden voor 'Iemand om mee te praten'" not in text.split("\n\n")[-1]


async def test_a_course_that_has_started_shows_no_past_date(zwolle_db):
    chat = chat_in(zwolle_db)
    await chat.onboard("8032 AB")  # Holtenbroek
    text = await open_door(chat, "cat:course")
    started = card(text, "Cursus Omgaan met dementie")
    assert "Loopt al, tot 1 maart 2027" in started
    assert "november 2026" not in started  # its first evening, 1 November, is over
    coming = card(text, "Cursus Minder stress")
    assert "Volgende datum: dinsdag 12 januari 2027, 10:00" in coming
    chat = chat_in(zwolle_db, "en", user="carer-2")
    await chat.onboard("8032 AB")
    started = card(await open_door(chat, "cat:course"), "Cursus Omgaan met dementie")
    assert "Already running, until 1 March 2027" in started


async def test_a_city_wide_match_is_not_an_unmet_need(zwolle_db):
    chat = chat_in(zwolle_db)
    await chat.onboard("8012 AB")  # Zwolle-Zuid: the dementia course is for all of Zwolle
    text = await open_door(chat, "cat:course")
    assert "Cursus Omgaan met dementie" in text and "nog niets gevonden" not in text
    assert "Hulp dicht bij jou staat bovenaan" in text
    assert await unmet(zwolle_db) == []
    text = await open_door(chat, "cat:practical_help")  # nothing in Zwolle-Zuid nor Zwolle
    assert await unmet(zwolle_db) == [("zwolle-zuid", "practical_help")]


async def test_a_need_is_counted_once_when_the_carer_goes_back_and_opens_it_again(zwolle_db):
    chat = chat_in(zwolle_db)
    await chat.onboard("8261 AB")  # Kampen: no course
    await open_door(chat, "cat:course")
    assert "Ik heb in Kampen nog niets gevonden" in chat.text
    await chat.send("terug")  # typed "back": the kinds of help again, then the same door
    assert "cat:course" in chat.keys
    await chat.press("cat:course")
    await chat.press("cats")  # "other kind of help", then the same door again
    await chat.press("cat:course")
    assert "Online cursus mantelzorg" in chat.text
    assert await unmet(zwolle_db) == [("kampen", "course")]


async def test_a_postcode_outside_every_area_is_counted_as_outside(zwolle_db):
    chat = chat_in(zwolle_db)
    await chat.onboard("9999 ZZ")
    text = await open_door(chat, "cat:course")
    assert "Online cursus mantelzorg" in text
    assert "Ik geef door dat 'Cursussen en trainingen' ontbreekt" in text
    async with zwolle_db.read() as tx:
        counted = await needs.counts(tx, since=date(2026, 1, 1))
    assert [(c.area_code, c.category, c.count) for c in counted] == [(needs.OUTSIDE, "course", 1)]
    async with zwolle_db.read() as tx:  # what coordinators for every area see
        report = await stats.report(tx, None, ())
        kampen = await stats.report(tx, ["kampen"], ())
    assert report.unmet == [(needs.OUTSIDE, "course", 1)] and kampen.unmet == []


async def test_help_close_to_you_is_said_only_when_something_local_is_listed(zwolle_db):
    chat = chat_in(zwolle_db)
    await chat.onboard("8261 AB")  # Kampen: only the national online course
    text = await open_door(chat, "cat:course")
    assert "Cursussen en trainingen: 1 gevonden." in text
    assert "dicht bij" not in text


async def test_the_postcode_example_comes_from_the_loaded_areas(zwolle_db):
    chat = chat_in(zwolle_db)
    await chat.send("/start")
    await chat.press("yes")
    assert "bijvoorbeeld 8260 AB" in chat.text and "1055" not in chat.text
    await chat.send("8012 AB")
    assert "bijvoorbeeld 8031 AB" in chat.text and "1102" not in chat.text


async def test_after_forget_me_the_postcode_is_asked_again(zwolle_db):
    chat = chat_in(zwolle_db)
    await chat.onboard("8012 AB")
    await chat.send("/vergeetmij")
    await chat.press("yes")
    assert "Ik heb alles gewist" in chat.text and "Waar woon je?" in chat.text
    await chat.send("8032 AB")
    assert "Je woont in Holtenbroek" in chat.text


DUTCH_IN_ENGLISH = ("naaste", "/mijngegevens", "/vergeetmij", "/hulp", "/taal", "lotgeno")


def english_catalogue() -> dict[str, str]:
    from babel.messages.pofile import read_po

    from bot.i18n import po_path

    with po_path("en").open("rb") as f:
        return {
            (m.id if isinstance(m.id, str) else m.id[0]): (
                m.string if isinstance(m.string, str) else " ".join(m.string)
            )
            for m in read_po(f)
            if m.id
        }


def test_english_texts_have_no_dutch_words_or_dutch_commands():
    found = [
        (word, text)
        for text in english_catalogue().values()
        for word in DUTCH_IN_ENGLISH
        if word in text.casefold()
    ]
    assert found == []


def test_english_pages_speak_of_the_person_you_care_for():
    from pathlib import Path

    from bot.i18n import LOCALES_DIR

    pages = sorted(Path(LOCALES_DIR, "en", "pages").glob("*.md"))
    assert pages
    found = [
        (page.name, word)
        for page in pages
        for word in DUTCH_IN_ENGLISH
        if word in page.read_text().casefold()
    ]
    assert found == []


async def test_english_data_export_is_named_in_english(zwolle_db):
    chat = chat_in(zwolle_db, "en")
    await chat.onboard("8012 AB", care="same")
    await chat.send("/mydata")
    assert "Where the person you care for lives: Zwolle-Zuid" in chat.text
    assert "mantelbot-data.json" in chat.text
    assert [r.document.filename for r in chat.last if r.document] == ["mantelbot-data.json"]
    await chat.send("/nonsense")
    assert "Try /menu, /help or /stop." in chat.text


def dutch_texts() -> dict[str, str]:
    """Every Dutch text a carer can see: each catalogue message and each page."""
    from pathlib import Path

    from babel.messages.pofile import read_po

    from bot.i18n import LOCALES_DIR, po_path

    with po_path("nl").open("rb") as f:
        texts = {
            f"msgid {m.id!r}": m.string if isinstance(m.string, str) else " ".join(m.string)
            for m in read_po(f)
            if m.id
        }
    for page in sorted(Path(LOCALES_DIR, "nl", "pages").glob("*.md")):
        texts[page.name] = page.read_text()
    return texts


# Words a carer may not know, and the explanation that must be in the same text where they appear.
EXPLAINED = {
    "Wmo": " wet",
    "Wmo-loket": "daar vraag je hulp aan bij de gemeente",
    "wijkteam": "hulpverleners van de gemeente",
    "cliëntondersteuner": "iemand die niet voor de gemeente werkt",
    "calamiteitenverlof": "noodgeval",
}


def test_jargon_is_explained_where_it_appears():
    unexplained = [
        (where, word)
        for where, text in dutch_texts().items()
        for word, explanation in EXPLAINED.items()
        if word.casefold() in text.casefold() and explanation.casefold() not in text.casefold()
    ]
    assert unexplained == []


def test_meeting_other_carers_has_one_name():
    texts = dutch_texts()
    assert [where for where, text in texts.items() if "lotgeno" in text.casefold()] == []
    from bot.i18n import translators
    from flows.find_help import DOORS
    from tests.support import TZ

    t = translators(TZ)("nl")
    assert t.gettext(DOORS["peers"].label) == "Andere mantelzorgers ontmoeten"
    assert t.gettext("Meet other carers") == "Andere mantelzorgers ontmoeten"
    assert t.gettext("Other carers and buddies") == "Andere mantelzorgers en maatjes"


async def test_the_stored_question_warns_against_names_and_phone_numbers(zwolle_db):
    chat = chat_in(zwolle_db)
    await chat.onboard("8012 AB")
    await chat.press("consult")
    await chat.press("ask")
    await chat.press("topic:respite")
    assert "geen namen, telefoonnummers of adressen" in chat.text
