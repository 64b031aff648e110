"""Reminders under "Herinneringen": the carer's own reminders and a regular check-in, listed and
removable; quiet hours; broadcasts on or off (/stop meldingen). All opt-in, and only with consent
(a reminder has to be stored).

Times are wall-clock times in MANTELBOT_TIMEZONE, stored in UTC. A repeating reminder keeps its
wall-clock time: the next one is computed from the local date and time, so 19:00 stays 19:00
across daylight-saving changes. The timer handler queues the message and sets the next timer in
the transaction that marks the current one done.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flows.engine import (
    N_,
    Choice,
    Context,
    Incoming,
    Reply,
    Turn,
    command,
    global_choice,
    global_prefix,
    goto,
    menu_entry,
    not_understood,
    step,
)
from flows.labels import short_label
from flows.outgoing import send
from flows.timers import TimerContext, timer
from store import broadcasts, reminders, resources, schedule
from store.db import Tx
from store.reminders import TIMER, Recipient, Reminder, Settings

menu_entry("reminders", N_("Reminders"), "reminders.main", order=60)

MAX_TEXT = 100
TIMES = ("09:00", "13:00", "19:00")
WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
# The check-in interval offered by burden band; never more often than every 14 days unless the
# carer picks "every week" themselves.
CHECKIN_DAYS = {"high": 14, "medium": 30, "low": 91}
CHECKIN_CHOICES = (
    (7, N_("Every week")),
    (14, N_("Every 2 weeks")),
    (30, N_("Every month")),
    (91, N_("Every 3 months")),
)
QUIET_CHOICES = (("21:00", "08:00"), ("22:00", "07:00"), ("23:00", "09:00"))
TIME_PATTERN = re.compile(r"^\s*([01]?\d|2[0-3])[:.]([0-5]\d)\s*$")


def zone() -> ZoneInfo:
    """The bot's local time zone (the same setting bot/config.py reads)."""
    return ZoneInfo(os.environ.get("MANTELBOT_TIMEZONE") or "Europe/Amsterdam")


def parse_time(text: str) -> str | None:
    """`19:30`, `9.05` → "19:30", "09:05"; None when it is not a time of day."""
    found = TIME_PATTERN.match(text or "")
    return f"{int(found[1]):02d}:{found[2]}" if found else None


