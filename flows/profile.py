"""A short profile of the carer's situation: six questions, each one can be skipped.

With consent the answers are columns on `users`; without consent they stay in memory
(`ctx.session.profile`). Someone under 16 is never stored: what was stored is erased, and they go
on with information and help for young carers.
"""

from __future__ import annotations

from flows import erasure, find_help
from flows.engine import (
    N_,
    Choice,
    Context,
    Incoming,
    Reply,
    Turn,
    goto,
    not_understood,
    step,
)
from store import profile as profile_store
from store import users
from store.profile import OPTIONS, UNDER_16

FIELDS = users.PROFILE_FIELDS

QUESTIONS = {
    "relation": N_("Who do you care for?"),
    "situation": N_("What is going on with them? Choose what fits best."),
    "hours_band": N_("About how many hours a week do you spend on care?"),
    "duration_band": N_("How long have you been doing this?"),
    "work": N_("Do you also work or study?"),
    "age_band": N_("How old are you?"),
}
# What a question is about, for the overview ("Who you care for: my partner").
TOPICS = {
    "relation": N_("Who you care for"),
    "situation": N_("Their situation"),
    "hours_band": N_("Hours a week"),
    "duration_band": N_("How long already"),
    "work": N_("Work or study"),
    "age_band": N_("Your age"),
}
LABELS = {
    "relation": {
        "partner": N_("My partner"),
        "parent": N_("My father or mother"),
        "child": N_("My child"),
        "family": N_("Another family member"),
        "friend": N_("A friend or neighbour"),
    },
    "situation": {
        "dementia": N_("Dementia"),
        "physical": N_("A physical illness"),
        "mental_health": N_("Mental health problems"),
        "disability": N_("A disability"),
        "old_age": N_("Getting old"),
        "other": N_("Something else"),
    },
    "hours_band": {
        "lt4": N_("Less than 4 hours"),
        "4_8": N_("4 to 8 hours"),
        "8_20": N_("8 to 20 hours"),
        "gt20": N_("More than 20 hours"),
    },
    "duration_band": {
        "lt3m": N_("Less than 3 months"),
        "3_12m": N_("3 months to a year"),
        "1_5y": N_("1 to 5 years"),
        "gt5y": N_("More than 5 years"),
    },
    "work": {
        "work": N_("I work"),
        "study": N_("I study"),
        "both": N_("I work and study"),
        "none": N_("Neither"),
    },
    "age_band": {
        "under_16": N_("Under 16"),
        "16_24": N_("16 to 24"),
        "25_49": N_("25 to 49"),
        "50_64": N_("50 to 64"),
        "65_plus": N_("65 or older"),
    },
}
assert all(tuple(LABELS[f]) == OPTIONS[f] for f in FIELDS)


def values(ctx: Context) -> dict[str, str]:
    """The answers given so far (stored, or in memory without consent)."""
    if ctx.user:
        return {f: getattr(ctx.user, f) for f in FIELDS if getattr(ctx.user, f)}
    return {f: v for f, v in ctx.session.profile.items() if f in FIELDS and v}


def overview_lines(ctx: Context) -> list[str]:
    """ "• Who you care for: My partner", one line per answer given."""
    _ = ctx._
    return [
        f"• {_(TOPICS[f])}: {_(LABELS[f][v])}" for f, v in values(ctx).items() if v in LABELS[f]
    ]


async def _save(ctx: Context, field: str, value: str | None) -> None:
    if ctx.user:
        await profile_store.set_answer(ctx.tx, ctx.user.id, field, value)
        ctx.user = await users.get(ctx.tx, ctx.channel, ctx.external_id)
    elif value is None:
        ctx.session.profile.pop(field, None)
    else:
        ctx.session.profile[field] = value


# --- the offer ------------------------------------------------------------------------------


async def ask_offer(ctx: Context) -> Reply:
    _ = ctx._
    if ctx.consented:
        storing = _("I store your answers. You can see or erase them at any time.")
    else:
        storing = _("You did not give consent for storing, so I keep your answers only in memory.")
    return Reply(
        _(
            "May I ask you six short questions about your situation? "
            "Then I can find help that fits you better. You can skip every question."
        )
        + "\n\n"
        + storing,
        (Choice("start", _("Yes, ask the questions")), Choice("menu", _("Not now"))),
    )


