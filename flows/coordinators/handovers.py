"""Carers' questions on the coordinators' side: the queue of my areas (oldest first, due time
shown), one question with its conversation and internal notes, claim, answer, note, close.

A coordinator sees the question's number, district, topic and language, never who the carer is.
Whatever they type while a claimed question is open goes to the carer, signed with their first
name and organisation; an internal note never leaves the coordinators' side.
"""

from __future__ import annotations

from flows import handover_relay
from flows.coordinators.access import (
    beheer_entry,
    coordinator_choice,
    coordinator_step,
    refuse,
    scope,
)
from flows.engine import N_, Choice, Context, Incoming, Reply, Turn, goto, not_understood
from flows.handover_relay import (
    TOPIC_LABELS,
    area_name,
    carer_label,
    parse_time,
    signature,
    too_long,
)
from flows.labels import short_label
from flows.language import LANGUAGE_NAMES
from store import coordinators, handovers
from store.coordinators import Coordinator
from store.handovers import MAX_MESSAGE, Handover

QUEUE_SHOWN = 10
THREAD_SHOWN = 12  # the latest messages of a conversation

beheer_entry("handovers", N_("Questions from carers"), "beheer.handovers", order=10)


async def may_see(ctx: Context, me: Coordinator, handover: Handover) -> bool:
    """Admins see every question; a coordinator those of their areas (and below). A question
    without a district is for admins only."""
    district = [handover.area_code] if handover.area_code else []
    return await coordinators.in_scope(ctx.tx, me, district)


def _number(ctx: Context) -> int:
    try:
        return int(ctx.data.get("id", 0))
    except (TypeError, ValueError):
        return 0


async def _status(ctx: Context, me: Coordinator, handover: Handover) -> str:
    _ = ctx._
    if handover.status == "closed":
        who = _("the carer") if handover.closed_by == "carer" else _("a coordinator")
        return _("closed by {who}").format(who=who)
    if handover.claimed_by is None:
        return _("waiting for someone to take it")
    if handover.claimed_by == me.user_id:
        return _("taken by you")
    other = await coordinators.get(ctx.tx, handover.claimed_by)
    return _("taken by {name}").format(name=signature(other) if other else "?")


# -- The queue -----------------------------------------------------------------------------------


async def ask_queue(ctx: Context, me: Coordinator) -> Reply:
    _ = ctx._
    waiting = await handovers.open_for_areas(ctx.tx, await scope(ctx, me))
    back = Choice("beheer", _("Back to management"))
    if not waiting:
        return Reply(_("There are no open questions in your areas."), (back,))
    lines = [
        _("Open questions: {count}. Oldest first:").format(count=ctx.t.format_number(len(waiting)))
    ]
    # A queue per area: the areas in order of their oldest question, each oldest first.
    shown = waiting[:QUEUE_SHOWN]
    order = list(dict.fromkeys(handover.area_code for handover in shown))
    shown.sort(key=lambda handover: order.index(handover.area_code))
    choices = []
    current: object = object()
    for handover in shown:
        area = await area_name(ctx.tx, handover.area_code, ctx.t)
        if handover.area_code != current:
            current = handover.area_code
            lines += ["", f"{area}:"]
        due = parse_time(handover.due_at)
        late = " ⚠ " + _("overdue") if due < ctx.now and not handover.answered_at else ""
        lines.append(
            f"#{handover.id} · {_(TOPIC_LABELS[handover.topic])} · "
            + _("answer by {due}").format(due=ctx.t.format_datetime(due))
            + f" · {await _status(ctx, me, handover)}{late}"
        )
        choices.append(Choice(f"ho:{handover.id}", short_label(f"#{handover.id} {area}")))
    if len(waiting) > QUEUE_SHOWN:
        lines.append(_("… and {count} more.").format(count=len(waiting) - QUEUE_SHOWN))
    return Reply("\n".join(lines), (*choices, back))


