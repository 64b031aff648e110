"""The carer's side of a question for a mantelzorgconsulent, after it was sent: read the answers,
write back (relayed to the adviser who took the question), or close it.

The buttons under an adviser's answer ("hc:r:12", "hc:c:12") work from any step; they only ever
act on the carer's own question. A reply typed under an answer without pressing "Answer" first
(at the main menu, say) is not lost: when the carer's step does not understand it, they are
asked whether to send it as their reply.
"""

from __future__ import annotations

from flows import handover_relay, held_text
from flows.engine import (
    HOME_STEP,
    STEPS,
    Choice,
    Context,
    Incoming,
    Reply,
    Turn,
    global_prefix,
    goto,
    not_understood,
    text_fallback,
)
from flows.engine import step as register_step
from flows.handover_relay import carer_label, parse_time
from store import coordinators, handovers
from store.handovers import Handover

SHOWN = 6  # the latest messages shown when the carer opens the conversation
OFFER = "consult.offer"
# Steps where typed text is never a reply to the adviser: the conversation itself, a coordinator's
# own work.
NOT_A_REPLY_AT = ("consult.", "beheer.")


async def own_handover(ctx: Context, number: object) -> Handover | None:
    """The handover with this number if it is this carer's own; None otherwise."""
    try:
        handover = await handovers.get(ctx.tx, int(str(number)))
    except ValueError:
        return None
    if handover is None or ctx.user is None or handover.user_id != ctx.user.id:
        return None
    return handover


def _not_yours(ctx: Context) -> Turn:
    """Someone else's (or an erased) question: say so, and ask the current question again."""
    reply = Reply(ctx._("I cannot find that question. Nothing has changed."))
    if ctx.step:
        return Turn([reply], next=ctx.step, data=ctx.data)
    return Turn([reply], next=HOME_STEP)


@global_prefix("hc:")
async def from_button(ctx: Context, msg: Incoming) -> Turn:
    """`hc:r:N` answer question N, `hc:c:N` close it: buttons under an adviser's message."""
    parts = (msg.choice or "").split(":")
    if len(parts) != 3 or parts[1] not in ("r", "c"):
        return _not_yours(ctx)
    handover = await own_handover(ctx, parts[2])
    if handover is None:
        return _not_yours(ctx)
    target = "consult.thread" if parts[1] == "r" else "consult.close"
    return goto(target, data={"id": handover.id})


async def ask_thread(ctx: Context) -> Reply:
    _ = ctx._
    handover = await own_handover(ctx, ctx.data.get("id"))
    menu = Choice("menu", _("Main menu"))
    if handover is None:
        return Reply(_("I cannot find that question."), (menu,))
    lines = []
    for message in (await handovers.messages(ctx.tx, handover.id))[-SHOWN:]:
        when = ctx.t.format_datetime(parse_time(message.created_at))
        if message.author == "carer":
            who = _("You")
        else:
            adviser = await coordinators.get(ctx.tx, message.coordinator_id or 0)
            who = handover_relay.signature(adviser) if adviser else _("Adviser")
        lines.append(f"[{when}] {who}: {message.body}")
    if not handover.is_open:
        return Reply("\n".join([*lines, "", _("This question is closed.")]).strip(), (menu,))
    lines += [
        "",
        _("Write your message. I pass it on to the carer support adviser."),
    ]
    return Reply(
        "\n".join(lines).strip(),
        (Choice("close", _("Close my question")), menu),
    )


@register_step("consult.thread", ask=ask_thread)
async def thread(ctx: Context, msg: Incoming) -> Turn:
    _ = ctx._
    handover = await own_handover(ctx, ctx.data.get("id"))
    if handover is None or not handover.is_open:
        return goto(HOME_STEP)
    if msg.choice == "close":
        return goto("consult.close", data=ctx.data)
    text = (msg.text or "").strip()
    if msg.choice is not None or not text:
        return not_understood()
    if len(text) > handovers.MAX_MESSAGE:
        return handover_relay.too_long(ctx)
    return await _pass_on(ctx, handover, text)


@held_text.sends_anyway_at("consult.thread")
async def thread_anyway(ctx: Context, text: str) -> Turn:
    """A message to the adviser that opened the helplines: the carer chose to send it anyway."""
    held_text.release(ctx.channel, ctx.external_id)
    handover = await own_handover(ctx, ctx.data.get("id"))
    if handover is None or not handover.is_open:
        return goto(HOME_STEP)
    return await _pass_on(ctx, handover, text)


