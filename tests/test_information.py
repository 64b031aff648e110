"""Know your rights: short information pages, per language, a few screens each."""

import pytest

from bot.config import LANGUAGES
from flows.information import PAGES, load_page, page_path, parse_page
from tests.support import Chat, make_engine

MAX_SCREEN = 1000  # a screen should fit on a phone without scrolling much
TELEGRAM_LIMIT = 4096


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", PAGES)
def test_every_page_exists_in_every_language_and_fits_on_screens(lang, name):
    path = page_path(lang, name)
    assert path.exists(), f"missing: {path}"
    page = parse_page(name, path.read_text(encoding="utf-8"))
    assert page.title and page.screens
    for screen in page.screens:
        assert len(screen) <= MAX_SCREEN, f"{lang}/{name}: a screen of {len(screen)} characters"
        assert len(f"{page.title}\n\n{screen}\n\n(9/9)") <= TELEGRAM_LIMIT
    # The same page has the same number of screens in every language.
    assert len(page.screens) == len(load_page(LANGUAGES[0], name).screens)


def test_the_leave_page_states_the_legal_facts():
    text = "\n".join(load_page("nl", "leave").screens)
    assert "twee keer het aantal uren" in text and "minstens 70% van je loon" in text
    assert "zes keer het aantal uren" in text and "onbetaald" in text
    assert "Calamiteitenverlof" in text and "cao" in text
    english = "\n".join(load_page("en", "appreciation").screens)
    assert "Wmo 2015, article 2.1.6" in english


def test_a_page_without_a_title_is_refused():
    with pytest.raises(ValueError):
        parse_page("broken", "no title\n---\ntext")


async def test_read_a_page_screen_by_screen_in_dutch(chat: Chat):
    await chat.onboard()
    await chat.press("rights")
    assert "Verlof van je werk" in chat.labels
    await chat.press("page:leave")
    assert chat.text.startswith("Verlof van je werk")
    assert "Kortdurend zorgverlof" in chat.text and "(1/3)" in chat.text
    assert chat.labels[:2] == ["Verder", "Andere onderwerpen"]
    await chat.press("next")
    assert "Langdurend zorgverlof" in chat.text and "(2/3)" in chat.text
    await chat.press("next")
    assert "Praat met je werkgever" in chat.text and "(3/3)" in chat.text
    assert "next" not in chat.keys
    await chat.press("page:working_carers")  # the link at the end of the page
    assert chat.text.startswith("Werken en zorgen")
    await chat.press("topics")
    assert "page:respite" in chat.keys


async def test_a_page_leads_on_to_help_nearby_in_english(example_db):
    chat = Chat(make_engine(example_db), hint="en")
    await chat.onboard("1055 AB")
    await chat.press("rights")
    await chat.press("page:respite")
    assert chat.text.startswith("A break: respite care")
    await chat.press("next")
    assert "Through the health insurer" in chat.text
    await chat.press("door:respite")
    assert "Where: West" in chat.text  # the respite resources of the carer's district


async def test_every_page_can_be_read_to_the_end_in_both_languages(example_db):
    for lang in LANGUAGES:
        chat = Chat(make_engine(example_db), user=f"reader-{lang}", hint=lang)
        await chat.onboard(consent=False)
        await chat.press("rights")
        for name in PAGES:
            await chat.press(f"page:{name}")
            assert chat.text.startswith(load_page(lang, name).title)
            while "next" in chat.keys:
                await chat.press("next")
            assert "topics" in chat.keys and "menu" in chat.keys
            await chat.press("topics")
