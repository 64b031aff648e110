"""A carer's question reaches the coordinators of their area, is claimed and answered, and the
conversation goes back and forth through the bot until one side closes it; the carer stays
anonymous to the coordinator, internal notes stay internal, and erasure takes it all."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from bot.i18n import translators
from bot.scheduler import Scheduler
from bot.sender import Sender, SenderSettings
from bot.terminal import ConsoleChannel
from flows import office_hours
from store import coordinators
from store.db import Database
from tests.support import NOW, TZ, Chat, dump, make_coordinator, make_engine, rows, rows_about
from tests.test_cli import mantelbot

QUESTION = "Ik ben op van de zorg voor mijn moeder. Wie helpt met logeeropvang?"


async def inbox(db: Database, user: str) -> str:
    """What a terminal user sees of the messages queued for them."""
    console = ConsoleChannel(user)
    sender = Sender(db, console, SenderSettings(per_chat_interval=0))
    while await sender.send_due(recipient=user):
        pass
    return "\n\n".join(reply.text for reply in console.take())


async def ask(chat: Chat, text: str = QUESTION) -> None:
    await chat.press("consult")
    await chat.press("ask")
    await chat.press("topic:respite")
    await chat.send(text)
    await chat.press("send")


async def take(coordinator: Chat, number: int = 1) -> None:
    """/beheer → questions → open one → take it."""
    await coordinator.send("/beheer")
    await coordinator.press("handovers")
    await coordinator.press(f"ho:{number}")
    await coordinator.press("claim")


async def setup(db: Database) -> tuple[Chat, Chat]:
    await make_coordinator(db, "fatima", ["west"], channel="console")
    anna = Chat(make_engine(db), user="anna", channel="console")
    fatima = Chat(make_engine(db), user="fatima", channel="console")
    await anna.onboard("1055 AB")
    await ask(anna)
    return anna, fatima


async def test_question_claim_answer_reply_close_with_the_carer_kept_anonymous(example_db):
    await make_coordinator(example_db, "karim", ["zuidoost"], channel="console")
    anna, fatima = await setup(example_db)
    notified = await inbox(example_db, "fatima")
    assert "Nieuwe vraag van een mantelzorger in West: Even vrij (respijtzorg)" in notified
    assert "maandag" not in notified or "Graag antwoorden voor" in notified
    assert QUESTION in notified
    assert await inbox(example_db, "karim") == ""  # another district's coordinator: nothing

    await fatima.send("/beheer")
    await fatima.press("handovers")
    assert "Open vragen: 1. Oudste eerst:" in fatima.text
    assert "antwoord voor woensdag 25 november 2026, 10:00" in fatima.text
    await fatima.press("ho:1")
    assert "Status: wacht tot iemand de vraag oppakt" in fatima.text
    await fatima.send("Kan ik al antwoorden?")
    assert "Pak de vraag eerst op" in fatima.text
    await fatima.press("claim")
    await fatima.send("Hallo, ik ben Fatima. Bel Respijthuis De Wilg.")
    assert "Verstuurd naar de mantelzorger" in fatima.text
    await fatima.press("note")
    await fatima.send("Volgende week nabellen.")
    assert "Interne notities" in fatima.text and "Volgende week nabellen." in fatima.text

    seen = await inbox(example_db, "anna")
    assert "Fatima, Steunpunt Mantelzorg West (mantelzorgconsulent) heeft je vraag gelezen" in seen
    assert "Antwoord van Fatima, Steunpunt Mantelzorg West" in seen
    assert "Bel Respijthuis De Wilg." in seen
    assert "nabellen" not in seen  # the internal note stays with the coordinators

    await anna.press_stale("hc:r:1")  # the "Antwoorden" button under the answer
    assert "Bel Respijthuis De Wilg." in anna.text
    await anna.send("Dank je! Bellen zij mij terug?")
    assert "Verstuurd naar de mantelzorgconsulent" in anna.text
    relayed = await inbox(example_db, "fatima")
    assert "Mantelzorger #1 schrijft:" in relayed and "Bellen zij mij terug?" in relayed

    await fatima.press_stale("hq:1")  # the button under the relayed message
    await fatima.send("Ja, ze bellen je morgen.")
    await fatima.press("close")
    assert "Gesloten. De mantelzorger heeft bericht gekregen." in fatima.text
    seen = await inbox(example_db, "anna")
    assert "Ja, ze bellen je morgen." in seen
    assert "heeft je vraag gesloten" in seen

    # Everything the coordinator was ever sent or shown names the carer only by number.
    everything_shown = fatima.text + notified + relayed
    assert "anna" not in everything_shown.lower()
    payloads = await rows(example_db, "SELECT recipient, detail FROM outbox")
    assert all(recipient in ("anna", "fatima") for recipient, _ in payloads)
    assert await rows(example_db, "SELECT status, closed_by FROM handovers") == [
        ("closed", "coordinator")
    ]
    thread = await rows(example_db, "SELECT author, body FROM handover_messages ORDER BY id")
    assert [author for author, _ in thread] == ["coordinator", "carer", "coordinator"]


async def test_the_carer_closes_their_own_question_and_the_coordinator_is_told(example_db):
    anna, fatima = await setup(example_db)
    await take(fatima)
    await inbox(example_db, "fatima")
    await anna.press("consult")
    await anna.press("hc:r:1")  # "Mijn open vraag"
    await anna.press("close")
    await anna.press("yes")
    assert "Je vraag is gesloten" in anna.text
    assert "Mantelzorger #1 heeft de vraag gesloten." in await inbox(example_db, "fatima")
    await fatima.press_stale("hq:1")
    assert "gesloten door de mantelzorger" in fatima.text
    assert "claim" not in fatima.keys and "close" not in fatima.keys


async def test_a_carer_replaying_coordinator_buttons_or_another_carers_changes_nothing(
    example_db,
):
    anna, fatima = await setup(example_db)
    bert = Chat(make_engine(example_db), user="bert", channel="console")
    await bert.onboard("1055 AB")
    before = await dump(example_db)
    for key in ("hq:1", "ho:1", "claim", "close", "note", "hc:r:1", "hc:c:1", "hq:x", "hc:r:a"):
        await bert.press_stale(key)
        assert "Open vraag" not in bert.text and QUESTION not in bert.text
    for command in ("/beheer", "/manage", "/coordinator X"):
        await bert.send(command)
    assert await dump(example_db) == before


async def test_a_coordinator_of_another_area_cannot_open_or_claim(example_db):
    anna, fatima = await setup(example_db)
    await make_coordinator(example_db, "karim", ["zuidoost"], channel="console")
    karim = Chat(make_engine(example_db), user="karim", channel="console")
    await karim.send("/beheer")
    await karim.press("handovers")
    assert "geen open vragen" in karim.text
    before = await dump(example_db)
    await karim.press_stale("hq:1")
    assert "hoort niet bij jouw gebieden" in karim.text
    assert await dump(example_db) == before


async def test_an_unanswered_question_goes_again_to_the_area_and_the_admins_when_due(
    example_db,
):
    await make_coordinator(example_db, "city", ["amsterdam"], channel="console")
    await make_coordinator(example_db, "boss", [], role="admin", channel="console")
    anna, fatima = await setup(example_db)
    for who in ("fatima", "city", "boss"):
        assert "Nieuwe vraag" in await inbox(example_db, who)
    clock = [NOW + timedelta(days=1)]
    scheduler = Scheduler(example_db, translators(TZ), clock=lambda: clock[0])
    assert await scheduler.run_due() == 0  # not due yet
    clock[0] = NOW + timedelta(days=2, minutes=1)  # Wednesday 10:01, past the due time
    assert await scheduler.run_due() == 1
    for who in ("fatima", "city", "boss"):
        assert "Vraag #1 van een mantelzorger in West heeft nog geen antwoord" in await inbox(
            example_db, who
        )
    assert await scheduler.run_due() == 0  # once


async def test_an_answered_question_is_not_sent_again(example_db):
    anna, fatima = await setup(example_db)
    await take(fatima)
    await fatima.send("Ik help je graag.")
    await inbox(example_db, "fatima")
    later = NOW + timedelta(days=3)
    assert await Scheduler(example_db, translators(TZ), clock=lambda: later).run_due() == 1
    assert await inbox(example_db, "fatima") == ""


async def test_outside_office_hours_the_carer_is_told_from_when(example_db):
    await make_coordinator(example_db, "fatima", ["west"], channel="console")
    saturday = datetime(2026, 11, 28, 20, 30, tzinfo=TZ)
    engine = make_engine(example_db)
    engine.clock = lambda: saturday
    chat = Chat(engine, user="late")
    await chat.onboard("1055 AB")
    await ask(chat)
    assert "buiten kantoortijd" in chat.text
    assert "vanaf maandag 30 november 2026, 09:00" in chat.text
    assert "uiterlijk op 2 december 2026" in chat.text  # two working days from Monday
    office_hours.configure("mon-sat 08:00-22:00")
    try:
        chat2 = Chat(engine, user="late2")
        await chat2.onboard("1055 AB")
        await ask(chat2)
        assert "buiten kantoortijd" not in chat2.text
    finally:
        office_hours.configure(None)
    english = Chat(engine, user="late3", hint="en")
    await english.onboard("1055 AB")
    await ask(english, "Who can help?")
    assert "from Monday, 30 November 2026, 09:00" in english.text


def test_wrong_office_hours_in_the_environment_are_named(tmp_path):
    done = mantelbot(tmp_path, "chat", env={"MANTELBOT_OFFICE_HOURS": "9 to 5"})
    assert done.returncode == 2 and "mon-fri 09:00-17:00" in done.stderr


def test_office_hours_are_read_from_a_short_spec():
    hours = office_hours.OfficeHours.parse("Mon-Fri 09:00-17:00")
    assert hours.is_open(datetime(2026, 11, 23, 9, 0, tzinfo=TZ))
    assert not hours.is_open(datetime(2026, 11, 23, 17, 0, tzinfo=TZ))
    friday_evening = datetime(2026, 11, 27, 18, 0, tzinfo=TZ)
    assert hours.next_opening(friday_evening) == datetime(2026, 11, 30, 9, 0, tzinfo=TZ)
    for wrong in ("weekdays", "mon-fri 17:00-09:00", "xyz 09:00-17:00"):
        try:
            office_hours.OfficeHours.parse(wrong)
        except ValueError:
            continue
        raise AssertionError(f"accepted {wrong!r}")


async def test_erasure_removes_the_question_the_messages_and_queued_ones(example_db):
    anna, fatima = await setup(example_db)
    await take(fatima)
    await fatima.send("Hoe gaat het nu?")
    await anna.press_stale("hc:r:1")
    await anna.send("Zwaar. Mijn moeder slaapt slecht.")  # queued for fatima, not yet sent
    async with example_db.read() as tx:
        me = (await tx.execute("SELECT id FROM users WHERE external_id = 'anna'")).rows[0][0]
    assert len(await rows(example_db, "SELECT * FROM outbox WHERE status = 'queued'")) >= 2

    await anna.send("/vergeetmij")
    await anna.press("yes")
    assert await rows_about(example_db, me, "anna") == []
    assert await rows(example_db, "SELECT * FROM handover_messages") == []
    assert await rows(example_db, "SELECT * FROM handover_notes") == []
    leftover = await rows(example_db, "SELECT payload FROM outbox")
    assert not any("slaapt slecht" in payload or QUESTION in payload for (payload,) in leftover)
    assert await inbox(example_db, "fatima") == ""

    await fatima.press_stale("hq:1")
    assert "Vraag #1 is gewist" in fatima.text
    await fatima.send("Ben je er nog?")  # nothing to answer, nothing stored
    assert "gewist" in fatima.text
    assert await rows(example_db, "SELECT * FROM handovers") == []
    handover_timers = "SELECT status FROM schedule WHERE kind <> 'freshness'"
    assert await rows(example_db, handover_timers) == [("cancelled",)]


async def test_my_data_lists_the_conversation_but_never_the_notes(example_db):
    anna, fatima = await setup(example_db)
    await take(fatima)
    await fatima.send("Ik bel je morgen.")
    await fatima.press("note")
    await fatima.send("Geheime notitie")
    await anna.send("/mijngegevens")
    exported = json.loads(anna.last[-1].document.content)["tables"]
    assert exported["handover_messages"][0]["body"] == "Ik bel je morgen."
    assert "Geheime notitie" not in json.dumps(exported)
    async with example_db.read() as tx:
        listed = await coordinators.list_all(tx)
    assert [item.external_id for item in listed] == ["fatima"]


def test_the_terminal_round_trip_of_the_issue(tmp_path):
    """coordinators add console:fatima → anna asks → fatima claims and answers in /beheer →
    anna's next chat session shows the answer."""
    assert mantelbot(tmp_path, "db", "load-example").returncode == 0
    added = mantelbot(tmp_path, "coordinators", "add", "console:fatima", "--areas", "west")
    assert added.returncode == 0, added.stderr
    lines = [
        "/start",
        "Ja, dat is goed",
        "1055 AB",
        "Overslaan",
        "Vraag een mantelzorgconsulent",
        "Mijn vraag stellen",
        "Even vrij (respijtzorg)",
        QUESTION,
        "Versturen",
    ]
    asked = mantelbot(tmp_path, "chat", "--user", "anna", stdin="\n".join(lines) + "\n")
    assert "Verstuurd." in asked.stdout, asked.stdout[-2000:]
    answered = mantelbot(
        tmp_path,
        "chat",
        "--user",
        "fatima",
        stdin="/beheer\nVragen van mantelzorgers\n#1 West\nDeze vraag oppakken\n"
        "Bel morgen de logeeropvang, dan plannen we samen.\n",
    )
    assert "Nieuwe vraag van een mantelzorger in West" in answered.stdout
    assert "Verstuurd naar de mantelzorger." in answered.stdout, answered.stdout[-2000:]
    later = mantelbot(tmp_path, "chat", "--user", "anna")
    assert "Antwoord van" in later.stdout
    assert "Bel morgen de logeeropvang, dan plannen we samen." in later.stdout
    assert "[1] Antwoorden" in later.stdout


