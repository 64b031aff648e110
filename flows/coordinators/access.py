"""Who may do what on the coordinators' side: the one place every coordinator step goes through.

A coordinator step is registered with `coordinator_step` (or a command with `coordinator_command`)
instead of the engine's `step`/`command`. Before its question is asked and before every answer,
including every button press, the user's internal id is looked up in `coordinators`; a carer, or
a coordinator who lost the role, gets a polite refusal and nothing changes. The step itself gets
the `Coordinator` as an argument, so it cannot run without one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from flows.engine import (
    FIRST_STEP,
    HOME_STEP,
    N_,
    STEPS,
    AnswerFn,
    Choice,
    Context,
    Incoming,
    Reply,
    Turn,
    command,
    global_prefix,
    step,
)
from store import coordinators
from store.coordinators import Coordinator

CoordinatorAsk = Callable[[Context, Coordinator], Awaitable[Reply | list[Reply]]]
CoordinatorAnswer = Callable[[Context, Incoming, Coordinator], Awaitable[Turn]]

COORDINATOR_STEPS: set[str] = set()


@dataclass(frozen=True)
class BeheerEntry:
    key: str
    label: str  # an N_() msgid
    step: str
    order: int
    admin_only: bool = False


BEHEER_MENU: list[BeheerEntry] = []  # modules add their doors with beheer_entry()


def beheer_entry(
    key: str, label: str, step_name: str, order: int, admin_only: bool = False
) -> None:
    """Put a door to `step_name` in the /beheer menu; lower `order` comes first."""
    BEHEER_MENU.append(BeheerEntry(key, label, step_name, order, admin_only))
    BEHEER_MENU.sort(key=lambda entry: entry.order)


async def authorise(ctx: Context, *, admin: bool = False) -> Coordinator | None:
    """The coordinator behind this message, by internal user id; None when they may not act."""
    if ctx.user is None:
        return None
    me = await coordinators.get(ctx.tx, ctx.user.id)
    if me is None or (admin and not me.is_admin):
        return None
    return me


REFUSAL = N_(
    "Sorry, this is only for staff of a carer support organisation. Nothing has changed. "
    "Send /menu to see what I can do for you."
)


def refuse(ctx: Context, text: str | None = None, *, coordinator: bool = False) -> Turn:
    """Say no (`text`, or the standard refusal), and ask the current question again: the user's
    state stays exactly as it was. Someone who is not (or no longer) a coordinator is not left
    in a coordinator step; a `coordinator` refused one action stays where they are."""
    reply = Reply(text or ctx._(REFUSAL))
    if ctx.step in STEPS and (coordinator or ctx.step not in COORDINATOR_STEPS):
        return Turn([reply], next=ctx.step, data=ctx.data)
    return Turn([reply], next=HOME_STEP if ctx.step else FIRST_STEP)


def _guarded(answer: CoordinatorAnswer, *, admin: bool = False) -> AnswerFn:
    """The engine's answer for `answer`: it runs only for a coordinator (or an admin); anyone
    else is refused and nothing changes."""

    async def guarded(ctx: Context, msg: Incoming) -> Turn:
        me = await authorise(ctx, admin=admin)
        if me is None:
            return refuse(ctx)
        return await answer(ctx, msg, me)

    return guarded


def coordinator_step(
    name: str, ask: CoordinatorAsk, *, admin: bool = False
) -> Callable[[CoordinatorAnswer], CoordinatorAnswer]:
    """Register a step that only coordinators (or only admins) may see and answer."""
    COORDINATOR_STEPS.add(name)

    async def guarded_ask(ctx: Context) -> Reply | list[Reply]:
        me = await authorise(ctx, admin=admin)
        if me is None:
            return Reply(ctx._(REFUSAL), (Choice("menu", ctx._("Main menu")),))
        return await ask(ctx, me)

    def register(answer: CoordinatorAnswer) -> CoordinatorAnswer:
        step(name, guarded_ask)(_guarded(answer, admin=admin))
        return answer

    return register


def coordinator_command(
    *names: str, admin: bool = False
) -> Callable[[CoordinatorAnswer], CoordinatorAnswer]:
    """Register a command (e.g. /beheer) that only coordinators may use."""

    def register(handler: CoordinatorAnswer) -> CoordinatorAnswer:
        command(*names)(_guarded(handler, admin=admin))
        return handler

    return register


def coordinator_choice(prefix: str) -> Callable[[CoordinatorAnswer], CoordinatorAnswer]:
    """Register buttons `prefix…` that work from any step (on messages the bot sent on its own),
    for coordinators only: a carer who replays one is refused and nothing changes."""

    def register(handler: CoordinatorAnswer) -> CoordinatorAnswer:
        global_prefix(prefix)(_guarded(handler))
        return handler

    return register


async def scope(ctx: Context, me: Coordinator) -> set[str] | None:
    """The area codes the coordinator may act on (their areas and below); None: all (admin)."""
    return await coordinators.scope(ctx.tx, me)
