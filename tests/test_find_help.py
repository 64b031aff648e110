"""A carer finds help for their own district, local first, national last."""

import pytest

from tests.support import Chat, make_engine


async def see_category(chat: Chat, category: str) -> str:
    if "find" not in chat.keys:
        await chat.press("menu")
    await chat.press("find")
    await chat.press(f"cat:{category}")
    pages = [chat.text]
    while "more" in chat.keys:
        await chat.press("more")
        pages.append(chat.text)
    return "\n\n".join(pages)


async def test_west_postcode_lists_west_then_city_then_national(chat: Chat):
    await chat.onboard("1055 AB")
    assert "West" in chat.text
    text = await see_category(chat, "advice")
    # Advice: West has none of its own in the example data; the city-wide steunpunt comes first,
    # then the national Mantelzorglijn-type resources, never another district's.
    assert "Steunpunt" in text
    text = await see_category(chat, "respite")
    assert "Waar: West" in text
    assert "Zuidoost" not in text
    west = text.index("Waar: West")
    city = text.index("Waar: Amsterdam")
    assert west < city


async def test_national_resources_come_after_local_ones(chat: Chat):
    await chat.onboard("1055 AB")
    text = await see_category(chat, "helpline")
    assert "Alarmnummer 112" in text and "Heel Nederland" in text
    text = await see_category(chat, "course")
    places = [line for line in text.splitlines() if line.startswith("Waar: ")]
    assert places, text
    order = {"Waar: West": 0, "Waar: Amsterdam": 1, "Waar: Heel Nederland": 2}
    ranks = [order[p] for p in places]
    assert ranks == sorted(ranks), places


async def test_zuidoost_carer_sees_zuidoost_respite_not_west(chat: Chat):
    await chat.onboard("1102 AB")
    text = await see_category(chat, "respite")
    assert "Waar: Zuidoost" in text
    assert "Waar: West" not in text


async def test_three_cards_at_a_time_with_more(chat: Chat):
    await chat.onboard("1055 AB")
    await chat.press("find")
    await chat.press("cat:helpline")  # six national helplines
    first = [r.text.splitlines()[0] for r in chat.last if "Waar:" in r.text]
    assert len(first) == 3
    assert "more" in chat.keys
    await chat.press("more")
    second = [r.text.splitlines()[0] for r in chat.last if "Waar:" in r.text]
    assert len(second) == 3 and not set(first) & set(second)
    assert "more" not in chat.keys


async def test_unknown_postcode_falls_back_to_national_honestly(chat: Chat):
    await chat.onboard("9999 ZZ")
    assert "9999" in chat.text and "heel Nederland" in chat.text
    text = await see_category(chat, "respite")
    assert "Ik heb nog niets gevonden" in text


async def test_bad_postcode_is_asked_again(chat: Chat):
    await chat.send("/start")
    await chat.press("yes")
    await chat.send("ergens in West")
    assert "geen postcode" in chat.text
    assert "1055 AB" in chat.text  # the question again, with an example
    await chat.send("1055AB")
    assert "Je woont in West" in chat.text


@pytest.mark.parametrize(
    ("lang", "expected"), [("nl", "Even vrij (respijtzorg)"), ("en", "Time off (respite care)")]
)
async def test_categories_in_the_users_language(example_db, lang, expected):
    chat = Chat(make_engine(example_db), hint=lang)
    await chat.onboard("1055 AB")
    await chat.press("find")
    assert expected in chat.labels


async def test_english_cards_use_english_descriptions(example_db):
    chat = Chat(make_engine(example_db), hint="en")
    await chat.onboard("1055 AB")
    await chat.press("find")
    await chat.press("cat:respite")
    assert "Where: West" in chat.text
    assert "First step: Call" in chat.text
