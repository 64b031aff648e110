"""Talk to a mantelzorgconsulent (Verbinden): a warm handover to a person.

The carer picks a topic, writes a short question, sees exactly what will be passed on and approves
it. The request is stored for the coordinators of the carer's district, who answer in this chat.
Storing a question needs consent; without it the carer can give consent here, or call instead.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flows import erasure, find_help, handover_relay, held_text, office_hours
from flows.engine import (
    N_,
    Choice,
    Context,
    Incoming,
    Reply,
    Turn,
    goto,
    menu_entry,
    not_understood,
    stay,
    step,
)
from flows.handover_relay import TOPIC_LABELS
from flows.language import LANGUAGE_NAMES
from store import areas, coordinators, handovers, resources

ANSWER_WORKING_DAYS = 2
MAX_QUESTION = 1000
assert tuple(TOPIC_LABELS) == handovers.TOPICS

menu_entry("consult", N_("Ask a carer support adviser"), "consult.start", order=40)


def _question(ctx: Context) -> str:
    """The question: in the step data, or only in memory when it opened the helplines (then it
    reaches the database only when the carer presses Send)."""
    if ctx.data.get("held"):
        return held_text.peek(ctx.channel, ctx.external_id) or ""
    return str(ctx.data.get("question", ""))


def _draft(ctx: Context) -> dict:
    return {k: ctx.data[k] for k in ("question", "held") if k in ctx.data}


def add_working_days(day: date, count: int) -> date:
    """`count` working days after `day`, skipping Saturdays and Sundays (not public holidays)."""
    while count > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def answer_due(now: datetime) -> datetime:
    return datetime.combine(add_working_days(now.date(), ANSWER_WORKING_DAYS), now.timetz())


async def phone_numbers(ctx: Context) -> str:
    """Advice services for the carer's area, and the national Mantelzorglijn, with phone numbers."""
    _ = ctx._
    lineage = await areas.lineage(ctx.tx, ctx.home_area) if ctx.home_area else [areas.ROOT]
    found = [r for r in await resources.for_areas(ctx.tx, "advice", lineage, ctx.now) if r.phone]
    national = await resources.get(ctx.tx, "mantelzorglijn")
    if national and national.active and national.id not in {r.id for r in found}:
        found.append(national)
    lines = [_("You can call them yourself:")]
    for r in found[:6]:
        hours = f" ({r.opening_hours})" if r.opening_hours else ""
        lines.append(f"• {r.name}: {r.phone}{hours}")
    return "\n".join(lines)


def question_area(ctx: Context) -> str | None:
    """The area a question is filed under: the carer's district (none outside every area)."""
    return ctx.home_area if ctx.home_area != areas.ROOT else None


async def nobody_answers(ctx: Context) -> str:
    """Said before the carer writes a question where no coordinator or administrator answers
    for their area; empty where someone does."""
    if await coordinators.for_area(ctx.tx, question_area(ctx)):
        return ""
    return (
        "\n\n"
        + ctx._(
            "Right now no carer support adviser answers through this chat in your area. You "
            "can still leave your question, but I cannot say when an answer will come."
        )
        + "\n\n"
        + await phone_numbers(ctx)
    )


async def ask_start(ctx: Context) -> list[Reply]:
    _ = ctx._
    intro = _(
        "A mantelzorgconsulent (carer support adviser) is a person, not a bot. They know the "
        "help in your area and think along with you."
    )
    if erasure.is_young(ctx):
        return [
            Reply(
                intro
                + "\n\n"
                + _("Because you are under 16, I cannot pass on a question for you.")
                + "\n\n"
                + await phone_numbers(ctx),
                (Choice("young", _("Help for young carers")), Choice("menu", _("Main menu"))),
            )
        ]
    if ctx.consented:
        waiting = [h for h in await handovers.for_user(ctx.tx, ctx.user.id) if h.is_open]
        mine = (Choice(f"hc:r:{waiting[-1].id}", _("My open question")),) if waiting else ()
        how = "\n\n" + _(
            "Tell me what your question is about and write it in a few sentences. I pass it on "
            "to the carer support advisers of your district. They answer you in this chat."
        )
        return [
            Reply(
                intro + (("" if waiting else await nobody_answers(ctx)) or how),
                (
                    *mine,
                    Choice("ask", _("Ask my question")),
                    Choice("peers", _("Meet other carers")),
                    Choice("menu", _("Main menu")),
                ),
            )
        ]
    return [
        Reply(
            intro
            + await nobody_answers(ctx)
            + "\n\n"
            + _(
                "To pass your question on, I have to store it, with your district and your "
                "language. You have not given consent for storing yet."
            )
            + "\n\n"
            + _(
                "Do you want to give it now? Then I store your language, your district and your "
                "answers. You can see or erase them at any time with /mydata and /forgetme."
            ),
            (
                Choice("consent", _("Yes, store my question")),
                Choice("phone", _("No, show phone numbers")),
                Choice("menu", _("Main menu")),
            ),
        )
    ]