def _clock(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def at_local(day: date, hhmm: str) -> datetime:
    """`hhmm` on local `day`, as an aware time in the local zone."""
    return datetime.combine(day, _clock(hhmm), tzinfo=zone())


def first_at(now: datetime, day: date, hhmm: str) -> datetime:
    """The first `hhmm` on `day` or later that is still ahead of `now`."""
    when = at_local(day, hhmm)
    while when <= now:
        day += timedelta(days=1)
        when = at_local(day, hhmm)
    return when


def following(reminder: Reminder) -> datetime | None:
    """The next time of a repeating reminder: same wall-clock time, `every_days` later."""
    if not reminder.every_days:
        return None
    day = reminder.next_at.astimezone(zone()).date() + timedelta(days=reminder.every_days)
    return at_local(day, reminder.local_time)


def after_quiet(when: datetime, quiet: Settings) -> datetime:
    """`when`, or the end of the quiet hours when `when` falls inside them."""
    start, end = _clock(quiet.quiet_start), _clock(quiet.quiet_end)
    local = when.astimezone(zone())
    now = local.time()
    if start == end:
        return when
    inside = start <= now < end if start < end else (now >= start or now < end)
    if not inside:
        return when
    day = local.date() if now < end else local.date() + timedelta(days=1)
    return at_local(day, quiet.quiet_end)


async def send_outside_quiet(
    tx: Tx,
    user_id: int,
    recipient: Recipient,
    replies: list[Reply],
    unique_key: str,
    *,
    now: datetime,
    at: datetime | None = None,
) -> None:
    """Queue a message the bot sends a carer on its own (a reminder, a follow-up question): at
    `at` (or now), moved to the end of the carer's quiet hours when it falls inside them."""
    quiet = await reminders.settings(tx, user_id)
    await send(
        tx,
        recipient.channel,
        recipient.external_id,
        replies,
        unique_key,
        now=now,
        not_before=after_quiet(max(now, at or now), quiet),
    )


def describe(ctx: Context, reminder: Reminder) -> str:
    _ = ctx._
    when = ctx.t.format_datetime(reminder.next_at)
    what = reminder.text if reminder.kind == "own" else _("Check-in: how are you doing?")
    if reminder.every_days == 7:
        repeat = _("every week")
    elif reminder.every_days:
        repeat = _("every {n} days").format(n=ctx.t.format_number(reminder.every_days))
    else:
        repeat = _("once")
    return f"{what} — {when} ({repeat})"


async def schedule_reminder(ctx_tx, reminder_id: int, when: datetime, now: datetime) -> None:
    key = f"{reminder_id}:{schedule.utc(when)}"
    await schedule.set_timer(ctx_tx, TIMER, key, when, {}, now=now)


async def create(
    ctx: Context, kind: str, text: str, hhmm: str, every_days: int | None, when: datetime
) -> None:
    assert ctx.user is not None
    reminder_id = await reminders.add(
        ctx.tx, ctx.user.id, kind, text, hhmm, every_days, when, now=ctx.now
    )
    await schedule_reminder(ctx.tx, reminder_id, when, ctx.now)


# ---- the menu ----


async def ask_main(ctx: Context) -> Reply:
    _ = ctx._
    if ctx.user is None:
        return Reply(
            _("For reminders I need to store them. Give your consent under My data and settings."),
            (Choice("settings", _("My data and settings")), Choice("menu", _("Main menu"))),
        )
    found = await reminders.of_user(ctx.tx, ctx.user.id)
    quiet = await reminders.settings(ctx.tx, ctx.user.id)
    lines = [_("Your reminders:")] if found else [_("You have no reminders yet.")]
    lines += ["• " + describe(ctx, r) for r in found]
    lines.append(
        _("Quiet hours: {start}–{end}. I send nothing then.").format(
            start=quiet.quiet_start, end=quiet.quiet_end
        )
    )
    if not quiet.broadcasts:
        lines.append(_("News messages: off."))
    else:
        subjects = await _news_subjects(ctx)
        if subjects:
            lines.append(_("News on: {subjects}.").format(subjects=", ".join(subjects.values())))
    choices = [Choice("new", _("New reminder")), Choice("checkin", _("Regular check-in"))]
    if found:
        choices.append(Choice("remove", _("Remove a reminder")))
    choices.append(Choice("quiet", _("Quiet hours")))
    if quiet.broadcasts:
        choices.append(Choice("topics", _("News on a subject")))
        choices.append(Choice("news_off", _("Stop news messages")))
    else:
        choices.append(Choice("news_on", _("Get news messages again")))
    choices.append(Choice("menu", _("Main menu")))
    return Reply("\n".join(lines), tuple(choices))


@step("reminders.main", ask=ask_main)
async def main(ctx: Context, msg: Incoming) -> Turn:
    if ctx.user is None:
        return goto("settings.main") if msg.choice == "settings" else not_understood()
    targets = {
        "new": "reminders.text",
        "checkin": "reminders.checkin",
        "remove": "reminders.remove",
        "quiet": "reminders.quiet",
        "topics": "reminders.topics",
    }
    if msg.choice in targets:
        return goto(targets[msg.choice])
    if msg.choice in ("news_off", "news_on"):
        await _set_broadcasts(ctx, msg.choice == "news_on")
        return goto("reminders.main")
    return not_understood()


@global_choice("reminders")
async def open_reminders(ctx: Context, msg: Incoming) -> Turn:
    return goto("reminders.main")


async def _set_broadcasts(ctx: Context, on: bool) -> None:
    assert ctx.user is not None
    current = await reminders.settings(ctx.tx, ctx.user.id)
    await reminders.save_settings(
        ctx.tx, ctx.user.id, Settings(current.quiet_start, current.quiet_end, on)
    )


@global_choice("news.off")
async def news_off(ctx: Context, msg: Incoming) -> Turn:
    """The button under every news message."""
    if ctx.user is None:
        return goto("menu.main")
    await _set_broadcasts(ctx, False)
    return goto(
        "reminders.main",
        Reply(ctx._("News messages are off. Your reminders stay until you remove them.")),
    )


@command("/stop")
async def stop(ctx: Context, msg: Incoming) -> Turn:
    """`/stop meldingen` (or `/stop news`): no more broadcasts; plain /stop pauses the chat."""
    argument = (msg.text or "").strip().partition(" ")[2].strip().lower()
    if argument not in ("meldingen", "news", "notifications"):
        return goto("menu.paused")
    if ctx.user is None:
        return goto(
            "menu.main",
            Reply(ctx._("I do not store anything about you, so I send you no news messages.")),
        )
    await _set_broadcasts(ctx, False)
    return goto(
        "reminders.main",
        Reply(ctx._("News messages are off. Your reminders stay until you remove them.")),
    )


# ---- news on a subject: a coordinator may send news for one subject only ----


def _subject_labels(ctx: Context) -> dict[str, str]:
    # Imported here: find_help's follow-ups use this module's quiet hours.
    from flows.find_help import category_labels

    return {code: label for code, label in category_labels(ctx).items() if code != "helpline"}


async def _news_subjects(ctx: Context) -> dict[str, str]:
    """The subjects the carer chose, with their labels, in the order of the list."""
    assert ctx.user is not None
    chosen = set(await broadcasts.categories_of(ctx.tx, ctx.user.id))
    return {code: label for code, label in _subject_labels(ctx).items() if code in chosen}


async def ask_topics(ctx: Context) -> Reply:
    _ = ctx._
    if ctx.user is None:
        return Reply(_("For news on a subject I need to store your choice."))
    chosen = await _news_subjects(ctx)
    text = _(
        "Sometimes a carer support organisation sends news about one subject only, like a new "
        "course. About which subjects do you want that news? Choose one to add it; choose it "
        "again to remove it."
    )
    if chosen:
        text += "\n\n" + _("You chose: {subjects}.").format(subjects=", ".join(chosen.values()))
    choices = tuple(
        Choice(f"nt:{code}", ("✓ " if code in chosen else "") + label)
        for code, label in _subject_labels(ctx).items()
    )
    return Reply(text, (*choices, Choice("reminders", _("Done"))))


@step("reminders.topics", ask=ask_topics, offered_elsewhere=("reminders.main",))
async def topics(ctx: Context, msg: Incoming) -> Turn:
    code = (msg.choice or "").removeprefix("nt:")
    if ctx.user is None or not (msg.choice or "").startswith("nt:"):
        return not_understood()
    if code not in _subject_labels(ctx):
        return not_understood()
    chosen = await broadcasts.categories_of(ctx.tx, ctx.user.id)
    await broadcasts.set_category(ctx.tx, ctx.user.id, code, code not in chosen)
    return goto("reminders.topics", data={})


# ---- a new own reminder: text, day, time, once or weekly ----


async def ask_text(ctx: Context) -> Reply:
    return Reply(
        ctx._("What should I remind you of? Write it in a few words."),
        (Choice("reminders", ctx._("Cancel")),),
    )


@step("reminders.text", ask=ask_text)
async def text(ctx: Context, msg: Incoming) -> Turn:
    typed = (msg.text or "").strip()
    if not typed or typed.startswith("/"):
        return not_understood()
    if len(typed) > MAX_TEXT:
        # Not understood, with the reason: the question comes again with its buttons.
        too_long = ctx._("That is a bit long. Use at most {n} characters.").format(n=MAX_TEXT)
        return Turn([Reply(too_long)], understood=False)
    return goto("reminders.day", data={"text": typed})


async def ask_day(ctx: Context) -> Reply:
    _ = ctx._
    today = ctx.now.astimezone(zone()).date()
    days = [Choice("d:0", _("Today")), Choice("d:1", _("Tomorrow"))]
    for offset in range(2, 8):
        day = today + timedelta(days=offset)
        days.append(Choice(f"d:{offset}", _(WEEKDAYS[day.weekday()])))
    return Reply(_("On which day?"), tuple(days))


@step("reminders.day", ask=ask_day)
async def day(ctx: Context, msg: Incoming) -> Turn:
    if not (msg.choice or "").startswith("d:"):
        return not_understood()
    offset = int(msg.choice.removeprefix("d:"))
    return goto("reminders.time", data={**ctx.data, "offset": offset})


async def ask_time(ctx: Context) -> Reply:
    return Reply(
        ctx._("At what time? Pick one, or type a time like 19:30."),
        tuple(Choice(f"t:{t}", t) for t in TIMES),
    )


@step("reminders.time", ask=ask_time)
async def at_time(ctx: Context, msg: Incoming) -> Turn:
    hhmm = (msg.choice or "").removeprefix("t:") if msg.choice else parse_time(msg.text or "")
    if "offset" not in ctx.data:  # the draft is gone: start the reminder again
        return goto("reminders.main")
    if not hhmm or not parse_time(hhmm):
        return not_understood()
    local_now = ctx.now.astimezone(zone())
    when = at_local(local_now.date() + timedelta(days=int(ctx.data["offset"])), hhmm)
    if when <= ctx.now:
        passed = ctx._("That time has passed. Pick a later time or another day.")
        return Turn([Reply(passed)], understood=False)  # the times and "back" come again
    return goto("reminders.repeat", data={**ctx.data, "time": hhmm})


async def ask_repeat(ctx: Context) -> Reply:
    return Reply(
        ctx._("Once, or every week?"),
        (Choice("once", ctx._("Once")), Choice("weekly", ctx._("Every week"))),
    )


@step("reminders.repeat", ask=ask_repeat)
async def repeat(ctx: Context, msg: Incoming) -> Turn:
    if not {"offset", "time", "text"} <= ctx.data.keys():  # the draft is gone: start again
        return goto("reminders.main")
    if msg.choice not in ("once", "weekly") or ctx.user is None:
        return not_understood()
    local_now = ctx.now.astimezone(zone())
    when = at_local(local_now.date() + timedelta(days=int(ctx.data["offset"])), ctx.data["time"])
    every = 7 if msg.choice == "weekly" else None
    await create(ctx, "own", ctx.data["text"], ctx.data["time"], every, when)
    done = ctx._("Done. I will remind you on {when}.").format(when=ctx.t.format_datetime(when))
    return goto("reminders.main", Reply(done))


# ---- the regular check-in ----


async def ask_checkin(ctx: Context) -> Reply:
    _ = ctx._
    band = ctx.data.get("band")
    suggested = CHECKIN_DAYS.get(band or "", 30)
    choices = [
        Choice(f"c:{days}", _(label) + (" ✓" if days == suggested else ""))
        for days, label in CHECKIN_CHOICES
    ]
    choices.append(Choice("reminders", _("No, thanks")))
    return Reply(
        _(
            "Shall I ask you now and then how you are doing? Then you can do the short check "
            "again. I ask at 19:00. How often?"
        ),
        tuple(choices),
    )


@step("reminders.checkin", ask=ask_checkin)
async def checkin(ctx: Context, msg: Incoming) -> Turn:
    if not (msg.choice or "").startswith("c:") or ctx.user is None:
        return not_understood()
    days = int(msg.choice.removeprefix("c:"))
    if days not in dict(CHECKIN_CHOICES):
        return not_understood()
    for old in await reminders.of_user(ctx.tx, ctx.user.id):
        if old.kind == "checkin":  # one check-in at a time: the new choice replaces it
            await reminders.remove(ctx.tx, ctx.user.id, old.id)
    today = ctx.now.astimezone(zone()).date()
    when = first_at(ctx.now, today + timedelta(days=days), "19:00")
    await create(ctx, "checkin", "", "19:00", days, when)
    done = ctx._("Done. I will ask you on {when}.").format(when=ctx.t.format_datetime(when))
    return goto("reminders.main", Reply(done))


@global_choice("checkin.start")
async def start_check(ctx: Context, msg: Incoming) -> Turn:
    return goto("burden.intro")


# ---- remove, quiet hours ----


async def ask_remove(ctx: Context) -> Reply:
    assert ctx.user is not None
    found = await reminders.of_user(ctx.tx, ctx.user.id)
    choices = tuple(Choice(f"rm:{r.id}", short_label(describe(ctx, r))) for r in found)
    return Reply(
        ctx._("Which reminder should I remove?"),
        choices + (Choice("reminders", ctx._("Cancel")),),
    )


@step("reminders.remove", ask=ask_remove)
async def remove(ctx: Context, msg: Incoming) -> Turn:
    if not (msg.choice or "").startswith("rm:") or ctx.user is None:
        return not_understood()
    if await reminders.remove(ctx.tx, ctx.user.id, int(msg.choice.removeprefix("rm:"))):
        return goto("reminders.main", Reply(ctx._("Removed.")))
    return goto("reminders.main")


async def ask_quiet(ctx: Context) -> Reply:
    return Reply(
        ctx._(
            "Between which times should I send nothing? What falls due then comes at the end. "
            "Pick one, or type two times like 22:00-07:30."
        ),
        tuple(Choice(f"q:{a}-{b}", f"{a}–{b}") for a, b in QUIET_CHOICES)
        + (Choice("q:none", ctx._("No quiet hours")),),
    )


@step("reminders.quiet", ask=ask_quiet)
async def quiet(ctx: Context, msg: Incoming) -> Turn:
    if ctx.user is None:
        return not_understood()
    if msg.choice == "q:none":
        start = end = "00:00"
    else:
        raw = msg.choice.removeprefix("q:") if msg.choice else (msg.text or "")
        parts = re.split(r"\s*[-–]\s*", raw.strip())
        times = [parse_time(p) for p in parts] if len(parts) == 2 else []
        if len(times) != 2 or None in times:
            return not_understood()
        start, end = times  # type: ignore[misc]
    current = await reminders.settings(ctx.tx, ctx.user.id)
    await reminders.save_settings(ctx.tx, ctx.user.id, Settings(start, end, current.broadcasts))
    return goto("reminders.main")


# ---- when a reminder is due ----


@timer(TIMER)
async def fire(ctx: TimerContext, key: str, payload: dict) -> None:
    """Queue the reminder (after the quiet hours), then set the next one, or drop a one-off."""
    reminder = await reminders.get(ctx.tx, int(key.partition(":")[0]))
    if reminder is None:
        return
    recipient = await reminders.recipient(ctx.tx, reminder.user_id)
    if recipient is not None and recipient.active:
        t = ctx.translators(recipient.language or ctx.default_language)
        await send_outside_quiet(
            ctx.tx,
            reminder.user_id,
            recipient,
            [message(t, reminder)],
            f"{TIMER}:{key}",
            now=ctx.now,
            at=reminder.next_at,
        )
    following_at = following(reminder)
    if following_at is None:
        await reminders.remove(ctx.tx, reminder.user_id, reminder.id)
        return
    while following_at <= ctx.now:  # the bot was off for longer than one interval
        reminder = Reminder(**{**reminder.__dict__, "next_at": following_at})
        following_at = following(reminder) or following_at
    await reminders.move(ctx.tx, reminder.id, following_at)
    await schedule_reminder(ctx.tx, reminder.id, following_at, ctx.now)


def message(t, reminder: Reminder) -> Reply:
    _ = t.gettext
    if reminder.kind == "checkin":
        return Reply(
            _("How are you doing? Would you like to do the short check again?"),
            (
                Choice("checkin.start", _("Do the check")),
                Choice("reminders", _("My reminders")),
                Choice("crisis", _("I need help right now")),
            ),
        )
    return Reply(
        _("Reminder: {text}").format(text=reminder.text),
        (Choice("reminders", _("My reminders")), Choice("crisis", _("I need help right now"))),
    )


# ---- "Remind me" on a course or group with a date ----

EVENT_TIMES = ("18:00", "09:00", "13:00", "19:00")
ON_THE_DAY = "08:00"


@global_prefix("remind:")
async def remind_event(ctx: Context, msg: Incoming) -> Turn:
    if ctx.user is None:
        return goto("reminders.main")
    return goto("reminders.event", data={"resource": (msg.choice or "").partition(":")[2]})


async def _event(ctx: Context) -> tuple[str, datetime] | None:
    """The name and start of the resource being reminded of, while it is still to come."""
    found = await resources.get(ctx.tx, str(ctx.data.get("resource", "")))
    if found is None or not found.starts_at:
        return None
    starts = datetime.fromisoformat(found.starts_at)
    if starts.tzinfo is None:
        starts = starts.replace(tzinfo=zone())
    return (found.name, starts) if starts > ctx.now else None


async def ask_event(ctx: Context) -> Reply:
    _ = ctx._
    event = await _event(ctx)
    if event is None:
        return Reply(_("This date has passed."), (Choice("reminders", _("My reminders")),))
    return Reply(
        _(
            "I will remind you the day before {name}. At what time? Or type a time like 19:30."
        ).format(name=event[0]),
        tuple(Choice(f"t:{t}", t) for t in EVENT_TIMES),
    )


@step("reminders.event", ask=ask_event)
async def event_time(ctx: Context, msg: Incoming) -> Turn:
    hhmm = (msg.choice or "").removeprefix("t:") if msg.choice else parse_time(msg.text or "")
    if not hhmm or not parse_time(hhmm) or await _event(ctx) is None:
        return not_understood()
    return goto("reminders.event_day", data={**ctx.data, "time": hhmm})


async def ask_event_day(ctx: Context) -> Reply:
    return Reply(
        ctx._("Shall I also remind you on the day itself, at {time}?").format(time=ON_THE_DAY),
        (Choice("yes", ctx._("Yes")), Choice("no", ctx._("No"))),
    )


@step("reminders.event_day", ask=ask_event_day)
async def event_day(ctx: Context, msg: Incoming) -> Turn:
    event = await _event(ctx)
    if msg.choice not in ("yes", "no") or event is None or ctx.user is None:
        return not_understood()
    name, starts = event
    local_start = starts.astimezone(zone())
    text = ctx._("{name} starts on {date}").format(name=name, date=ctx.t.format_datetime(starts))[
        :MAX_TEXT
    ]
    planned = [(local_start.date() - timedelta(days=1), ctx.data["time"])]
    if msg.choice == "yes":
        planned.append((local_start.date(), ON_THE_DAY))
    made = []
    for day, hhmm in planned:
        when = at_local(day, hhmm)
        if ctx.now < when < starts:
            await create(ctx, "own", text, hhmm, None, when)
            made.append(ctx.t.format_datetime(when))
    if not made:
        return goto("reminders.main", Reply(ctx._("That is too soon for a reminder.")))
    done = ctx._("Done. I will remind you on {when}.").format(when=", ".join(made))
    return goto("reminders.main", Reply(done))
