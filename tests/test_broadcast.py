"""A coordinator's news message from /beheer: areas, subject, text, preview, "Send to N carers";
then the carers in scope get it once, the others not; the coordinator gets the figures.

Everything runs on the real engine and a real SQLite file, in the made-up town of tests/town.py;
the outbox sender delivers through a recording channel, the timers through the real scheduler.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.channels import Outcome, SendResult
from bot.i18n import translators
from bot.scheduler import Scheduler
from bot.sender import Sender, SenderSettings
from flows.engine import Engine, Reply
from store import broadcasts, outbox
from tests import town
from tests.support import NOW, TZ, Chat, Clock, rows

TEXT = "Nieuw: een praatgroep voor mantelzorgers in Weidebroek. Elke dinsdag om 10 uur."


class Phones:
    """The channel `test`: records what each person got; some have blocked the bot."""

    name = "test"

    def __init__(self) -> None:
        self.got: dict[str, list[Reply]] = {}
        self.blocked: set[str] = set()

    async def send(self, recipient: str, replies: list[Reply]) -> SendResult:
        if recipient in self.blocked:
            return SendResult(Outcome.BLOCKED, detail="blocked")
        self.got.setdefault(recipient, []).extend(replies)
        return SendResult(Outcome.DELIVERED)

    def news(self, who: str) -> list[Reply]:
        return [r for r in self.got.get(who, []) if r.text.startswith("Nieuws van")]


def engine_at(db, clock: Clock) -> Engine:
    return Engine(db, translators(TZ), default_language="nl", clock=clock)


async def deliver(db, clock: Clock, phones: Phones, *, rounds: int = 4) -> None:
    """Fire the due timers and send what is due, a few times (the progress timer looks again)."""
    sender = Sender(db, phones, SenderSettings(per_chat_interval=0), clock=clock)
    scheduler = Scheduler(db, translators(TZ), clock=clock)
    for _ in range(rounds):
        await scheduler.run_due()
        while await sender.send_due():
            pass
        clock.now += timedelta(seconds=6)
    await scheduler.run_due()
    while await sender.send_due():
        pass


async def carers(engine: Engine) -> dict[str, Chat]:
    """Carers in Weidebroek-Noord and -Zuid, one whose naaste lives in Noord, one in Lindenoord,
    one without consent, one who turned news off."""
    people = {
        "noord": ("9912 AB", None, True),
        "zuid": ("9913 AB", None, True),
        "naaste-noord": ("9914 AB", "9912 AB", True),
        "linden": ("9914 AB", None, True),
        "anoniem": ("9912 AB", None, False),
        "stil": ("9912 AB", None, True),
    }
    chats = {}
    for name, (home, care, consent) in people.items():
        chat = Chat(engine, user=name)
        await chat.onboard(home, consent=consent, care=care)
        chats[name] = chat
    await chats["stil"].send("/stop meldingen")
    return chats


async def weidebroek(db, when: datetime = NOW) -> tuple[Clock, dict[str, Chat], Chat]:
    """The town, its coordinator Fenna (all of Weidebroek) and the carers, at `when`."""
    await town.build(db)
    await town.add_coordinator(db, "fenna", ["weidebroek"])
    clock = Clock(when.astimezone(UTC))
    engine = engine_at(db, clock)
    return clock, await carers(engine), Chat(engine, user="fenna")


async def compose(fenna: Chat, *areas: str, category: str = "*", text: str = TEXT) -> None:
    await fenna.send("/beheer")
    await fenna.press("news")
    await fenna.press("new")
    if areas:
        for code in areas:
            await fenna.press(f"ba:{code}")
        await fenna.press("next")
    else:
        await fenna.press("ba:*")
    await fenna.press(f"cat:{category}")
    await fenna.send(text)


def send_key(fenna: Chat) -> str:
    (key,) = [k for k in fenna.keys if k.startswith("send:")]
    return key


async def test_carers_in_scope_get_the_message_once_and_the_others_not(db):
    clock, people, fenna = await weidebroek(db)
    await compose(fenna)

    # The preview is the carer's message itself, then the question with the count.
    preview, question = fenna.last[-2:]
    assert preview.text == f"Nieuws van Steunpunt Weidebroek:\n\n{TEXT}"
    assert [c.key for c in preview.choices] == ["news.off", "crisis"]
    assert "3 mantelzorgers" in question.text
    button = next(c for c in question.choices if c.key.startswith("send:"))
    assert button.label == "Stuur naar 3 mantelzorgers"
    assert await rows(db, "SELECT count(*) FROM outbox WHERE broadcast_id IS NOT NULL") == [(0,)]

    await fenna.press(button.key)
    assert "Ik stuur het bericht naar 3 mantelzorgers" in fenna.text
    phones = Phones()
    await deliver(db, clock, phones)

    reached = {name for name in people if phones.news(name)}
    assert reached == {"noord", "zuid", "naaste-noord"}
    for name in reached:
        (message,) = phones.news(name)
        assert message == preview  # exactly what the preview showed
    # The coordinator got the report, counted from the outbox.
    report = phones.got["fenna"][-1].text
    assert "is verstuurd" in report and "Aangekomen: 3" in report
    assert "Bot geblokkeerd: 0" in report and "Mislukt: 0" in report

    # Sending again on a replayed button queues nothing more.
    await fenna.press_stale(button.key)
    await deliver(db, clock, phones)
    assert all(len(phones.news(name)) == 1 for name in reached)

    # The button under the message turns news off: the next message does not reach them.
    noord = people["noord"]
    await noord.press_stale("news.off")
    assert "Nieuwsberichten staan uit" in noord.text
    await compose(fenna)
    assert send_key(fenna) == "send:2"

    # /beheer shows the message with its figures.
    await fenna.send("/beheer")
    await fenna.press("news")
    assert "aan 3 mantelzorgers" in fenna.text and "Aangekomen: 3" in fenna.text


async def test_chosen_areas_and_a_news_subject_narrow_the_audience(db):
    clock, people, fenna = await weidebroek(db)
    # Zuid asks for news about courses; Noord about respite.
    for name, subject in (("zuid", "course"), ("noord", "respite")):
        chat = people[name]
        await chat.send("/menu")
        await chat.press("reminders")
        await chat.press("topics")
        await chat.press(f"nt:{subject}")
        assert "✓" in " ".join(chat.labels)

    await compose(fenna, "wb-zuid")
    assert send_key(fenna) == "send:1"
    await fenna.press("cancel")
    assert "Er is niets verstuurd" in fenna.text

    await compose(fenna, category="course")
    assert send_key(fenna) == "send:1"
    await fenna.press("send:1")
    phones = Phones()
    await deliver(db, clock, phones)
    assert {name for name in people if phones.news(name)} == {"zuid"}
    # Nothing was queued by the cancelled draft.
    assert await rows(db, "SELECT count(*) FROM broadcasts") == [(1,)]

    # The carer sees the subject under /mijngegevens and in the menu; /vergeetmij erases it.
    zuid = people["zuid"]
    await zuid.send("/mijngegevens")
    assert "De onderwerpen waarover je nieuws wilt: Cursussen" in zuid.text
    await zuid.send("/menu")
    await zuid.press("reminders")
    assert "Nieuws over: Cursussen" in zuid.text
    await zuid.press("topics")
    await zuid.press("nt:course")  # tapped again: removed
    assert "✓" not in " ".join(zuid.labels)
    await people["noord"].send("/vergeetmij")
    await people["noord"].press("yes")
    assert await rows(db, "SELECT count(*) FROM news_categories") == [(0,)]


async def test_a_blocked_carer_shows_in_the_report_and_is_marked_inactive(db):
    clock, _, fenna = await weidebroek(db)
    await compose(fenna)
    await fenna.press(send_key(fenna))
    phones = Phones()
    phones.blocked.add("zuid")
    await deliver(db, clock, phones)
    report = phones.got["fenna"][-1].text
    assert "Aangekomen: 2" in report and "Bot geblokkeerd: 1" in report
    assert await rows(db, "SELECT active FROM users WHERE external_id = 'zuid'") == [(0,)]


async def test_quiet_hours_hold_a_carer_back_and_the_report_says_so(db):
    clock, people, fenna = await weidebroek(db, datetime(2026, 11, 23, 21, 30, tzinfo=TZ))
    # Noord has no quiet hours; the others keep the default 21:00-08:00.
    noord = people["noord"]
    await noord.send("/menu")
    await noord.press("reminders")
    await noord.press("quiet")
    await noord.press("q:none")
    await compose(fenna)
    await fenna.press("send:3")
    phones = Phones()
    await deliver(db, clock, phones)
    assert phones.news("noord") and not phones.news("zuid")
    waiting = phones.got["fenna"][-1].text
    assert "Wacht tot hun rustige uren voorbij zijn: 2" in waiting
    clock.now = datetime(2026, 11, 24, 8, 0, tzinfo=TZ).astimezone(UTC)
    await deliver(db, clock, phones)
    assert phones.news("zuid") and phones.news("naaste-noord")
    assert "Aangekomen: 3" in phones.got["fenna"][-1].text


async def test_an_erased_carer_is_not_reached_and_their_queued_copy_is_gone(db):
    clock, people, fenna = await weidebroek(db)
    await compose(fenna)
    await fenna.press("send:3")
    zuid = people["zuid"]
    await zuid.send("/vergeetmij")
    await zuid.press("yes")
    assert await rows(db, "SELECT count(*) FROM outbox WHERE recipient = 'zuid'") == [(0,)]
    phones = Phones()
    await deliver(db, clock, phones)
    assert not phones.news("zuid") and phones.news("noord")


async def test_five_thousand_recipients_are_queued_in_one_statement(db):
    await town.build(db)
    stamp = outbox.utc(NOW)
    async with db.transaction() as tx:
        await tx.executemany(
            "INSERT INTO users (channel, external_id, language, consent_at, created_at,"
            " home_area) VALUES ('test', ?, ?, ?, ?, 'wb-noord')",
            [(f"c{i}", "en" if i % 2 else "nl", stamp, stamp) for i in range(5000)],
        )
    audience = broadcasts.Audience(("weidebroek",))
    async with db.transaction() as tx:
        assert await broadcasts.count(tx, audience) == 5000
        sent = await broadcasts.start(
            tx,
            created_by=None,
            audience=audience,
            text="x",
            payloads={"nl": '[{"text": "nl"}]', "en": '[{"text": "en"}]'},
            default_language="nl",
            not_before=lambda start, end: NOW,
            now=NOW,
        )
    assert sent.recipients == 5000
    assert await rows(
        db, "SELECT payload, count(*) FROM outbox GROUP BY payload ORDER BY payload"
    ) == [('[{"text": "en"}]', 2500), ('[{"text": "nl"}]', 2500)]


async def test_an_admin_reaches_every_carer_but_no_staff(db):
    clock, people, fenna = await weidebroek(db)
    await town.add_coordinator(db, "lotte", [], role="admin")
    lotte = Chat(fenna.engine, user="lotte")
    await compose(lotte)
    assert "Stuur naar 4 mantelzorgers" in lotte.labels  # not Fenna, not Lotte herself
    await lotte.press("send:4")
    phones = Phones()
    await deliver(db, clock, phones)
    assert {name for name in phones.got if phones.news(name)} == {
        "noord",
        "zuid",
        "naaste-noord",
        "linden",
    }


async def test_where_messages_cannot_be_edited_progress_comes_once_per_quarter(db):
    clock, _, fenna = await weidebroek(db)
    stamp = outbox.utc(NOW)
    async with db.transaction() as tx:
        await tx.executemany(
            "INSERT INTO users (channel, external_id, language, consent_at, created_at,"
            " home_area) VALUES ('test', ?, 'nl', ?, ?, 'wb-zuid')",
            [(f"extra{i}", stamp, stamp) for i in range(5)],
        )
    await compose(fenna, "wb-zuid")
    await fenna.press("send:6")  # Zuid and the five others
    phones = Phones()
    sender = Sender(db, phones, SenderSettings(per_chat_interval=0, batch=1), clock=clock)
    scheduler = Scheduler(db, translators(TZ), clock=clock)
    for _ in range(20):  # one message at a time, the progress timer looking in between
        await scheduler.run_due()
        await sender.send_due()
        clock.now += timedelta(seconds=6)
    lines = [r.text.split("\n")[0] for r in phones.got["fenna"]]
    assert lines == [
        "Nieuwsbericht: 2 van 6 verwerkt (33 %).",
        "Nieuwsbericht: 3 van 6 verwerkt (50 %).",
        "Nieuwsbericht: 5 van 6 verwerkt (83 %).",
        "Je nieuwsbericht van maandag 23 november 2026, 10:00 is verstuurd. Dit is de uitkomst:",
    ]
