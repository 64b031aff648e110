"""Reminders: set, listed and removed in the chat; fired on time by the scheduler with the clock
controlled (an own reminder and the check-in across daylight-saving changes, after quiet hours);
the check-in at most every 14 days unless the carer asks; a blocked carer is skipped; erasure
takes reminders and their timers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.channels import Outcome, SendResult
from bot.i18n import translators
from bot.scheduler import Scheduler
from bot.sender import Sender
from flows.engine import Engine, Reply
from flows.reminders import schedule_reminder
from store import reminders, user_data, users
from store.schedule import utc as schedule_utc
from tests.support import TZ, Chat, rows
from tests.test_burden_check import answers_for, take_check


class Phone:
    """A channel that records what arrived, and can say the carer blocked the bot."""

    name = "test"

    def __init__(self) -> None:
        self.sent: list[tuple[str, list[Reply]]] = []
        self.blocked: set[str] = set()

    async def send(self, recipient: str, replies: list[Reply]) -> SendResult:
        if recipient in self.blocked:
            return SendResult(Outcome.BLOCKED, detail="blocked")
        self.sent.append((recipient, replies))
        return SendResult(Outcome.DELIVERED)


class Clock:
    def __init__(self, local: datetime) -> None:
        self.now = local.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def set(self, local: datetime) -> None:
        self.now = local.astimezone(UTC)


async def carer_with_reminder(db, when: datetime, every_days: int | None, text="Pillen") -> int:
    async with db.transaction() as tx:
        user = await users.create(tx, "test", "anna", "nl", when)
        reminder_id = await reminders.add(
            tx, user.id, "own", text, when.strftime("%H:%M"), every_days, when, now=when
        )
        await schedule_reminder(tx, reminder_id, when, when)
    return user.id


async def fire_and_send(db, clock: Clock, phone: Phone) -> None:
    await Scheduler(db, translators(TZ), clock=clock).run_due()
    while await Sender(db, phone, clock=clock).send_due():
        pass


async def test_a_weekly_reminder_stays_at_19_00_local_across_the_end_of_summer_time(db):
    first = datetime(2027, 10, 24, 19, 0, tzinfo=TZ)  # summer time (UTC+2)
    await carer_with_reminder(db, first, 7)
    clock, phone = Clock(first - timedelta(minutes=1)), Phone()
    await fire_and_send(db, clock, phone)
    assert phone.sent == []  # not early
    clock.set(first)
    await fire_and_send(db, clock, phone)
    assert [r[0].text for _, r in phone.sent] == ["Herinnering: Pillen"]
    # Summer time ends on 31 October: the next one is 19:00 winter time, 18:00 UTC.
    second = datetime(2027, 10, 31, 19, 0, tzinfo=TZ)
    assert await rows(
        db, "SELECT due_at FROM schedule WHERE kind = 'reminder' AND status = 'pending'"
    ) == [("2027-10-31T18:00:00.000+00:00",)]
    clock.set(second - timedelta(minutes=1))
    await fire_and_send(db, clock, phone)
    assert len(phone.sent) == 1
    clock.set(second)
    await fire_and_send(db, clock, phone)
    assert len(phone.sent) == 2
    assert clock.now.astimezone(TZ).hour == 19


async def test_a_reminder_due_in_quiet_hours_arrives_at_eight(db):
    late = datetime(2027, 3, 10, 22, 30, tzinfo=TZ)
    await carer_with_reminder(db, late, None, text="Bellen")
    clock, phone = Clock(late), Phone()
    await fire_and_send(db, clock, phone)
    assert phone.sent == []  # 22:30 is inside the default quiet hours 21:00-08:00
    clock.set(datetime(2027, 3, 11, 7, 59, tzinfo=TZ))
    await fire_and_send(db, clock, phone)
    assert phone.sent == []
    clock.set(datetime(2027, 3, 11, 8, 0, tzinfo=TZ))
    await fire_and_send(db, clock, phone)
    assert [r[0].text for _, r in phone.sent] == ["Herinnering: Bellen"]
    # A one-off reminder is gone once it fired.
    assert await rows(db, "SELECT count(*) FROM reminders") == [(0,)]


async def test_a_blocked_carer_is_marked_inactive_and_skipped_after_that(db):
    first = datetime(2027, 3, 1, 19, 0, tzinfo=TZ)
    await carer_with_reminder(db, first, 7)
    clock, phone = Clock(first), Phone()
    phone.blocked.add("anna")
    await fire_and_send(db, clock, phone)
    assert await rows(db, "SELECT active FROM users") == [(0,)]
    clock.set(first + timedelta(days=7))
    await fire_and_send(db, clock, phone)
    assert phone.sent == []
    # The second one was not even queued: nothing waits to be sent to someone who blocked us.
    assert await rows(db, "SELECT count(*) FROM outbox WHERE status = 'queued'") == [(0,)]


async def test_erasure_removes_reminders_their_timers_and_queued_messages(db):
    when = datetime(2027, 3, 10, 22, 30, tzinfo=TZ)
    user_id = await carer_with_reminder(db, when, 7)
    await Scheduler(db, translators(TZ), clock=Clock(when)).run_due()  # queued until 08:00
    assert await rows(db, "SELECT count(*) FROM outbox WHERE status = 'queued'") == [(1,)]
    async with db.transaction() as tx:
        await user_data.erase(tx, user_id)
    assert await rows(db, "SELECT count(*) FROM reminders") == [(0,)]
    assert await rows(db, "SELECT count(*) FROM schedule WHERE kind = 'reminder'") == [(0,)]
    assert await rows(db, "SELECT count(*) FROM outbox") == [(0,)]


async def test_a_carer_sets_lists_and_removes_an_own_reminder_and_a_check_in(db):
    now = datetime(2027, 3, 27, 18, 0, tzinfo=TZ)
    engine = Engine(db, translators(TZ), clock=lambda: now)
    chat = Chat(engine, user="anna")
    await chat.send("/start")
    await chat.press("yes")
    await chat.send("/menu")
    await chat.press("reminders")
    await chat.press("new")
    await chat.send("Pillen ophalen")
    await chat.press("d:0")
    await chat.send("19:30")
    await chat.press("weekly")
    listed = chat.last[0].text + chat.last[1].text
    assert "Pillen ophalen" in listed and "19:30" in listed and "elke week" in listed
    await chat.press("checkin")
    await chat.press("c:14")
    assert "10 april 2027" in chat.last[0].text  # 14 days on, at 19:00
    await chat.send("/mijngegevens")
    assert "Pillen ophalen" in "\n".join(r.text for r in chat.last)
    await chat.send("/menu")
    await chat.press("reminders")
    await chat.press("remove")
    first = next(k for k in chat.keys if k.startswith("rm:"))
    await chat.press(first)
    async with db.read() as tx:
        user = await users.get(tx, "test", "anna")
        assert user is not None
        left = await reminders.of_user(tx, user.id)
    assert len(left) == 1
    assert await rows(
        db, "SELECT count(*) FROM schedule WHERE kind = 'reminder' AND status = 'pending'"
    ) == [(1,)]
    await chat.send("/stop meldingen")
    async with db.read() as tx:
        assert not (await reminders.settings(tx, user.id)).broadcasts
        assert len(await reminders.of_user(tx, user.id)) == 1  # reminders stay


async def test_too_long_or_a_time_that_passed_asks_again_with_the_buttons(db):
    now = datetime(2027, 3, 27, 18, 0, tzinfo=TZ)
    chat = Chat(Engine(db, translators(TZ), clock=lambda: now), user="anna")
    await chat.send("/start")
    await chat.press("yes")
    await chat.send("/menu")
    await chat.press("reminders")
    await chat.press("new")
    await chat.send("Bel de apotheek over de pillen van mam, " * 4)
    assert "Gebruik niet meer dan 100 tekens." in chat.text
    assert "Waaraan moet ik je herinneren?" in chat.text and "Annuleren" in chat.labels
    await chat.send("Pillen ophalen")
    await chat.press("d:0")
    await chat.send("09:00")  # earlier today
    assert "Die tijd is al voorbij." in chat.text
    assert "t:19:00" in chat.keys and "back" in chat.keys  # the times are there to pick again
    await chat.press("t:19:00")
    assert "Elke week" in chat.labels or "weekly" in chat.keys


async def test_remind_me_on_a_course_sets_the_day_before_and_the_day_itself(zwolle_db):
    now = datetime(2026, 12, 1, 10, 0, tzinfo=TZ)
    chat = Chat(Engine(zwolle_db, translators(TZ), clock=lambda: now), user="kees")
    await chat.send("/start")
    await chat.press("yes")
    await chat.send("8031 AB")
    await chat.send("/menu")
    await chat.press("find")
    await chat.press(next(k for k in chat.keys if "course" in k))
    await chat.press("remind:zw-cursus-stress")  # starts 12 January 2027, 10:00
    await chat.send("19:30")
    await chat.press("yes")
    assert "11 januari 2027, 19:30" in chat.last[0].text
    assert "12 januari 2027, 08:00" in chat.last[0].text
    assert await rows(
        zwolle_db, "SELECT due_at FROM schedule WHERE kind = 'reminder' ORDER BY due_at"
    ) == [("2027-01-11T18:30:00.000+00:00",), ("2027-01-12T07:00:00.000+00:00",)]


async def test_a_follow_up_asks_after_respite_was_shown_and_not_yet_offers_it_again(zwolle_db):
    clock = Clock(datetime(2026, 12, 1, 10, 0, tzinfo=TZ))
    chat = Chat(
        Engine(zwolle_db, translators(TZ), clock=lambda: clock.now.astimezone(TZ)), user="kees"
    )
    await chat.send("/start")
    await chat.press("yes")
    await chat.send("8011 AB")  # Zwolle-Zuid, where the logeerhuis is
    await chat.send("/menu")
    await chat.press("find")
    await chat.press(next(k for k in chat.keys if "respite" in k))
    assert "Logeerhuis De IJssel" in "\n".join(r.text for r in chat.last)
    phone = Phone()
    phone.name = "test"
    clock.set(datetime(2026, 12, 5, 10, 0, tzinfo=TZ))  # four days on
    await fire_and_send(zwolle_db, clock, phone)
    [(to, replies)] = phone.sent
    assert to == "kees" and "kunnen bereiken" in replies[0].text
    chat.last = replies
    await chat.press("fu:respite:not_yet")
    assert "Logeerhuis De IJssel" in "\n".join(r.text for r in chat.last)
    async with zwolle_db.transaction() as tx:
        user = await users.get(tx, "test", "kees")
        assert user is not None
        await user_data.erase(tx, user.id)
    # Counted for the statistics, with nothing that points back to the carer.
    assert await rows(zwolle_db, "SELECT category, area_code, answer FROM followup_answers") == [
        ("respite", "zwolle-zuid", "not_yet")
    ]


def carer(db, clock: Clock) -> Chat:
    return Chat(Engine(db, translators(TZ), clock=lambda: clock.now.astimezone(TZ)), user="anna")


async def check_then_check_in(chat: Chat, score: int) -> None:
    """From anywhere: the burden check with this score, then the check-in it offers."""
    await chat.send("/menu")
    await take_check(chat, answers_for(score))
    await chat.press("checkin")


def check_in_due(db):
    return rows(db, "SELECT due_at FROM schedule WHERE kind = 'reminder' AND status = 'pending'")


@pytest.mark.parametrize(
    ("taken", "first", "second"),
    [
        # Summer time ends on 31 October 2027: 17:00 UTC before, 18:00 UTC after.
        (datetime(2027, 10, 10, 10, 0, tzinfo=TZ), (2027, 10, 24), (2027, 11, 7)),
        # Summer time starts on 28 March 2027: 18:00 UTC before, 17:00 UTC after.
        (datetime(2027, 3, 10, 10, 0, tzinfo=TZ), (2027, 3, 24), (2027, 4, 7)),
    ],
    ids=["end-of-summer-time", "start-of-summer-time"],
)
async def test_the_check_in_after_a_burden_check_stays_at_19_00_across_daylight_saving(
    db, taken, first, second
):
    clock, phone = Clock(taken), Phone()
    chat = carer(db, clock)
    await chat.onboard("1055 AB")
    await check_then_check_in(chat, score=8)
    assert "Elke 2 weken ✓" in chat.labels  # a high score suggests every two weeks
    await chat.press("c:14")
    for day in (first, second):
        due = datetime(*day, 19, 0, tzinfo=TZ)
        assert await check_in_due(db) == [(schedule_utc(due),)]
        before = len(phone.sent)
        clock.set(due - timedelta(minutes=1))
        await fire_and_send(db, clock, phone)
        assert len(phone.sent) == before  # not a minute early
        clock.set(due)
        await fire_and_send(db, clock, phone)
        [(to, [message])] = phone.sent[before:]
        assert to == "anna" and message.text.startswith("Hoe gaat het met je?")
        # It offers the check again, and the crisis button like every message.
        assert [c.key for c in message.choices] == ["checkin.start", "reminders", "crisis"]
        assert "Ik heb nu direct hulp nodig" in [c.label for c in message.choices]
    third = datetime(*second, 19, 0, tzinfo=TZ) + timedelta(days=14)
    assert await check_in_due(db) == [(schedule_utc(third),)]


async def test_a_check_in_comes_at_most_every_14_days_unless_the_carer_asks_for_more(db):
    chat = carer(db, Clock(datetime(2027, 3, 1, 10, 0, tzinfo=TZ)))
    await chat.onboard("1055 AB")
    for score, suggested in ((9, "Elke 2 weken ✓"), (5, "Elke maand ✓"), (1, "Elke 3 maanden ✓")):
        await check_then_check_in(chat, score)
        # Offered, never set without asking: nothing is planned until the carer picks.
        assert await check_in_due(db) == []
        assert suggested in chat.labels
        assert not any(label.endswith("✓") for label in chat.labels if label != suggested)
        await chat.press("reminders")  # "No, thanks"
        assert await check_in_due(db) == []
    # More often only when the carer picks it; a new choice replaces the old check-in.
    await check_then_check_in(chat, score=9)
    await chat.press("c:14")
    await chat.press("checkin")
    await chat.press("c:7")
    assert await check_in_due(db) == [(schedule_utc(datetime(2027, 3, 8, 19, 0, tzinfo=TZ)),)]
    # A check-in interval the bot never offered is not taken from an old or forged button.
    await chat.press("checkin")
    await chat.press_stale("c:1")
    await chat.press_stale("c:x")
    assert await check_in_due(db) == [(schedule_utc(datetime(2027, 3, 8, 19, 0, tzinfo=TZ)),)]
    assert "Hoe vaak?" in chat.text  # the question again, nothing lost