@coordinator_step("beheer.handovers", ask=ask_queue)
async def queue(ctx: Context, msg: Incoming, me: Coordinator) -> Turn:
    choice = msg.choice or ""
    if choice == "beheer":
        return goto("beheer.menu")
    if choice.startswith("ho:") and choice[3:].isdigit():
        return await _open(ctx, me, int(choice[3:]))
    return not_understood()


async def _open(ctx: Context, me: Coordinator, number: int) -> Turn:
    handover = await handovers.get(ctx.tx, number)
    if handover is not None and not await may_see(ctx, me, handover):
        text = ctx._("That question is not in your areas. Nothing has changed.")
        return refuse(ctx, text, coordinator=True)
    if handover is None and not await handovers.was_erased(ctx.tx, number):
        return refuse(ctx, ctx._("There is no question with that number."), coordinator=True)
    return goto("beheer.handover", data={"id": number})


@coordinator_choice("hq:")
async def open_from_notification(ctx: Context, msg: Incoming, me: Coordinator) -> Turn:
    """The button under a notification, pressed whatever step the coordinator is at."""
    number = (msg.choice or "")[3:]
    if not number.isdigit():
        return refuse(ctx, ctx._("There is no question with that number."), coordinator=True)
    return await _open(ctx, me, int(number))


# -- One question --------------------------------------------------------------------------------


async def _thread(ctx: Context, me: Coordinator, handover: Handover) -> list[str]:
    _ = ctx._
    lines = []
    for message in (await handovers.messages(ctx.tx, handover.id))[-THREAD_SHOWN:]:
        when = ctx.t.format_datetime(parse_time(message.created_at))
        if message.author == "carer":
            who = carer_label(handover, ctx.t)
        elif message.coordinator_id == me.user_id:
            who = _("You")
        else:
            other = await coordinators.get(ctx.tx, message.coordinator_id or 0)
            who = signature(other) if other else _("a coordinator")
        lines.append(f"[{when}] {who}: {message.body}")
    notes = await handovers.notes(ctx.tx, handover.id)
    if notes:
        lines += ["", _("Internal notes (the carer never sees these):")]
        lines += [f"– {note.body}" for note in notes]
    return lines


async def ask_handover(ctx: Context, me: Coordinator) -> Reply:
    _ = ctx._
    back = Choice("list", _("Back to the list"))
    handover = await handovers.get(ctx.tx, _number(ctx))
    if handover is None:
        return Reply(
            _(
                "Question #{number} was erased: the carer asked us to forget their data. "
                "There is nothing left to read or answer."
            ).format(number=_number(ctx)),
            (back,),
        )
    if not await may_see(ctx, me, handover):
        return Reply(_("That question is not in your areas."), (back,))
    lines = [
        _("Question #{number}").format(number=handover.id),
        _("District: {area}").format(area=await area_name(ctx.tx, handover.area_code, ctx.t)),
        _("Topic: {topic}").format(topic=_(TOPIC_LABELS[handover.topic])),
        _("Language: {language}").format(
            language=LANGUAGE_NAMES.get(handover.language, handover.language)
        ),
        _("Asked: {when}").format(when=ctx.t.format_datetime(parse_time(handover.created_at))),
        _("Answer by: {due}").format(due=ctx.t.format_datetime(parse_time(handover.due_at))),
        _("Status: {status}").format(status=await _status(ctx, me, handover)),
        "",
        f"“{handover.question}”",
    ]
    thread = await _thread(ctx, me, handover)
    if thread:
        lines += ["", *thread]
    choices: list[Choice] = []
    if handover.status == "open":
        choices.append(Choice("claim", _("Take this question")))
    if handover.is_open and handover.claimed_by == me.user_id:
        lines += [
            "",
            _("Type your answer: I pass it on, signed with {signature}.").format(
                signature=signature(me) or _("your name")
            ),
        ]
        choices += [Choice("note", _("Internal note")), Choice("close", _("Close question"))]
    elif handover.is_open:
        choices.append(Choice("note", _("Internal note")))
    return Reply("\n".join(lines), (*choices, back))


