"""My data and settings: where I live, where my naaste lives, my profile, language, my data,
and consent (give it, or withdraw it: that erases everything)."""

from __future__ import annotations

from flows import erasure, places
from flows.engine import (
    N_,
    STEPS,
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

menu_entry("settings", N_("My data and settings"), "settings.main", order=70)


async def ask_main(ctx: Context) -> Reply:
    _ = ctx._
    choices = [
        Choice("home", _("Where I live")),
        Choice("care", _("Home of the person I care for")),
        Choice("profile", _("My situation (profile)")),
        Choice("language", _("Language")),
        Choice("mydata", _("See my data")),
        Choice("erase", _("Erase my data")),
    ]
    if ctx.consented:
        choices.append(Choice("withdraw", _("Withdraw my consent")))
        status = _("You gave consent: I store your answers.")
    else:
        if not erasure.is_young(ctx):
            choices.append(Choice("consent", _("Store my answers")))
        status = _("You did not give consent: I store nothing about you.")
    choices.append(Choice("menu", _("Main menu")))
    return Reply(_("Your data and settings.") + " " + status, tuple(choices))


@step("settings.main", ask=ask_main)
async def main(ctx: Context, msg: Incoming) -> Turn:
    targets = {
        # Asked on their own, then back to the settings (not on through the onboarding).
        "home": (places.HOME_POSTCODE_STEP, places.single_question("settings.main")),
        "care": (places.CARE_POSTCODE_STEP, places.single_question("settings.main")),
        "profile": ("profile.offer", None),
        "language": ("language.choose", {"then": "settings.main"}),
        "mydata": ("mydata.show", None),
        "erase": ("mydata.erase", None),
        "withdraw": ("mydata.erase", {"withdraw": True}),
        "consent": ("settings.consent", None),
    }
    if msg.choice in targets:
        target, data = targets[msg.choice]
        if target in STEPS:
            return goto(target, data=data)
    return not_understood()


async def ask_consent(ctx: Context) -> Reply:
    _ = ctx._
    if erasure.is_young(ctx):
        return Reply(
            _(
                "Because you are under 16, I do not store anything about you. You can still "
                "read everything and find help."
            ),
            (Choice("menu", _("Main menu")),),
        )
    if ctx.consented:
        return Reply(
            _("You have already given consent."), (Choice("settings", _("My data and settings")),)
        )
    return Reply(
        _(
            "If you say yes, I store your language, your district and your answers. Then I can "
            "help you better, and we can go on later. I never store your postcode or your name. "
            "You can see or erase your data at any time with /mydata and /forgetme."
        )
        + "\n\n"
        + _("Is it OK that I store this?"),
        (Choice("yes", _("Yes, that is fine")), Choice("no", _("No, store nothing"))),
    )


@step("settings.consent", ask=ask_consent, durable=True)
async def consent(ctx: Context, msg: Incoming) -> Turn:
    _ = ctx._
    if msg.choice == "settings":
        return goto("settings.main")
    if msg.choice == "yes" and not erasure.is_young(ctx):
        await ctx.give_consent()
        return goto("settings.main", Reply(_("Thank you. You can change your mind at any time.")))
    if msg.choice == "no":
        return goto("settings.main", Reply(_("That is fine. I store nothing about you.")))
    return not_understood()