async def test_the_queue_is_per_area_oldest_first_and_marks_overdue_questions(example_db):
    await make_coordinator(example_db, "city", ["amsterdam"], channel="console")
    times = [NOW, NOW + timedelta(hours=1), NOW + timedelta(hours=2)]
    for name, postcode, at in zip(
        ("w1", "zo", "w2"), ("1055 AB", "1102 AB", "1056 AB"), times, strict=True
    ):
        engine = make_engine(example_db)
        engine.clock = lambda at=at: at
        carer = Chat(engine, user=name, channel="console")
        await carer.onboard(postcode)
        await ask(carer, f"Vraag van {name}")
    city = make_engine(example_db)
    city.clock = lambda: NOW + timedelta(days=2, hours=1, minutes=30)  # #1 and #2 are overdue
    coordinator = Chat(city, user="city", channel="console")
    await coordinator.send("/beheer")
    await coordinator.press("handovers")
    text = coordinator.text
    assert "Open vragen: 3. Oudste eerst:" in text
    assert text.index("West:") < text.index("#1 ·") < text.index("#3 ·") < text.index("Zuidoost:")
    assert text.index("Zuidoost:") < text.index("#2 ·")
    assert text.count("te laat") == 2
    assert coordinator.keys[:3] == ["ho:1", "ho:3", "ho:2"]


