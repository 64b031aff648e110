"""Every message the code can show exists, translated and not fuzzy, in every language."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.config import LANGUAGES
from bot.i18n import po_path
from tests.support import NOW, TZ

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}")


def code_messages() -> set[str]:
    found = set()
    for package in ("store", "flows", "bot"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / package, method_map=[("**.py", "python")], keywords={"_": None, "N_": None}
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def catalogue(lang: str):
    with po_path(lang).open("rb") as f:
        return read_po(f, locale=lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_in_the_code_is_translated(lang):
    messages = {m.id: m for m in catalogue(lang) if m.id}
    missing = sorted(code_messages() - set(messages))
    assert not missing, f"{lang}: not in the catalogue: {missing}"
    untranslated = sorted(i for i, m in messages.items() if not m.string)
    assert not untranslated, f"{lang}: untranslated: {untranslated}"
    fuzzy = sorted(i for i, m in messages.items() if m.fuzzy)
    assert not fuzzy, f"{lang}: fuzzy: {fuzzy}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_match_between_msgid_and_translation(lang):
    for message in catalogue(lang):
        if message.id and message.string:
            expected = sorted(PLACEHOLDER.findall(message.id))
            assert sorted(PLACEHOLDER.findall(message.string)) == expected, message.id


def test_dutch_is_not_a_copy_of_english():
    dutch = {m.id: m.string for m in catalogue("nl") if m.id}
    same = [i for i, s in dutch.items() if s == i and not re.fullmatch(r"[\W{}\w]*: \{\w+\}", i)]
    assert len(same) <= 2, same  # "Website: {url}" may be identical, little else


def test_dates_and_numbers_follow_the_language():
    from bot.i18n import Translator

    when = NOW.replace(hour=19, minute=30)
    assert Translator("nl", TZ).format_datetime(when) == "maandag 23 november 2026, 19:30"
    # English in the Netherlands: day before month, 24-hour clock.
    assert Translator("en", TZ).format_datetime(when) == "Monday, 23 November 2026, 19:30"
    assert Translator("en", TZ).format_date(when) == "23 November 2026"
    assert Translator("nl", TZ).format_number(1234.5) == "1.234,5"
