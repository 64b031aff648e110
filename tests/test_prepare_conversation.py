"""Prepare a conversation with care professionals: the five questions of the Schijf van Vijf."""

from tests.support import Chat, dump, make_engine, rows

ANSWERS = [
    "Ze kan nog zelf eten en zich wassen.",
    None,  # skipped
    "Ik doe de boodschappen, mijn broer komt op zondag.",
    "De buurvrouw kijkt elke dag even.",
    "Hulp bij het douchen, twee keer per week.",
]


async def test_five_questions_give_one_tidy_summary_and_a_file(chat: Chat, example_db):
    await chat.onboard()
    await chat.press("prepare")
    assert "Schijf van Vijf" in chat.text
    await chat.press("start")
    assert "Vraag 1 van 5" in chat.text and "Wat kan je naaste nog zelf?" in chat.text
    for given in ANSWERS:
        if given is None:
            await chat.press("skip")
        else:
            await chat.send(given)
    summary = chat.last[0].text
    assert summary.startswith("Voorbereiding van mijn gesprek met een zorgverlener")
    assert "23 november 2026" in summary
    assert "Wat kan mijn naaste nog zelf?\nZe kan nog zelf eten en zich wassen." in summary
    assert "Welke hulpmiddelen kunnen helpen?\n(niet ingevuld)" in summary
    assert "Wat moet de zorgverlener doen?\nHulp bij het douchen" in summary
    documents = [r.document for r in chat.last if r.document]
    assert len(documents) == 1
    assert documents[0].filename == "gespreksvoorbereiding.txt"
    assert documents[0].content.decode("utf-8") == summary
    assert "am_i" in chat.keys  # back in the main menu
    # Nothing of the answers is kept once the summary is given.
    stored = str(await rows(example_db, "SELECT * FROM conversation_state"))
    assert not any(a and a in stored for a in ANSWERS)
    for table in ("users", "conversation_state"):
        assert "buurvrouw" not in str(await rows(example_db, f"SELECT * FROM {table}"))


async def test_in_english_with_back_to_the_previous_question(example_db):
    chat = Chat(make_engine(example_db), hint="en")
    await chat.onboard(consent=False)
    await chat.press("prepare")
    await chat.press("start")
    await chat.send("She can still eat by herself.")
    assert "Question 2 of 5" in chat.text
    await chat.press("back")
    assert "Question 1 of 5" in chat.text
    await chat.send("She can eat and walk a little.")
    for _ in range(4):
        await chat.press("skip")
    assert "What can the person I care for still do?\nShe can eat and walk a little." in chat.text
    assert "She can still eat by herself" not in chat.text
    assert chat.last[1].document.filename == "conversation-preparation.txt"
    assert await rows(example_db, "SELECT * FROM users") == []


async def test_leaving_halfway_keeps_no_answers(chat: Chat, example_db):
    await chat.onboard()
    await chat.press("prepare")
    await chat.press("start")
    await chat.send("Hij kan zelf nog lopen met een rollator.")
    await chat.send("/menu")
    assert "find" in chat.keys  # in the main menu
    assert not any("rollator" in line for line in await dump(example_db))


async def test_an_overlong_answer_is_asked_to_be_shorter(chat: Chat):
    await chat.onboard()
    await chat.press("prepare")
    await chat.press("start")
    await chat.send("x" * 1200)
    assert "niet meer dan 1.000 tekens" in chat.text
    await chat.press("skip")
    assert "Vraag 2 van 5" in chat.text