@coordinator_step("beheer.handover", ask=ask_handover)
async def one(ctx: Context, msg: Incoming, me: Coordinator) -> Turn:
    _ = ctx._
    if msg.choice == "list":
        return goto("beheer.handovers")
    number = _number(ctx)
    handover = await handovers.get(ctx.tx, number)
    if handover is None or not await may_see(ctx, me, handover):
        return goto("beheer.handover", data=ctx.data)  # shows that it was erased
    if msg.choice == "claim":
        if not await handovers.claim(ctx.tx, number, me.user_id, ctx.now):
            return goto(
                "beheer.handover", Reply(_("Someone else took it just now.")), data=ctx.data
            )
        claimed = await handovers.get(ctx.tx, number)
        assert claimed is not None
        await handover_relay.to_carer(
            ctx.tx,
            claimed,
            ctx.translators,
            "claimed",
            ctx.now,
            lambda t: t.gettext(
                "{signature} (carer support adviser) has read your question and will answer "
                "you in this chat."
            ).format(signature=signature(me) or t.gettext("A carer support adviser")),
        )
        return goto("beheer.handover", data=ctx.data)
    mine = handover.is_open and handover.claimed_by == me.user_id
    if msg.choice == "note" and handover.is_open:
        return goto("beheer.handover_note", data=ctx.data)
    if msg.choice == "close" and mine:
        await handovers.close(ctx.tx, number, "coordinator", ctx.now)
        await handover_relay.to_carer(
            ctx.tx,
            handover,
            ctx.translators,
            "closed",
            ctx.now,
            lambda t: t.gettext(
                "{signature} has closed your question. Do you have a new question? Choose "
                "“Talk to a carer support adviser” in the menu."
            ).format(signature=signature(me) or t.gettext("The carer support adviser")),
            closed=True,
        )
        return goto("beheer.handovers", Reply(_("Closed. The carer has been told.")))
    text = (msg.text or "").strip()
    if msg.choice is not None or not text:
        return not_understood()
    if len(text) > MAX_MESSAGE:
        return too_long(ctx)
    if not mine:
        return goto(
            "beheer.handover",
            Reply(_("Take the question first; then you can answer it.")),
            data=ctx.data,
        )
    message_id = await handovers.add_message(
        ctx.tx, handover, "coordinator", text, ctx.now, coordinator_id=me.user_id
    )
    await handover_relay.to_carer(
        ctx.tx,
        handover,
        ctx.translators,
        f"msg:{message_id}",
        ctx.now,
        lambda t: (
            (
                t.gettext("Answer from {signature}, carer support adviser:").format(
                    signature=signature(me)
                )
                if signature(me)
                else t.gettext("Answer from your carer support adviser:")
            )
            + f"\n\n{text}"
        ),
    )
    return goto("beheer.handover", Reply(_("Sent to the carer.")), data=ctx.data)


async def ask_note(ctx: Context, me: Coordinator) -> Reply:
    return Reply(
        ctx._("Type the note. Only coordinators see it, never the carer."),
        (Choice("cancel", ctx._("Cancel")),),
    )


@coordinator_step("beheer.handover_note", ask=ask_note)
async def note(ctx: Context, msg: Incoming, me: Coordinator) -> Turn:
    if msg.choice == "cancel":
        return goto("beheer.handover", data=ctx.data)
    text = (msg.text or "").strip()
    if msg.choice is not None or not text:
        return not_understood()
    if len(text) > MAX_MESSAGE:
        return too_long(ctx)
    handover = await handovers.get(ctx.tx, _number(ctx))
    if handover is None or not await may_see(ctx, me, handover):
        return goto("beheer.handover", data=ctx.data)
    await handovers.add_note(ctx.tx, handover.id, me.user_id, text, ctx.now)
    return goto(
        "beheer.handover",
        Reply(ctx._("Note saved. The carer does not see it.")),
        data=ctx.data,
    )
