"""The main menu, and the commands that bring a user back to it or pause the conversation."""

from __future__ import annotations

from flows.engine import (
    FIRST_STEP,
    MAIN_MENU,
    STEPS,
    Choice,
    Context,
    Incoming,
    Reply,
    Turn,
    command,
    global_choice,
    goto,
    not_understood,
    step,
)


async def ask_main(ctx: Context) -> Reply:
    _ = ctx._
    doors = tuple(Choice(entry.key, _(entry.label)) for entry in MAIN_MENU)
    return Reply(
        _("What would you like to do?"),
        doors + (Choice("crisis", _("I need help right now")),),
    )


@step("menu.main", ask=ask_main)
async def main(ctx: Context, msg: Incoming) -> Turn:
    for entry in MAIN_MENU:
        if msg.choice == entry.key:
            return goto(entry.step)
    return not_understood()


@command("/menu")
@global_choice("menu")
async def show_menu(ctx: Context, msg: Incoming) -> Turn:
    if ctx.step is None and not ctx.consented:
        return goto(FIRST_STEP)
    return goto("menu.main")


@global_choice("resume")
async def resume(ctx: Context, msg: Incoming) -> Turn:
    """Ask the current question again (after the helplines, or when a channel reconnects)."""
    if ctx.step is None or ctx.step not in STEPS:
        # No state (new, or expired): a user who consented goes on at the main menu.
        return goto("menu.main" if ctx.consented else FIRST_STEP)
    return goto(ctx.step, data=ctx.data)


async def ask_paused(ctx: Context) -> Reply:
    return Reply(ctx._("OK, we stop here. Send /menu or any message when you want to go on."))


@step("menu.paused", ask=ask_paused, back=False)
async def paused(ctx: Context, msg: Incoming) -> Turn:
    return goto("menu.main")