async def _pass_on(ctx: Context, handover: Handover, text: str) -> Turn:
    _ = ctx._
    message_id = await handovers.add_message(ctx.tx, handover, "carer", text, ctx.now)
    await handover_relay.to_claimer(
        ctx.tx,
        handover,
        ctx.translators,
        ctx.default_language,
        f"msg:{message_id}",
        ctx.now,
        lambda t: (
            t.gettext("{carer} writes:").format(carer=carer_label(handover, t)) + f"\n\n{text}"
        ),
    )
    if handover.claimed_by is None:
        sent = _("Added to your question. The adviser reads it with your question.")
    else:
        sent = _("Sent to the carer support adviser.")
    return Turn([Reply(sent)], next="consult.thread", data={"id": handover.id})


async def waiting_for_reply(ctx: Context) -> Handover | None:
    """The carer's open question whose latest message is the adviser's (the newest of those)."""
    if ctx.user is None:
        return None
    for handover in reversed(await handovers.for_user(ctx.tx, ctx.user.id)):
        if not handover.is_open:
            continue
        thread = await handovers.messages(ctx.tx, handover.id)
        if thread and thread[-1].author == "coordinator":
            return handover
    return None


@text_fallback
async def reply_under_answer(ctx: Context, msg: Incoming) -> Turn | None:
    """Text typed right under an adviser's answer, where the step could not use it: offer to
    send it as the reply (the crisis check has already run on it)."""
    if (ctx.step or "").startswith(NOT_A_REPLY_AT):
        return None
    handover = await waiting_for_reply(ctx)
    if handover is None:
        return None
    text = (msg.text or "").strip()
    if len(text) > handovers.MAX_MESSAGE:
        return handover_relay.too_long(ctx)
    came_from = ctx.step if ctx.step in STEPS else HOME_STEP
    return goto(
        OFFER,
        data={"id": handover.id, "text": text, "from": came_from, "from_data": ctx.data},
    )


async def ask_offer(ctx: Context) -> Reply:
    _ = ctx._
    handover = await own_handover(ctx, ctx.data.get("id"))
    adviser = None
    if handover is not None and handover.claimed_by is not None:
        adviser = await coordinators.get(ctx.tx, handover.claimed_by)
    question = (
        _("Do you want to send this as your answer to {adviser}?").format(
            adviser=handover_relay.signature(adviser)
        )
        if adviser
        else _("Do you want to send this as your answer to the carer support adviser?")
    )
    return Reply(
        f"“{ctx.data.get('text', '')}”\n\n{question}",
        (Choice("yes", _("Yes, send it")), Choice("no", _("No, don't send"))),
    )


@register_step(OFFER, ask=ask_offer, back=False)
async def offer(ctx: Context, msg: Incoming) -> Turn:
    _ = ctx._
    text = ctx.data.get("text")
    if msg.choice == "no":
        came_from = ctx.data.get("from")
        back_to = came_from if isinstance(came_from, str) and came_from in STEPS else HOME_STEP
        data = ctx.data.get("from_data")
        return Turn(
            [Reply(_("OK, I have not sent it."))],
            next=back_to,
            data=data if isinstance(data, dict) else {},
            back=True,
        )
    if msg.choice != "yes" or not isinstance(text, str) or not text:
        return not_understood()
    handover = await own_handover(ctx, ctx.data.get("id"))
    if handover is None or not handover.is_open:
        return goto(HOME_STEP, Reply(_("I cannot find that question. Nothing has changed.")))
    sent = await _pass_on(ctx, handover, text)
    sent.remember = False  # "back" from the conversation does not bring the sent text back
    return sent


async def ask_close(ctx: Context) -> Reply:
    _ = ctx._
    return Reply(
        _("Do you want to close your question? The adviser will see that it is closed."),
        (Choice("yes", _("Yes, close it")), Choice("no", _("No, keep it open"))),
    )


@register_step("consult.close", ask=ask_close)
async def close(ctx: Context, msg: Incoming) -> Turn:
    _ = ctx._
    handover = await own_handover(ctx, ctx.data.get("id"))
    if handover is None:
        return goto(HOME_STEP)
    if msg.choice == "no":
        return goto("consult.thread", data=ctx.data)
    if msg.choice != "yes":
        return not_understood()
    if await handovers.close(ctx.tx, handover.id, "carer", ctx.now):
        await handover_relay.to_claimer(
            ctx.tx,
            handover,
            ctx.translators,
            ctx.default_language,
            "closed",
            ctx.now,
            lambda t: t.gettext("{carer} has closed the question.").format(
                carer=carer_label(handover, t)
            ),
        )
    return goto(HOME_STEP, Reply(_("Your question is closed. Thank you.")))
