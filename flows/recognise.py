"""Recognise yourself (Vinden): many carers don't call themselves mantelzorger. Three short
questions, then a clear answer: you are a mantelzorger and there is help for you, or a kind one.
The answers stay in the step data: nothing is stored."""

from __future__ import annotations

from flows import find_help
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

menu_entry("am_i", N_("Am I a carer?"), "recognise.cares", order=5)


async def ask_cares(ctx: Context) -> Reply:
    _ = ctx._
    return Reply(
        _("Let's find out together, with three short questions.")
        + "\n\n"
        + _(
            "Do you often care for someone who is ill, has a disability or is getting old? "
            "For example your partner, a parent, your child, a friend or a neighbour."
        ),
        (
            Choice("yes", _("Yes")),
            Choice("sometimes", _("Sometimes")),
            Choice("no", _("No")),
        ),
    )


@step("recognise.cares", ask=ask_cares)
async def cares(ctx: Context, msg: Incoming) -> Turn:
    if msg.choice == "no":
        return goto("recognise.result", data={"result": "no"})
    if msg.choice in ("yes", "sometimes"):
        return goto("recognise.often", data={"cares": msg.choice})
    return not_understood()


async def ask_often(ctx: Context) -> Reply:
    _ = ctx._
    return Reply(
        _("How often do you help?"),
        (
            Choice("daily", _("(Almost) every day")),
            Choice("weekly", _("Every week")),
            Choice("rarely", _("Now and then")),
        ),
    )


@step("recognise.often", ask=ask_often)
async def often(ctx: Context, msg: Incoming) -> Turn:
    if msg.choice in ("daily", "weekly", "rarely"):
        return goto("recognise.more", data=ctx.data | {"often": msg.choice})
    return not_understood()


async def ask_more(ctx: Context) -> Reply:
    _ = ctx._
    return Reply(
        _(
            "Is it more than the normal help people who are close give each other? "
            "For example help with washing or dressing, medicines, arranging care, "
            "or being there a lot, also at night. Or has it gone on for a long time?"
        ),
        (
            Choice("yes", _("Yes, it is more")),
            Choice("no", _("No, it is normal help")),
            Choice("unsure", _("I don't know")),
        ),
    )


def outcome(often: str, more: str) -> str:
    """ "yes": a mantelzorger; "maybe": not (yet); a carer who is unsure but helps often is one."""
    if more == "yes" or (more == "unsure" and often in ("daily", "weekly")):
        return "yes"
    return "maybe"


@step("recognise.more", ask=ask_more)
async def more(ctx: Context, msg: Incoming) -> Turn:
    if msg.choice in ("yes", "no", "unsure"):
        result = outcome(str(ctx.data.get("often")), msg.choice)
        return goto("recognise.result", data={"result": result})
    return not_understood()


async def ask_result(ctx: Context) -> Reply:
    _ = ctx._
    result = ctx.data.get("result")
    if result == "yes":
        return Reply(
            _("Then you are a mantelzorger: someone who cares for a person close to them.")
            + "\n\n"
            + _(
                "Many people who care for someone don't call themselves that. But it matters, "
                "because there is help for you. For example advice, time off (respite care) and "
                "contact with other carers. What you do is valuable, and you don't have to do it "
                "alone."
            ),
            (
                Choice("profile", _("Tell me about my situation")),
                Choice("find", _("Find help near me")),
                Choice("info", _("Your rights and information")),
                Choice("menu", _("Main menu")),
            ),
        )
    if result == "maybe":
        return Reply(
            _(
                "What you do is valuable. Maybe it is not mantelzorg (yet): some help is normal "
                "between people who are close. But when the care gets heavier or goes on for a "
                "long time, you are a mantelzorger. There is help for you then, and you can "
                "already read about it now."
            ),
            (
                Choice("page", _("What is mantelzorg?")),
                Choice("find", _("Find help near me")),
                Choice("menu", _("Main menu")),
            ),
        )
    return Reply(
        _(
            "Then you are probably not a mantelzorger right now. Good that you checked! "
            "If someone close to you needs more care later, come back: there is help for you then."
        ),
        (
            Choice("page", _("What is mantelzorg?")),
            Choice("menu", _("Main menu")),
        ),
    )


@step("recognise.result", ask=ask_result)
async def result(ctx: Context, msg: Incoming) -> Turn:
    targets = {
        "profile": ("profile.offer", None),
        "find": (find_help.DOORS_STEP, None),
        "info": ("info.topics", None),
        "page": ("info.page", {"page": "mantelzorg", "screen": 0}),
    }
    if msg.choice in targets:
        target, data = targets[msg.choice]
        return goto(target, data=data)
    return not_understood()
