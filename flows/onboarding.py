"""First contact: who the bot is, what it stores, consent, and where the carer lives."""

from __future__ import annotations

import re

from flows.engine import (
    N_,
    Choice,
    Context,
    Incoming,
    Reply,
    Turn,
    command,
    goto,
    menu_entry,
    not_understood,
    step,
)
from store import areas

menu_entry("postcode", N_("Change my postcode"), "onboarding.postcode", order=80)

_POSTCODE = re.compile(r"^([1-9][0-9]{3})\s*([a-zA-Z]{2})?$")


def parse_postcode(text: str) -> int | None:
    """`1055 AB`, `1055ab` or `1055` → 1055. Only the four digits are ever used."""
    match = _POSTCODE.match(text.strip())
    return int(match.group(1)) if match else None


async def ask_welcome(ctx: Context) -> list[Reply]:
    _ = ctx._
    other = Choice("lang:en", "English") if ctx.lang == "nl" else Choice("lang:nl", "Nederlands")
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
                "time with /mijngegevens and /vergeetmij."
            )
            + "\n\n"
            + _("Is it OK that I store this?"),
            (
                Choice("yes", _("Yes, that is fine")),
                Choice("no", _("No, store nothing")),
                other,
            ),
        ),
    ]


@step("onboarding.welcome", ask=ask_welcome)
async def welcome(ctx: Context, msg: Incoming) -> Turn:
    _ = ctx._
    if msg.choice in ("lang:nl", "lang:en"):
        await ctx.set_language(msg.choice.removeprefix("lang:"))
        return goto("onboarding.welcome")
    if msg.choice == "yes":
        await ctx.give_consent()
        return goto(
            "onboarding.postcode", Reply(_("Thank you. You can change your mind at any time."))
        )
    if msg.choice == "no":
        return goto(
            "onboarding.postcode",
            Reply(_("That is fine. I store nothing about you. You can still look for help.")),
        )
    return not_understood()


async def ask_postcode(ctx: Context) -> Reply:
    _ = ctx._
    return Reply(
        _("Where do you live? Type your postcode, for example 1055 AB.")
        + "\n"
        + _("I only use it to find help in your district."),
        (Choice("skip", _("Skip")),),
    )


@step("onboarding.postcode", ask=ask_postcode)
async def postcode(ctx: Context, msg: Incoming) -> Turn:
    _ = ctx._
    if msg.choice == "skip":
        await ctx.set_home_area(None)
        return goto("menu.main", Reply(_("OK. I will show you help for the whole country.")))
    pc4 = parse_postcode(msg.text or "")
    if pc4 is None:
        return goto("onboarding.postcode", Reply(_("Sorry, that is not a postcode.")))
    area = await areas.for_postcode(ctx.tx, pc4)
    if area is None:
        await ctx.set_home_area(areas.ROOT)
        return goto(
            "menu.main",
            Reply(
                _(
                    "I do not have local help for {postcode} yet. I will show you national help."
                ).format(postcode=pc4)
            ),
        )
    await ctx.set_home_area(area.code)
    return goto("menu.main", Reply(_("Thank you. You live in {area}.").format(area=area.name)))


@command("/start")
async def start(ctx: Context, msg: Incoming) -> Turn:
    if ctx.consented:
        return goto("menu.main", Reply(ctx._("Welcome back!")))
    return goto("onboarding.welcome")
