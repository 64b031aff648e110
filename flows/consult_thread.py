"""The carer's side of a question for a mantelzorgconsulent, after it was sent: read the answers,
write back (relayed to the adviser who took the question), or close it.

The buttons under an adviser's answer ("hc:r:12", "hc:c:12") work from any step; they only ever
act on the carer's own question.
"""

from __future__ import annotations

from flows import handover_relay, held_text
from flows.engine import (
    HOME_STEP,
    Choice,
    Context,
    Incoming,
    Reply,
    Turn,
    global_prefix,
    goto,
    not_understood,
)
from flows.engine import step as register_step
from flows.handover_relay import carer_label, parse_time
from store import coordinators, handovers
from store.handovers import Handover

SHOWN = 6  # the latest messages shown when the carer opens the conversation


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
    return Turn([Reply(sent)], next="consult.thread", data=ctx.data)


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
