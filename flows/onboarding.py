"""First contact: who the bot is, what it stores, and consent. Where the carer and their naaste
live is asked next, in flows/places.py."""

from __future__ import annotations

from flows.engine import (
    FIRST_STEP,
    LANGUAGE_STEP,
    Choice,
    Context,
    Incoming,
    Reply,
    Turn,
    command,
    goto,
    not_understood,
    step,
)
from flows.language import LANGUAGE_NAMES, ask_choose, chosen_language
from flows.places import first_time


async def ask_welcome(ctx: Context) -> list[Reply]:
    _ = ctx._
    others = tuple(
        Choice(f"lang:{code}", LANGUAGE_NAMES[code]) for code in ctx.languages if code != ctx.lang
    )
    return [
        Reply(
            _(
                "Hello! I am Mantelbot, a chat bot for people who care for someone close to them. "
                "I am a bot, not a care professional. I help you find support near you."
            )
        ),
        Reply(
            _(
                "To help you better, I store your language, your district and your answers. "
                "I never store your postcode or your name. You can see or erase your data at any "
                "time with /mydata and /forgetme."
            )
            + "\n\n"
            + _("Is it OK that I store this?"),
            (Choice("yes", _("Yes, that is fine")), Choice("no", _("No, store nothing")), *others),
        ),
    ]


@step("onboarding.welcome", ask=ask_welcome, durable=True)
async def welcome(ctx: Context, msg: Incoming) -> Turn:
    _ = ctx._
    if msg.choice in ("lang:nl", "lang:en"):
        await ctx.set_language(msg.choice.removeprefix("lang:"))
        return goto(FIRST_STEP)
    if msg.choice == "yes":
        await ctx.give_consent()
        return goto(
            "onboarding.postcode",
            Reply(_("Thank you. You can change your mind at any time.")),
            data=first_time(),
        )
    if msg.choice == "no":
        return goto(
            "onboarding.postcode",
            Reply(_("That is fine. I store nothing about you. You can still look for help.")),
            data=first_time(),
        )
    return not_understood()


@step(LANGUAGE_STEP, ask=ask_choose)
async def first_language(ctx: Context, msg: Incoming) -> Turn:
    """First contact on a channel that tells no language (Signal): the language, then welcome."""
    chosen = chosen_language(ctx, msg)
    if chosen is None:
        return not_understood()
    await ctx.set_language(chosen)
    return goto(FIRST_STEP)


@command("/start")
async def start(ctx: Context, msg: Incoming) -> Turn:
    if ctx.consented:
        return goto("menu.main", Reply(ctx._("Welcome back!")))
    return goto(FIRST_STEP)
