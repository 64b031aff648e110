"""The burden check (EDIZ): nine statements, a result in plain words, routing by band, the score
kept over time only with consent, and the crisis route in the middle of it."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from bot.i18n import translators
from flows import Engine
from flows.bands import BANDS, band_for
from store.db import Database
from tests.support import NOW, TZ, Chat, make_engine, rows

# The nine statements exactly as in content/ediz.md (Pot, van Dyck & Deeg, 1995).
EDIZ_NL = (
    "Door de situatie van mijn naaste kom ik te weinig aan mijn eigen leven toe.",
    "Het combineren van de verantwoordelijkheid voor mijn naaste en de verantwoordelijkheid voor "
    "mijn werk en/of gezin valt niet mee.",
    "Door mijn betrokkenheid bij mijn naaste doe ik anderen tekort.",
    "Ik moet altijd maar klaarstaan voor mijn naaste.",
    "Mijn zelfstandigheid komt in de knel.",
    "De situatie van mijn naaste eist voortdurend mijn aandacht.",
    "Door mijn betrokkenheid bij mijn naaste krijg ik conflicten thuis en/of op mijn werk.",
    "De situatie van mijn naaste laat mij nooit los.",
    "Ik voel me over het geheel genomen erg onder druk staan door de situatie van mijn naaste.",
)
NO_STRONG, NO, MORE_OR_LESS, YES, YES_STRONG = range(5)


async def take_check(chat: Chat, answers: list[int]) -> None:
    """From the main menu: the burden check with these answers (indexes into the five)."""
    await chat.press("check")
    await chat.press("start")
    for number, answer in enumerate(answers, start=1):
        await chat.press(f"ediz:{number}:{answer}")


def answers_for(score: int) -> list[int]:
    """Nine answers that add up to `score`, mixing the answers that count."""
    counting = [MORE_OR_LESS, YES, YES_STRONG]
    not_counting = [NO, NO_STRONG]
    return [counting[i % 3] for i in range(score)] + [not_counting[i % 2] for i in range(9 - score)]


async def test_dutch_check_one_statement_at_a_time_with_the_five_answers(chat: Chat):
    await chat.onboard("1055 AB")
    await chat.press("check")
    assert "geen diagnose" in chat.text and "twee minuten" in chat.text
    assert "alleen je totaalscore en de datum" in chat.text  # what happens with the answers
    await chat.press("start")
    for number, statement in enumerate(EDIZ_NL, start=1):
        assert f"Vraag {number} van 9" in chat.text
        assert statement in chat.text
        assert chat.labels[:5] == ["Nee!", "Nee", "Min of meer", "Ja", "Ja!"]
        await chat.press(f"ediz:{number}:{NO}")
    assert "Je score is 0 van de 9. Dat is laag." in chat.text


async def test_english_check_translates_statements_and_answers(example_db: Database):
    chat = Chat(make_engine(example_db), hint="en")
    await chat.onboard("1055 AB")
    await chat.press("check")
    assert "a check, not a diagnosis" in chat.text
    await chat.press("start")
    assert "Question 1 of 9" in chat.text
    assert "I have too little time for my own life" in chat.text
    assert chat.labels[:5] == ["No!", "No", "More or less", "Yes", "Yes!"]
    for number in range(1, 10):
        await chat.press(f"ediz:{number}:{YES}")
    assert "Your score is 9 out of 9. That is high." in chat.text
    assert "You do not have to do this alone" in chat.text


@pytest.mark.parametrize(
    ("score", "level", "doors"),
    [
        (0, "laag", ["cat:information", "cat:appreciation"]),
        (3, "laag", ["cat:information", "cat:appreciation"]),
        (4, "gemiddeld", ["cat:course", "door:peers", "cat:practical_help"]),
        (6, "gemiddeld", ["cat:course", "door:peers", "cat:practical_help"]),
        (7, "hoog", ["cat:respite", "consult", "cat:emotional_support"]),
        (9, "hoog", ["cat:respite", "consult", "cat:emotional_support"]),
    ],
)
async def test_the_band_decides_which_help_is_offered_first(chat: Chat, score, level, doors):
    await chat.onboard("1055 AB")
    await take_check(chat, answers_for(score))
    assert f"Je score is {score} van de 9. Dat is {level}." in chat.text
    assert chat.keys[: len(doors)] == doors
    assert ("crisis" in chat.keys) == (level == "hoog")


def test_bands_cover_every_score_once_and_are_routing_choices():
    assert [band_for(s).name for s in range(10)] == ["low"] * 4 + ["medium"] * 3 + ["high"] * 3
    covered = [s for band in BANDS for s in range(band.lowest, band.highest + 1)]
    assert covered == list(range(10))


async def test_only_more_or_less_yes_and_yes_strong_count(chat: Chat):
    await chat.onboard("1055 AB")
    await take_check(chat, [NO_STRONG, NO, MORE_OR_LESS, YES, YES_STRONG, NO, NO, NO, NO])
    assert "Je score is 3 van de 9." in chat.text


async def test_answers_can_be_typed_as_words(chat: Chat):
    await chat.onboard("1055 AB")
    await chat.press("check")
    await chat.press("start")
    await chat.send("ja!")
    assert "Vraag 2 van 9" in chat.text
    await chat.send("Min  of meer")
    assert "Vraag 3 van 9" in chat.text
    await chat.send("misschien")  # not one of the five answers: the same statement again
    assert chat.text.startswith("Sorry, dat begrijp ik niet.") and "Vraag 3 van 9" in chat.text
    assert chat.labels[:5] == ["Nee!", "Nee", "Min of meer", "Ja", "Ja!"]


async def test_separate_answers_cannot_be_read_back_from_the_conversation(chat, example_db):
    """The back history must not hold the running total after each statement: the differences
    would show every answer. Only the current total is kept while the check runs."""
    await chat.onboard("1055 AB")
    await chat.press("check")
    await chat.press("start")
    for number, answer in enumerate([4, 0, 3, 1, 2], start=1):
        await chat.press(f"ediz:{number}:{answer}")
    [(data, history)] = await rows(example_db, "SELECT data, history FROM conversation_state")
    assert json.loads(data)["score"] == 3
    assert [entry[0] for entry in json.loads(history)] == ["menu.main", "burden.intro"]
    assert "score" not in history


async def test_back_during_the_check_starts_it_again_with_a_fresh_score(chat: Chat, example_db):
    await chat.onboard("1055 AB")
    await chat.press("check")
    assert "'Nee!' betekent: helemaal niet. 'Ja!' betekent: heel erg." in chat.text
    await chat.press("start")
    await chat.press("ediz:1:4")
    await chat.press("ediz:2:4")
    await chat.press("back")
    assert "Vraag 1 van 9" not in chat.text and "start" in chat.keys  # the intro again
    await chat.press("start")
    await chat.press("ediz:1:4")
    for number in range(2, 10):
        await chat.press(f"ediz:{number}:0")
    assert "Je score is 1 van de 9." in chat.text
    assert await rows(example_db, "SELECT score FROM burden_results") == [(1,)]
    await chat.press("back")  # from the result: the intro, not the last statement
    assert "start" in chat.keys


async def test_a_button_of_an_earlier_statement_is_not_counted_twice(chat: Chat):
    await chat.onboard("1055 AB")
    await chat.press("check")
    await chat.press("start")
    await chat.press("ediz:1:4")
    await chat.press_stale("ediz:1:4")  # pressed again on the old message
    assert "verlopen" in chat.text and "Vraag 2 van 9" in chat.text


async def test_with_consent_only_score_and_date_are_kept(chat: Chat, example_db):
    await chat.onboard("1055 AB")
    await take_check(chat, answers_for(5))
    assert "Ik heb je score bewaard" in chat.text
    stored = await rows(example_db, "SELECT score, taken_at FROM burden_results")
    assert stored == [(5, NOW.isoformat(timespec="seconds"))]
    # The separate answers are not kept: the state holds the result only.
    state = await rows(example_db, "SELECT data FROM conversation_state")
    assert "ediz" not in str(state) and "answers" not in str(state)


async def test_without_consent_the_result_is_shown_but_nothing_stored(chat: Chat, example_db):
    await chat.onboard("1055 AB", consent=False)
    await chat.press("check")
    assert "Ik bewaar niets over jou" in chat.text
    await chat.press("start")
    for number in range(1, 10):
        await chat.press(f"ediz:{number}:{YES}")
    assert "Je score is 9 van de 9." in chat.text
    assert "Ik heb je score niet bewaard" in chat.text
    for table in ("users", "burden_results", "conversation_state"):
        assert await rows(example_db, f"SELECT * FROM {table}") == []


def engine_at(db: Database, when: datetime, lang: str = "nl") -> Engine:
    return Engine(db, translators(TZ), default_language=lang, clock=lambda: when)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("nl", "De vorige keer, op 3 oktober 2026, was je score 6. Nu is je score 4."),
        ("en", "Last time, on 3 October 2026, your score was 6. Now it is 4."),
    ],
)
async def test_the_change_since_the_last_check_is_shown_with_its_date(example_db, lang, expected):
    earlier = datetime(2026, 10, 3, 20, 15, tzinfo=TZ)
    first = Chat(engine_at(example_db, earlier, lang), hint=lang)
    await first.onboard("1055 AB")
    await take_check(first, answers_for(6))
    assert "6" in first.text and "Last time" not in first.text and "vorige keer" not in first.text
    second = Chat(engine_at(example_db, NOW, lang), hint=lang)
    await second.send("/menu")
    await take_check(second, answers_for(4))
    assert expected in second.text
    assert await rows(example_db, "SELECT score FROM burden_results ORDER BY taken_at") == [
        (6,),
        (4,),
    ]


async def test_erasing_the_user_erases_their_results(chat: Chat, example_db):
    await chat.onboard("1055 AB")
    await take_check(chat, answers_for(8))
    assert await rows(example_db, "SELECT score FROM burden_results") == [(8,)]
    async with example_db.transaction() as tx:
        await tx.execute("DELETE FROM users")
    assert await rows(example_db, "SELECT * FROM burden_results") == []


async def test_crisis_words_mid_check_get_helplines_store_nothing_and_return(
    chat: Chat, example_db
):
    await chat.onboard("1055 AB", care="1102 AB")
    await chat.press("check")
    await chat.press("start")
    await chat.press("ediz:1:4")
    await chat.press("ediz:2:3")
    assert "Vraag 3 van 9" in chat.text
    await chat.send("Ik kan niet meer, het is te veel met mama")
    assert "113" in chat.text and "Meer hulplijnen" in chat.labels
    tables = [
        t for (t,) in await rows(example_db, "SELECT name FROM sqlite_master WHERE type = 'table'")
    ]
    assert "burden_results" in tables and "unmet_needs" in tables
    for table in tables:
        everything = str(await rows(example_db, f'SELECT * FROM "{table}"')).casefold()
        assert "kan niet meer" not in everything and "mama" not in everything, table
    await chat.press("resume")  # "Terug naar waar ik was"
    assert "Vraag 3 van 9" in chat.text
    assert EDIZ_NL[2] in chat.text
    for number in range(3, 10):
        await chat.press(f"ediz:{number}:{NO}")
    assert "Je score is 2 van de 9." in chat.text  # the two answers before were kept


async def test_high_result_leads_to_the_naastes_respite_first(chat: Chat):
    await chat.onboard("1055 AB", care="1102 AB")
    await take_check(chat, answers_for(8))
    await chat.press("cat:respite")
    text = chat.text
    assert "Hulp dicht bij je naaste staat bovenaan" in text
    assert text.index("Waar: Zuidoost") < text.index("Waar: West")
    await chat.press("back")
    assert "Je score is 8 van de 9." in chat.text  # back to the result, not stored twice


async def test_not_now_goes_back_to_the_menu(chat: Chat, example_db):
    await chat.onboard("1055 AB")
    await chat.press("check")
    await chat.press("menu")
    assert "check" in chat.keys
    assert await rows(example_db, "SELECT * FROM burden_results") == []


async def test_a_high_score_offers_a_warm_handover_to_an_adviser(chat: Chat):
    await chat.onboard("1055 AB")
    await take_check(chat, answers_for(8))
    await chat.press("consult")
    assert "ask" in chat.keys  # the adviser flow: ask my question
    await chat.press("ask")
    assert any(key.startswith("topic:") for key in chat.keys), chat.keys