@step("profile.offer", ask=ask_offer)
async def offer(ctx: Context, msg: Incoming) -> Turn:
    if msg.choice == "start":
        return goto(f"profile.{FIELDS[0]}")
    return not_understood()


# --- the questions --------------------------------------------------------------------------


def _ask_for(field: str):
    async def ask(ctx: Context) -> Reply:
        _ = ctx._
        number = FIELDS.index(field) + 1
        text = _("Question {number} of {total}").format(number=number, total=len(FIELDS))
        text += "\n" + _(QUESTIONS[field])
        current = values(ctx).get(field)
        choices = [Choice(f"v:{v}", _(label)) for v, label in LABELS[field].items()]
        if current:
            text += "\n" + _("Your answer now: {answer}").format(answer=_(LABELS[field][current]))
            choices.append(Choice("clear", _("Remove my answer")))
        choices += [Choice("skip", _("Skip")), Choice("stop", _("Stop the questions"))]
        return Reply(text, tuple(choices))

    return ask


def _answer_for(field: str):
    async def answer(ctx: Context, msg: Incoming) -> Turn:
        index = FIELDS.index(field)
        following = f"profile.{FIELDS[index + 1]}" if index + 1 < len(FIELDS) else "profile.done"
        chosen = (msg.choice or "").removeprefix("v:")
        if msg.choice == "stop":
            return goto("profile.done")
        if msg.choice == "skip":
            return goto(following)
        if msg.choice == "clear":
            await _save(ctx, field, None)
            return goto(following)
        if not (msg.choice or "").startswith("v:") or chosen not in OPTIONS[field]:
            return not_understood()
        if field == "age_band" and chosen == UNDER_16:
            erased = await erasure.forget(ctx, keep_in_memory=True)
            ctx.session.profile["age_band"] = UNDER_16
            return goto("profile.young", data={"erased": erased})
        await _save(ctx, field, chosen)
        return goto(following)

    return answer


for _field in FIELDS:
    # Saying "under 16" erases what was stored.
    durable = _field == "age_band"
    step(f"profile.{_field}", ask=_ask_for(_field), durable=durable)(_answer_for(_field))


# --- the end --------------------------------------------------------------------------------


async def ask_done(ctx: Context) -> Reply:
    _ = ctx._
    lines = overview_lines(ctx)
    if lines:
        text = _("Thank you. This is what you told me:") + "\n" + "\n".join(lines)
    else:
        text = _("That is fine. You did not answer any questions.")
    if ctx.consented:
        text += "\n\n" + _("You can change this at any time under 'My data and settings'.")
    else:
        text += "\n\n" + _("I keep this only in memory, during this chat.")
    return Reply(
        text,
        (Choice("find", _("Find help near me")), Choice("menu", _("Main menu"))),
    )


@step("profile.done", ask=ask_done)
async def done(ctx: Context, msg: Incoming) -> Turn:
    if msg.choice == "find":
        return goto(find_help.DOORS_STEP)
    return not_understood()


async def ask_young(ctx: Context) -> Reply:
    _ = ctx._
    text = _(
        "Thank you for telling me. You are young, and you already care for someone. "
        "That is a lot, and it is good that you look for information."
    )
    text += "\n\n" + _(
        "Because you are under 16, I do not store anything about you. For that, your parent "
        "or guardian would have to agree. You can still read everything and find help."
    )
    if ctx.data.get("erased"):
        text += "\n" + _("I have erased everything I had stored about you.")
    text += "\n\n" + _(
        "Many young people care for a parent, a brother or a sister. You are not alone. "
        "Talk about it with someone you trust, for example a teacher or a school social worker."
    )
    return Reply(
        text,
        (
            Choice("read", _("Read about young carers")),
            Choice("help", _("Help for young carers")),
            Choice("menu", _("Main menu")),
        ),
    )


@step("profile.young", ask=ask_young)
async def young(ctx: Context, msg: Incoming) -> Turn:
    if msg.choice == "read":
        return goto("info.page", data={"page": "young_carers", "screen": 0})
    if msg.choice == "help":
        return goto("info.young_help")
    return not_understood()
