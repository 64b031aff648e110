"""/beheer → News message to carers: choose areas (and, if wanted, one news subject), type the
text, see it exactly as carers will see it, and send it to the number of carers shown on the
button. Cancel works at every step, and nothing is queued before "Send".

Sending queues every carer's copy in the transaction of the "Send" press (store/broadcasts.py),
and sets a timer that follows the broadcast: it keeps a progress message up to date (edited in
place where the channel can, a new line at every quarter elsewhere) and sends the report at the
end. The timer is a row in the schedule table, so a restart picks it up where it was.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flows.coordinators.access import beheer_entry, coordinator_step, scope
from flows.engine import (
    N_,
    Choice,
    Context,
    Incoming,
    Reply,
    Translator,
    Turn,
    goto,
    not_understood,
    stay,
)
from flows.find_help import category_labels
from flows.outgoing import EDITABLE_CHANNELS, dump, send
from flows.reminders import after_quiet
from flows.timers import TimerContext, timer
from store import areas, broadcasts, coordinators, reminders, schedule
from store.broadcasts import Audience, Broadcast, Figures
from store.coordinators import Coordinator
from store.db import Tx
from store.reminders import Settings

MENU = "broadcast.menu"
MAX_TEXT = 1000  # characters; one message on every channel, short enough to read on a phone
MAX_AREAS_SHOWN = 24  # area buttons; the coordinator's own areas come first
MAX_BUTTON = 30
TIMER = "broadcast"
TICK = timedelta(seconds=5)  # how often the progress message is brought up to date
SLOWEST_TICK = timedelta(minutes=5)  # while nothing moves (e.g. terminal carers who are away)
SEND_LABEL = N_("Send to {carers}")
SEND_LABEL_SHORT = N_("Send ({n})")

beheer_entry("news", N_("News message to carers"), MENU, order=30)


def news_message(t: Translator, text: str, sender: str) -> Reply:
    """The message as every carer gets it (and as the coordinator's preview shows it): who sends
    it, the text, a way to stop news messages, and the crisis button every message carries."""
    _ = t.gettext
    return Reply(
        _("News from {sender}:").format(sender=sender) + "\n\n" + text,
        (
            Choice("news.off", _("Stop news messages")),
            Choice("crisis", _("I need help right now")),
        ),
    )


def _sender(ctx: Context, me: Coordinator) -> str:
    return me.org or me.name or ctx._("your carer support organisation")


def _cancel(ctx: Context) -> Choice:
    return Choice("cancel", ctx._("Cancel"))


def _cancelled(ctx: Context) -> Turn:
    return goto(MENU, Reply(ctx._("Cancelled. Nothing was sent.")))


def _number(t: Translator, n: int) -> str:
    return t.format_number(n)


def carers(t: Translator, n: int) -> str:
    """ "1 carer", "312 carers": one and more are the only forms Dutch and English need."""
    if n == 1:
        return t.gettext("1 carer")
    return t.gettext("{n} carers").format(n=_number(t, n))


def figure_lines(t: Translator, figures: Figures) -> list[str]:
    _ = t.gettext
    lines = [
        _("Arrived: {n}").format(n=_number(t, figures.delivered)),
        _("Blocked the bot: {n}").format(n=_number(t, figures.blocked)),
        _("Failed: {n}").format(n=_number(t, figures.failed)),
    ]
    if figures.uncertain:
        lines.append(_("Maybe arrived: {n}").format(n=_number(t, figures.uncertain)))
    if figures.waiting:
        lines.append(
            _("Waiting until their quiet hours are over: {n}").format(n=_number(t, figures.waiting))
        )
    return lines


# ---- the menu: recent messages and their figures, and a new one ----


async def ask_menu(ctx: Context, me: Coordinator) -> Reply:
    _ = ctx._
    mine = None if me.is_admin else me.user_id
    recent = await broadcasts.recent(ctx.tx, mine)
    lines = [
        _(
            "Send a news message to the carers in your areas. Only carers who gave consent and "
            "did not turn off news messages get it."
        )
    ]
    if recent:
        lines += ["", _("Your recent messages:")]
    for sent in recent:
        figures = await broadcasts.figures(ctx.tx, sent.id, ctx.now)
        snippet = " ".join(sent.text.split())
        snippet = snippet if len(snippet) <= 40 else snippet[:39] + "…"
        lines.append(
            "• "
            + _("{date}: “{text}”, to {carers}").format(
                date=ctx.t.format_datetime(sent.created_at),
                text=snippet,
                carers=carers(ctx.t, sent.recipients),
            )
        )
        lines.append("  " + ", ".join(figure_lines(ctx.t, figures)))
    return Reply(
        "\n".join(lines),
        (Choice("new", _("New message")), Choice("beheer", _("Back to management"))),
    )


@coordinator_step(MENU, ask=ask_menu)
async def menu(ctx: Context, msg: Incoming, me: Coordinator) -> Turn:
    if msg.choice == "new":
        return goto("broadcast.areas", data={"areas": []})
    if msg.choice == "beheer":
        return goto("beheer.menu")
    return not_understood()


# ---- 1. the areas ----


async def _choosable(ctx: Context, me: Coordinator) -> list[str]:
    """The areas offered as buttons: the coordinator's own areas, then the areas below them,
    level by level (an admin: the areas under the root), at most MAX_AREAS_SHOWN."""
    allowed = await scope(ctx, me)
    known = {area.code: area for area in await areas.list_all(ctx.tx)}
    level = [c for c in me.areas if c in known] if allowed is not None else []
    if allowed is None:
        level = [c for c, a in known.items() if a.parent == areas.ROOT]
    found: list[str] = []
    while level and len(found) < MAX_AREAS_SHOWN:
        level = sorted(set(level) - set(found), key=lambda c: known[c].name)
        found += level[: MAX_AREAS_SHOWN - len(found)]
        level = [c for c, a in known.items() if a.parent in level]
    return found


async def ask_areas(ctx: Context, me: Coordinator) -> Reply:
    _ = ctx._
    chosen = set(ctx.data.get("areas", []))
    names = await areas.names(ctx.tx)
    choices = [
        Choice(f"ba:{code}", (("✓ " if code in chosen else "") + names.get(code, code))[:28])
        for code in await _choosable(ctx, me)
    ]
    everyone = _("All carers") if me.is_admin else _("All my areas")
    return Reply(
        _("Who should get the message? Choose the areas one by one, then choose Next."),
        (Choice("ba:*", everyone), *choices, Choice("next", _("Next")), _cancel(ctx)),
    )


@coordinator_step("broadcast.areas", ask=ask_areas)
async def choose_areas(ctx: Context, msg: Incoming, me: Coordinator) -> Turn:
    _ = ctx._
    choice = msg.choice or ""
    chosen = list(ctx.data.get("areas", []))
    if choice == "cancel":
        return _cancelled(ctx)
    if choice == "ba:*":
        every = [] if me.is_admin else list(me.areas)
        return goto("broadcast.category", data={"areas": every})
    if choice.startswith("ba:"):
        code = choice.removeprefix("ba:")
        if code not in await _choosable(ctx, me):
            return not_understood()
        chosen = [c for c in chosen if c != code] if code in chosen else [*chosen, code]
        return goto("broadcast.areas", data={"areas": chosen})
    if choice == "next":
        if not chosen:
            return stay(Reply(_("Choose at least one area first.")))
        return goto("broadcast.category", data={"areas": chosen})
    return not_understood()


# ---- 2. everyone, or only carers who asked for news on one subject ----


def _subjects(ctx: Context) -> dict[str, str]:
    return {code: label for code, label in category_labels(ctx).items() if code != "helpline"}


async def ask_category(ctx: Context, me: Coordinator) -> Reply:
    _ = ctx._
    return Reply(
        _(
            "Is the message for every carer there, or only for carers who asked for news on "
            "one subject?"
        ),
        (
            Choice("cat:*", _("Every carer there")),
            *(Choice(f"cat:{code}", label) for code, label in _subjects(ctx).items()),
            _cancel(ctx),
        ),
    )


@coordinator_step("broadcast.category", ask=ask_category)
async def choose_category(ctx: Context, msg: Incoming, me: Coordinator) -> Turn:
    choice = msg.choice or ""
    if choice == "cancel":
        return _cancelled(ctx)
    if "areas" not in ctx.data:  # the draft is gone: start again
        return goto(MENU)
    if choice == "cat:*":
        return goto("broadcast.text", data={**ctx.data, "category": None})
    code = choice.removeprefix("cat:")
    if choice.startswith("cat:") and code in _subjects(ctx):
        return goto("broadcast.text", data={**ctx.data, "category": code})
    return not_understood()


# ---- 3. the text ----


async def ask_text(ctx: Context, me: Coordinator) -> Reply:
    return Reply(
        ctx._(
            "Type your message (at most {n} characters). Next you see it exactly as carers "
            "will see it, before anything is sent."
        ).format(n=_number(ctx.t, MAX_TEXT)),
        (_cancel(ctx),),
    )


@coordinator_step("broadcast.text", ask=ask_text)
async def compose(ctx: Context, msg: Incoming, me: Coordinator) -> Turn:
    _ = ctx._
    if msg.choice == "cancel":
        return _cancelled(ctx)
    if msg.choice is not None:
        return not_understood()
    if "areas" not in ctx.data:
        return goto(MENU)
    typed = (msg.text or "").strip()
    if not typed:
        return stay(Reply(_("The message is empty. Type the text you want to send.")))
    if len(typed) > MAX_TEXT:
        return stay(
            Reply(
                _(
                    "The message is too long: {length} characters. The most is {n}. Make it "
                    "shorter and send it again."
                ).format(length=_number(ctx.t, len(typed)), n=_number(ctx.t, MAX_TEXT))
            )
        )
    return goto("broadcast.preview", data={**ctx.data, "text": typed})


# ---- 4. preview and send ----


def _audience(data: dict[str, Any]) -> Audience:
    return Audience(tuple(data.get("areas") or ()), data.get("category"))


async def _allowed(ctx: Context, me: Coordinator, audience: Audience) -> bool:
    """Every carer only for an admin; otherwise areas within the coordinator's own."""
    if not audience.areas:
        return me.is_admin
    return await coordinators.in_scope(ctx.tx, me, list(audience.areas))


def send_label(t: Translator, n: int) -> str:
    label = t.gettext(SEND_LABEL).format(carers=carers(t, n))
    return label if len(label) <= MAX_BUTTON else t.gettext(SEND_LABEL_SHORT).format(n=n)


async def ask_preview(ctx: Context, me: Coordinator) -> list[Reply]:
    _ = ctx._
    audience = _audience(ctx.data)
    count = await broadcasts.count(ctx.tx, audience)
    preview = news_message(ctx.t, ctx.data.get("text", ""), _sender(ctx, me))
    if count == 0:
        return [
            preview,
            Reply(
                _(
                    "Above you see the message as carers will see it. But nobody would get it: "
                    "there are no carers there who want news messages."
                ),
                (Choice("areas", _("Choose other areas")), _cancel(ctx)),
            ),
        ]
    question = _(
        "Above you see the message exactly as carers will see it. Shall I send it to {carers}?"
    ).format(carers=carers(ctx.t, count))
    return [
        preview,
        Reply(
            question,
            (
                Choice(f"send:{count}", send_label(ctx.t, count)),
                Choice("edit", _("Change the text")),
                _cancel(ctx),
            ),
        ),
    ]


@coordinator_step("broadcast.preview", ask=ask_preview)
async def confirm(ctx: Context, msg: Incoming, me: Coordinator) -> Turn:
    _ = ctx._
    choice = msg.choice or ""
    if choice == "cancel":
        return _cancelled(ctx)
    if "text" not in ctx.data:
        return goto(MENU)
    if choice == "edit":
        return goto("broadcast.text", data={k: v for k, v in ctx.data.items() if k != "text"})
    if choice == "areas":
        return goto("broadcast.areas", data={"areas": []})
    if not choice.startswith("send:"):
        return not_understood()
    audience = _audience(ctx.data)
    if not await _allowed(ctx, me, audience):  # a role or areas changed since the preview
        return goto(MENU, Reply(_("You may no longer send to these areas. Nothing was sent.")))
    sent = await start(ctx, me, audience, ctx.data["text"])
    shown = int(choice.removeprefix("send:") or 0)
    text = _("Sending the message to {carers}. Below you see how it goes.").format(
        carers=carers(ctx.t, sent.recipients)
    )
    if sent.recipients != shown:
        text += " " + _("(The number changed since the preview.)")
    return goto("beheer.menu", Reply(text))


async def start(ctx: Context, me: Coordinator, audience: Audience, text: str) -> Broadcast:
    """Queue the message for every carer in the audience, each in their own language and after
    their quiet hours, and set the timer that follows it."""
    sender = _sender(ctx, me)
    payloads = {
        lang: dump([news_message(ctx.translators(lang), text, sender)]) for lang in ctx.languages
    }
    sent = await broadcasts.start(
        ctx.tx,
        created_by=me.user_id,
        audience=audience,
        text=text,
        payloads=payloads,
        default_language=ctx.default_language,
        not_before=lambda begin, end: after_quiet(ctx.now, Settings(begin, end)),
        now=ctx.now,
    )
    await follow(ctx.tx, sent.id, 0, ctx.now, {"done": -1})
    return sent


# ---- following a broadcast: progress and report (a timer, so it survives a restart) ----


async def follow(tx: Tx, broadcast_id: int, tick: int, when: datetime, state: dict) -> None:
    """Look at the broadcast again at `when` (tick by tick: each look is its own timer row)."""
    await schedule.set_timer(
        tx, TIMER, f"{broadcast_id}:{tick}", when, {**state, "tick": tick}, now=when
    )


def progress_text(t: Translator, figures: Figures) -> str:
    _ = t.gettext
    total = max(figures.total, 1)
    percent = round(100 * figures.done / total)
    head = _("News message: {done} of {total} handled ({percent} %).").format(
        done=_number(t, figures.done), total=_number(t, figures.total), percent=percent
    )
    return "\n".join([head, *figure_lines(t, figures)])


def report_text(t: Translator, sent: Broadcast, figures: Figures, *, final: bool) -> str:
    _ = t.gettext
    if final:
        head = _("Your news message of {date} has been sent. The result:")
    else:
        head = _(
            "Your news message of {date} went to everyone it could reach now. The rest get it "
            "when their quiet hours are over; then you get the final result. So far:"
        )
    return "\n".join(
        [head.format(date=t.format_datetime(sent.created_at)), *figure_lines(t, figures)]
    )


@timer(TIMER)
async def progress(ctx: TimerContext, key: str, state: dict[str, Any]) -> None:
    broadcast_id, _, tick_text = key.partition(":")
    sent = await broadcasts.get(ctx.tx, int(broadcast_id))
    if sent is None or sent.finished_at is not None:
        return
    tick = int(tick_text or 0)
    figures = await broadcasts.figures(ctx.tx, sent.id, ctx.now)
    who = await reminders.recipient(ctx.tx, sent.created_by) if sent.created_by else None
    t = ctx.translators((who.language if who else None) or ctx.default_language)

    async def tell(text: str, key_part: str, edits: str | None = None) -> None:
        if who is None or not who.active:
            return
        await send(
            ctx.tx,
            who.channel,
            who.external_id,
            [Reply(text)],
            f"{TIMER}:{sent.id}:{key_part}",
            now=ctx.now,
            edits=edits,
        )

    if figures.sending == 0 and figures.waiting == 0:
        await tell(report_text(t, sent, figures, final=True), "report")
        await broadcasts.finish(ctx.tx, sent.id, ctx.now)
        return
    if figures.sending == 0:  # only carers in their quiet hours are left: wait for them
        if not state.get("told_waiting"):
            await tell(report_text(t, sent, figures, final=False), "waiting")
        when = max(figures.next_waiting or ctx.now, ctx.now) + TICK
        await follow(ctx.tx, sent.id, tick + 1, when, {**state, "told_waiting": 1})
        return
    moved = figures.done != state.get("done")
    if who is not None and who.channel in EDITABLE_CHANNELS:
        # One progress message, sent once and then changed in place.
        first = f"{TIMER}:{sent.id}:progress"
        if not state.get("shown"):
            await tell(progress_text(t, figures), "progress")
            state = {**state, "shown": 1}
        elif moved:
            await tell(progress_text(t, figures), f"progress:{tick}", edits=first)
    else:
        quarter = 4 * figures.done // max(figures.total, 1)
        if 0 < quarter < 4 and quarter > state.get("quarter", 0):
            await tell(progress_text(t, figures), f"quarter:{quarter}")
            state = {**state, "quarter": quarter}
    wait = TICK if moved else min(timedelta(seconds=state.get("wait_s", 5) * 2), SLOWEST_TICK)
    state = {**state, "done": figures.done, "wait_s": wait.total_seconds()}
    await follow(ctx.tx, sent.id, tick + 1, ctx.now + wait, state)