async def test_a_reply_typed_under_the_answer_at_the_main_menu_is_offered_not_lost(example_db):
    anna, fatima = await setup(example_db)
    await take(fatima)
    await fatima.send("Hallo, ik ben Fatima. Bel Respijthuis De Wilg.")
    await inbox(example_db, "fatima")
    assert "Bel Respijthuis De Wilg." in await inbox(example_db, "anna")

    assert "Wat wil je doen?" in anna.text  # the carer is at the main menu
    await anna.send("Dank je! Bellen zij mij terug?")  # typed without pressing "Antwoorden"
    assert "Sorry" not in anna.text
    assert "“Dank je! Bellen zij mij terug?”" in anna.text
    assert "Wil je dit als antwoord sturen aan Fatima, Steunpunt Mantelzorg West?" in anna.text
    await anna.send("ja")  # typed, as people answer a question
    assert "Verstuurd naar de mantelzorgconsulent" in anna.text
    assert "Bellen zij mij terug?" in await inbox(example_db, "fatima")
    await anna.press("back")  # the sent text is not offered again
    assert "Wat wil je doen?" in anna.text

    # Answered again; this time the carer meant something else and keeps it.
    await fatima.press_stale("hq:1")
    await fatima.send("Ja, morgen.")
    await anna.send("boodschappen")
    await anna.press("no")
    assert "Oké, ik heb het niet verstuurd." in anna.text
    assert "Wat wil je doen?" in anna.text  # back at the main menu
    assert "boodschappen" not in await inbox(example_db, "fatima")
    thread = await rows(example_db, "SELECT author FROM handover_messages ORDER BY id")
    assert [author for (author,) in thread] == ["coordinator", "carer", "coordinator"]

    # The crisis check still comes first, and nothing of that message is kept.
    await anna.send("ik zie het niet meer zitten")
    assert "113" in anna.text and "antwoord sturen" not in anna.text
    assert "zitten" not in str(await rows(example_db, "SELECT data FROM conversation_state"))


