"""Verlichten: a short burden check (the EDIZ, Ervaren Druk door Informele Zorg; content/ediz.md),
then routing to help by band (flows/bands.py).

Nine statements about the past weeks, one at a time, five answers each. "More or less", "Yes" and
"Yes!" score 1: a total of 0-9. Step data holds only the running total, never the separate
answers, and the statements stay out of the "back" history (a running total per statement there
would show every answer): "Back" during the check starts it again. After consent the total is kept
with the time the check started (store/burden.py), to show the change next time.
"""

from __future__ import annotations

from datetime import datetime

from flows import find_help
from flows.bands import BANDS, HANDOVER, band_for
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
    step,
)
from store import burden

INTRO_STEP = "burden.intro"
RESULT_STEP = "burden.result"

menu_entry("check", N_("How are you doing?"), INTRO_STEP, order=10)

# The Dutch catalogue has the EDIZ wording exactly; these msgids are faithful translations.
STATEMENTS = (
    N_("Due to the situation of the person I care for, I have too little time for my own life."),
    N_(
        "Combining the responsibility for the person I care for with the responsibility for my "
        "work and/or family is not easy."
    ),
    N_("Because I am so involved with the person I care for, I let other people down."),
    N_("I always have to be ready for the person I care for."),
    N_("My independence is getting squeezed."),
    N_("The situation of the person I care for demands my attention all the time."),
    N_(
        "Because I am so involved with the person I care for, I get into conflicts at home "
        "and/or at work."
    ),
    N_("The situation of the person I care for never lets go of me."),
    N_(
        "All in all, I feel under a lot of pressure because of the situation of the person I "
        "care for."
    ),
)
# The five answers, in order; the last three score 1.
ANSWERS = (N_("No!"), N_("No"), N_("More or less"), N_("Yes"), N_("Yes!"))
SCORES = (0, 0, 1, 1, 1)
QUESTIONS = len(STATEMENTS)


def question_step(number: int) -> str:
    return f"burden.q{number}"


async def ask_intro(ctx: Context) -> Reply:
    _ = ctx._
    if ctx.consented:
        kept = _(
            "I keep only your total score and the date. Then next time you can see what "
            "changed. I do not keep your separate answers."
        )
    else:
        # Not "you chose": an under-16 did not choose it (flows/erasure.py).
        kept = _("I store nothing about you, so I will not keep your score either.")
    return Reply(
        _("How are you doing? Let us look at how much pressure you feel from caring.")
        + "\n\n"
        + _(
            "You get {count} short statements about the past weeks. For each one, you say how "
            "much it fits you. It takes about two minutes."
        ).format(count=QUESTIONS)
        + "\n\n"
        + _(
            "'No!' means: not at all. 'Yes!' means: very much so. If you make a mistake, "
            "choose 'Back' to start again."
        )
        + "\n\n"
        + _("This is a check, not a diagnosis. It helps me find support that suits you.")
        + "\n"
        + kept,
        (Choice("start", _("Start")), Choice("menu", _("Not now"))),
    )


@step(INTRO_STEP, ask=ask_intro)
async def intro(ctx: Context, msg: Incoming) -> Turn:
    if msg.choice == "start":
        started = ctx.now.isoformat(timespec="seconds")
        return goto(question_step(1), data={"score": 0, "started": started})
    return not_understood()


def _answer_index(ctx: Context, number: int, msg: Incoming) -> int | None:
    """The answer picked with a button (`ediz:3:4`) or typed as its label ("ja", "Min of meer")."""
    if msg.choice:
        prefix = f"ediz:{number}:"
        value = msg.choice.removeprefix(prefix)
        if msg.choice.startswith(prefix) and value.isdigit() and int(value) < len(ANSWERS):
            return int(value)
        return None
    typed = " ".join((msg.text or "").split()).casefold()
    for lang_t in (ctx.t, ctx.translators("nl"), ctx.translators("en")):
        for i, label in enumerate(ANSWERS):
            if typed == lang_t.gettext(label).casefold():
                return i
    return None


