"""/taal and /language: switch between Dutch and English, stored on the user or in memory."""

from __future__ import annotations

from flows.engine import (
    N_,
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

# Each language by its own name, so everyone finds theirs.
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}
RETURN_STEPS = ("settings.main",)  # where the choice may lead back to; else the main menu
QUESTION = N_("Which language do you want?")


@command("/taal", "/language")
async def language_command(ctx: Context, msg: Incoming) -> Turn:
    return goto("language.choose")


async def ask_choose(ctx: Context) -> Reply:
    # The question in every language, the current one first, so everyone can read it.
    codes = [ctx.lang, *(code for code in ctx.languages if code != ctx.lang)]
    return Reply(
        " / ".join(ctx.translators(code).gettext(QUESTION) for code in codes),
        tuple(Choice(f"lang:{code}", LANGUAGE_NAMES.get(code, code)) for code in ctx.languages),
    )


def chosen_language(ctx: Context, msg: Incoming) -> str | None:
    """The language a `lang:xx` choice picks, or None."""
    chosen = (msg.choice or "").removeprefix("lang:")
    if (msg.choice or "").startswith("lang:") and chosen in ctx.languages:
        return chosen
    return None


@step("language.choose", ask=ask_choose)
async def choose(ctx: Context, msg: Incoming) -> Turn:
    chosen = chosen_language(ctx, msg)
    if chosen is None:
        return not_understood()
    await ctx.set_language(chosen)  # from here on ctx._ speaks the new language
    then = ctx.data.get("then")
    return goto(
        then if then in RETURN_STEPS else "menu.main",
        Reply(ctx._("OK, from now on I speak English with you.")),
    )