@step("consult.start", ask=ask_start, durable=True)
async def start(ctx: Context, msg: Incoming) -> Turn:
    _ = ctx._
    if msg.choice == "peers":
        return await find_help.open_door(ctx, "peers")
    if msg.choice == "young":
        return goto("info.young_help")
    if msg.choice == "phone":
        return stay(
            Reply(await phone_numbers(ctx), (Choice("menu", _("Main menu")),)),
        )
    if msg.choice == "consent" and not erasure.is_young(ctx):
        await ctx.give_consent()
        return goto("consult.topic", Reply(_("Thank you. You can change your mind at any time.")))
    if msg.choice == "ask" and ctx.consented:
        return goto("consult.topic")
    return not_understood()


async def ask_topic(ctx: Context) -> Reply:
    _ = ctx._
    return Reply(
        _("What is your question about?"),
        tuple(Choice(f"topic:{key}", _(label)) for key, label in TOPIC_LABELS.items())
        + (Choice("menu", _("Main menu")),),
    )


@step("consult.topic", ask=ask_topic)
async def topic(ctx: Context, msg: Incoming) -> Turn:
    chosen = (msg.choice or "").removeprefix("topic:")
    if msg.choice and msg.choice.startswith("topic:") and chosen in TOPIC_LABELS:
        if ctx.data.get("question") or ctx.data.get("held"):  # a new topic, the same question
            return goto("consult.confirm", data=_draft(ctx) | {"topic": chosen})
        return goto("consult.question", data={"topic": chosen})
    return not_understood()


async def ask_question(ctx: Context) -> Reply:
    _ = ctx._
    label = _(TOPIC_LABELS.get(ctx.data.get("topic"), TOPIC_LABELS["other"]))
    return Reply(
        _("Topic: {topic}").format(topic=label)
        + "\n\n"
        + _(
            "Write your question in a few sentences. What is going on, and what would you like "
            "help with?"
        )
        + "\n\n"
        + _(
            "I store your question until an adviser has answered it. So do not write names, "
            "phone numbers or addresses in it, not yours and not anyone else's."
        ),
        (Choice("menu", _("Cancel")),),
    )


@step("consult.question", ask=ask_question)
async def question(ctx: Context, msg: Incoming) -> Turn:
    _ = ctx._
    text = (msg.text or "").strip()
    if msg.choice is not None or not text:
        return not_understood()
    if len(text) > MAX_QUESTION:
        return stay(
            Reply(
                _(
                    "That is a bit long for me. Please write it in at most {count} characters. "
                    "The adviser can ask you more later."
                ).format(count=ctx.t.format_number(MAX_QUESTION)),
                (Choice("menu", _("Cancel")),),
            )
        )
    held_text.release(ctx.channel, ctx.external_id)  # a new question replaces a held one
    return goto("consult.confirm", data={"topic": ctx.data.get("topic"), "question": text})


@held_text.sends_anyway_at("consult.question")
async def question_anyway(ctx: Context, text: str) -> Turn:
    """A question that opened the helplines, and the carer still wants to send it: on to the
    summary, the question still only in memory until they press Send there."""
    return goto("consult.confirm", data={"topic": ctx.data.get("topic"), "held": True})


async def _area_name(ctx: Context) -> str:
    if ctx.home_area and ctx.home_area != areas.ROOT:
        area = await areas.get(ctx.tx, ctx.home_area)
        if area:
            return area.name
    return ctx._("not known (the advisers for the whole region get your question)")


