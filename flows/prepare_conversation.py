"""Prepare a conversation with care professionals (Verbinden), with the five questions of the
"Schijf van Vijf": what can the naaste still do, which aids, what can family do, what can the
network or other organisations do, and what should the professional do.

The answers live in the step data only. The flow ends in the main menu, which clears the step data
and the "back" history, so no copy is kept after the summary.
"""

from __future__ import annotations

from flows.engine import (
    N_,
    Choice,
    Context,
    Document,
    Incoming,
    Reply,
    Turn,
    goto,
    menu_entry,
    not_understood,
    stay,
    step,
)

MAX_ANSWER = 1000
MAX_REPLY = 4000  # a chat message holds 4096 characters

# (the question as asked, the short heading in the summary)
QUESTIONS = (
    (
        N_(
            "What can the person you care for still do themselves? "
            "Think of washing, eating, walking, arranging things or making choices."
        ),
        N_("What can the person I care for still do?"),
    ),
    (
        N_(
            "Which aids can help? For example a walker, a shower chair, a medicine box with "
            "an alarm, an emergency button or an app."
        ),
        N_("Which aids can help?"),
    ),
    (
        N_(
            "What can family do? What do you do yourself, what do others in the family do, "
            "and what is too much?"
        ),
        N_("What can family do?"),
    ),
    (
        N_(
            "What can others do? Think of friends, neighbours, volunteers, the neighbourhood "
            "or an organisation such as day care."
        ),
        N_("What can friends, neighbours, volunteers or organisations do?"),
    ),
    (
        N_("What should the professional do? What do you need from them?"),
        N_("What should the professional do?"),
    ),
)

menu_entry("prepare", N_("Prepare a care conversation"), "prepare.intro", order=50)


async def ask_intro(ctx: Context) -> Reply:
    _ = ctx._
    return Reply(
        _(
            "Will you soon talk with a care professional? For example the GP, the district "
            "nurse, the municipality (for help at home under the Wmo, the law on support at "
            "home) or a care home. Five questions help you prepare. They come from the 'Schijf "
            "van Vijf', a tool that care workers use too."
        )
        + "\n\n"
        + _(
            "You can skip every question. At the end you get a summary to show or forward. "
            "I do not keep your answers."
        ),
        (Choice("start", _("Start")), Choice("menu", _("Main menu"))),
    )


@step("prepare.intro", ask=ask_intro)
async def intro(ctx: Context, msg: Incoming) -> Turn:
    if msg.choice == "start":
        return goto("prepare.q1", data={"answers": []})
    return not_understood()


def _answers(ctx: Context) -> list[str]:
    answers = ctx.data.get("answers")
    return [str(a) for a in answers] if isinstance(answers, list) else []


def _ask_for(index: int):
    async def ask(ctx: Context) -> Reply:
        _ = ctx._
        heading = _("Question {number} of {total}").format(number=index + 1, total=len(QUESTIONS))
        return Reply(
            f"{heading}\n{_(QUESTIONS[index][0])}\n\n" + _("Type your answer, or skip."),
            (Choice("skip", _("Skip")),),
        )

    return ask


def _answer_for(index: int):
    async def answer(ctx: Context, msg: Incoming) -> Turn:
        _ = ctx._
        if msg.choice == "skip":
            given = ""
        elif msg.choice is None and (msg.text or "").strip():
            given = (msg.text or "").strip()
            if len(given) > MAX_ANSWER:
                return stay(
                    Reply(
                        _("That is a bit long. Please write at most {count} characters.").format(
                            count=ctx.t.format_number(MAX_ANSWER)
                        ),
                        (Choice("skip", _("Skip")),),
                    )
                )
        else:
            return not_understood()
        answers = (_answers(ctx) + [""] * len(QUESTIONS))[:index] + [given]
        if index + 1 < len(QUESTIONS):
            return goto(f"prepare.q{index + 2}", data={"answers": answers})
        return goto("menu.main", *summary(ctx, answers))

    return answer


for _index in range(len(QUESTIONS)):
    step(f"prepare.q{_index + 1}", ask=_ask_for(_index))(_answer_for(_index))


def summary_text(ctx: Context, answers: list[str]) -> str:
    _ = ctx._
    parts = [
        _("Preparation for my conversation with a care professional ({date})").format(
            date=ctx.t.format_date(ctx.now)
        )
    ]
    skipped = _("(not filled in)")
    for (_question, heading), given in zip(QUESTIONS, answers, strict=False):
        parts.append(f"{_(heading)}\n{given or skipped}")
    return "\n\n".join(parts)


def _chunks(text: str, size: int) -> list[str]:
    """Split at blank lines into messages of at most `size` characters."""
    chunks, current = [], ""
    for part in text.split("\n\n"):
        while len(part) > size:  # a single over-long part (cannot happen with MAX_ANSWER)
            chunks.append(part[:size])
            part = part[size:]
        candidate = f"{current}\n\n{part}" if current else part
        if len(candidate) > size:
            chunks.append(current)
            current = part
        else:
            current = candidate
    if current:
        chunks.append(current)
    return chunks


def summary(ctx: Context, answers: list[str]) -> list[Reply]:
    _ = ctx._
    text = summary_text(ctx, answers)
    replies = [Reply(chunk) for chunk in _chunks(text, MAX_REPLY)]
    document = Document(_("conversation-preparation.txt"), text.encode("utf-8"), "text/plain")
    replies.append(
        Reply(
            _(
                "Here it is as a file too. Show it to the care professional, or forward it. "
                "I have not kept your answers."
            ),
            document=document,
        )
    )
    return replies