def _make_question(number: int):
    async def ask(ctx: Context) -> Reply:
        _ = ctx._
        return Reply(
            _("Question {number} of {total}").format(number=number, total=QUESTIONS)
            + "\n"
            + _("Think of the past weeks.")
            + "\n\n"
            + _(STATEMENTS[number - 1]),
            tuple(Choice(f"ediz:{number}:{i}", _(label)) for i, label in enumerate(ANSWERS)),
        )

    async def answer(ctx: Context, msg: Incoming) -> Turn:
        index = _answer_index(ctx, number, msg)
        if index is None:
            return not_understood()
        score = int(ctx.data.get("score", 0)) + SCORES[index]
        if number < QUESTIONS:
            # Not remembered for "back": the history would keep the total after each answer.
            return Turn(
                next=question_step(number + 1), data=ctx.data | {"score": score}, remember=False
            )
        return await _finish(ctx, score)

    step(question_step(number), ask=ask)(answer)


for _number in range(1, QUESTIONS + 1):
    _make_question(_number)


async def _finish(ctx: Context, score: int) -> Turn:
    """Keep the score (with consent) and show the result with the change since last time."""
    score = max(0, min(score, QUESTIONS))
    data: dict = {"score": score}
    if ctx.user:
        try:
            started = datetime.fromisoformat(ctx.data["started"])
        except (KeyError, TypeError, ValueError):
            started = ctx.now
        previous = await burden.latest_before(ctx.tx, ctx.user.id, started)
        await burden.save(ctx.tx, ctx.user.id, score, started)
        data["saved"] = True
        if previous:
            data["previous"] = previous.score
            data["previous_at"] = previous.taken_at.isoformat()
    return Turn(next=RESULT_STEP, data=data, remember=False)


def _meaning(ctx: Context, band: str) -> str:
    _ = ctx._
    if band == "high":
        return _(
            "Caring weighs heavily on you right now. You do not have to do this alone. There is "
            "help that takes some of the load off you. Talking to someone also helps."
        )
    if band == "medium":
        return _(
            "Caring weighs on you. It helps to get support early, before it gets too much. "
            "For example a course, other carers to talk to, or practical help."
        )
    return _(
        "You feel little pressure from caring right now. That is good to hear. Keep looking "
        "after yourself. Here is some information and appreciation for carers."
    )


def _change(ctx: Context) -> str:
    _ = ctx._
    if not ctx.data.get("saved"):
        return _("I did not keep your score, because I store nothing about you.")
    if "previous" not in ctx.data:
        return _("I have kept your score with today's date. Next time you can see what changed.")
    when = datetime.fromisoformat(ctx.data["previous_at"])
    return _("Last time, on {date}, your score was {previous}. Now it is {score}.").format(
        date=ctx.t.format_date(when), previous=ctx.data["previous"], score=ctx.data["score"]
    )


async def ask_result(ctx: Context) -> list[Reply]:
    _ = ctx._
    score = int(ctx.data.get("score", 0))
    band = band_for(score)
    level = {"low": _("low"), "medium": _("medium"), "high": _("high")}[band.name]
    text = (
        _("Your score is {score} out of {total}. That is {level}.").format(
            score=score, total=QUESTIONS, level=level
        )
        + "\n"
        + _meaning(ctx, band.name)
        + "\n\n"
        + _change(ctx)
        + "\n\n"
        + _("Remember: this is a check, not a diagnosis.")
    )
    choices = tuple(
        Choice(HANDOVER, _("Ask a carer support adviser"))
        if name == HANDOVER
        else find_help.door_choice(ctx, name)
        for name in band.doors
    )
    if band.name == BANDS[-1].name:
        choices += (Choice("crisis", _("I need help right now")),)
    if ctx.consented:  # offered, never set without asking
        choices += (Choice("checkin", _("Ask me again later")),)
    choices += (Choice("menu", _("Main menu")),)
    return [Reply(text), Reply(_("What would help you now?"), choices)]


@step(RESULT_STEP, ask=ask_result)
async def result(ctx: Context, msg: Incoming) -> Turn:
    if msg.choice == HANDOVER:
        return goto("consult.start")
    if msg.choice == "checkin":
        band = band_for(int(ctx.data.get("score", 0))).name
        return goto("reminders.checkin", data={"band": band})
    name = find_help.door_from_key(msg.choice)
    return await find_help.open_door(ctx, name) if name else not_understood()