async def ask_confirm(ctx: Context) -> Reply:
    _ = ctx._
    label = _(TOPIC_LABELS.get(ctx.data.get("topic"), TOPIC_LABELS["other"]))
    summary = "\n".join(
        [
            _("This is what I will pass on to a carer support adviser:"),
            "",
            _("Topic: {topic}").format(topic=label),
            _("Question: {question}").format(question=_question(ctx)),
            _("Your district: {area}").format(area=await _area_name(ctx)),
            _("Language: {language}").format(language=LANGUAGE_NAMES.get(ctx.lang, ctx.lang)),
            _("How they reach you: in this chat"),
            "",
            _("Shall I send it?"),
        ]
    )
    return Reply(
        summary,
        (
            Choice("send", _("Send")),
            Choice("edit", _("Change")),
            Choice("cancel", _("Cancel")),
        ),
    )


@step("consult.confirm", ask=ask_confirm)
async def confirm(ctx: Context, msg: Incoming) -> Turn:
    _ = ctx._
    if msg.choice == "cancel":
        # To the main menu: that clears the step data and history, so the question is gone.
        held_text.release(ctx.channel, ctx.external_id)
        return goto("menu.main", Reply(_("OK, I did not send anything. Your question is gone.")))
    if msg.choice == "edit":
        return goto("consult.edit", data=ctx.data)
    if msg.choice != "send":
        return not_understood()
    question_text = _question(ctx).strip()
    chosen = ctx.data.get("topic")
    if ctx.data.get("held") and not question_text:  # held in memory, and expired or restarted
        return goto(
            "consult.question",
            Reply(_("What you wrote is no longer kept here. Please write it again.")),
            data={"topic": chosen},
        )
    if ctx.user is None or not question_text or chosen not in TOPIC_LABELS:
        return goto("consult.start")
    hours = office_hours.HOURS
    closed = not hours.is_open(ctx.now)
    # Asked outside office hours, the working days count from when the office opens.
    due = answer_due(hours.next_opening(ctx.now) if closed else ctx.now)
    area = question_area(ctx)
    handover_id = await handovers.create(
        ctx.tx,
        ctx.user.id,
        area_code=area,
        topic=chosen,
        question=question_text[: handovers.MAX_QUESTION],
        language=ctx.lang,
        now=ctx.now,
        due=due,
    )
    held_text.release(ctx.channel, ctx.external_id)
    handover = await handovers.get(ctx.tx, handover_id)
    assert handover is not None
    told = await handover_relay.question_opened(
        ctx.tx, handover, ctx.translators, ctx.default_language, ctx.now
    )
    if not told:
        # Nobody answers for this area (no coordinator, no administrator): promise no answer.
        # The question stays open, so whoever is added for the area later finds it.
        text = _(
            "I have saved your question. But in your area no carer support adviser answers "
            "through this chat yet. So I cannot say when you will get an answer."
        )
        return goto("menu.main", Reply(text + "\n\n" + await phone_numbers(ctx)))
    text = _(
        "Sent. A carer support adviser will answer you within {days} working days, so by "
        "{date} at the latest. The answer comes in this chat."
    ).format(days=ctx.t.format_number(ANSWER_WORKING_DAYS), date=ctx.t.format_date(due))
    if closed:
        text += "\n\n" + _(
            "It is outside office hours now. An adviser reads your question from {when}."
        ).format(when=ctx.t.format_datetime(hours.next_opening(ctx.now)))
    return goto("menu.main", Reply(text))


async def ask_edit(ctx: Context) -> Reply:
    _ = ctx._
    return Reply(
        _("What do you want to change?"),
        (
            Choice("topic", _("The topic")),
            Choice("question", _("The question")),
            Choice("cancel", _("Cancel")),
        ),
    )


@step("consult.edit", ask=ask_edit)
async def edit(ctx: Context, msg: Incoming) -> Turn:
    _ = ctx._
    if msg.choice == "topic":
        return goto("consult.topic", data=_draft(ctx))
    if msg.choice == "question":
        held_text.release(ctx.channel, ctx.external_id)
        return goto("consult.question", data={"topic": ctx.data.get("topic", "other")})
    if msg.choice == "cancel":
        held_text.release(ctx.channel, ctx.external_id)
        return goto("menu.main", Reply(_("OK, I did not send anything. Your question is gone.")))
    return not_understood()