async def test_without_an_answer_waiting_free_text_at_the_menu_is_not_understood(example_db):
    anna, _fatima = await setup(example_db)
    await anna.send("hallo")
    assert "Sorry, dat begrijp ik niet." in anna.text and "antwoord sturen" not in anna.text


async def test_a_reply_too_long_to_keep_is_not_cut_off_unseen(example_db):
    anna, fatima = await setup(example_db)
    await take(fatima)
    await fatima.send("Hallo, ik ben Fatima.")
    await anna.press_stale("hc:r:1")
    await anna.send("Dit is lang. " * 200)  # 2,400 characters
    assert "Schrijf niet meer dan 2.000 tekens." in anna.text
    assert "Schrijf je bericht." in anna.text  # the question again
    await anna.send("Korter dan.")
    await fatima.press_stale("hq:1")
    await fatima.send("Een lang antwoord. " * 120)  # the adviser's side too
    assert "Schrijf niet meer dan 2.000 tekens." in fatima.text
    await fatima.send("Dank je.")
    await anna.send("/menu")
    await anna.send("Nog iets. " * 250)  # typed under the answer at the main menu: too long
    assert "Schrijf niet meer dan 2.000 tekens." in anna.text
    assert "antwoord sturen" not in anna.text
    thread = await rows(example_db, "SELECT author, body FROM handover_messages ORDER BY id")
    assert thread == [
        ("coordinator", "Hallo, ik ben Fatima."),
        ("carer", "Korter dan."),
        ("coordinator", "Dank je."),
    ]
