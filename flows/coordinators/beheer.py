"""`/beheer`: the coordinators' menu, and becoming a coordinator with an invite code.

Other modules add their doors to the menu with `beheer_entry` (handovers, resources, …).
"""

from __future__ import annotations

from flows.coordinators.access import (
    BEHEER_MENU,
    beheer_entry,
    coordinator_command,
    coordinator_step,
    refuse,
)
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
)
from flows.labels import short_label
from store import areas, coordinators, users
from store.coordinators import Coordinator

MAX_NAME = 60


async def _area_names(ctx: Context, codes: tuple[str, ...]) -> str:
    names = await areas.names(ctx.tx)
    return ", ".join(names.get(code, code) for code in codes)


async def ask_menu(ctx: Context, me: Coordinator) -> Reply:
    _ = ctx._
    who = ", ".join(part for part in (me.name, me.org) if part) or _("coordinator")
    if me.is_admin:
        where = _("You are an administrator: you can manage everything.")
    else:
        where = _("Your areas: {areas}").format(areas=await _area_names(ctx, me.areas) or "-")
    doors = tuple(
        Choice(entry.key, _(entry.label))
        for entry in BEHEER_MENU
        if me.is_admin or not entry.admin_only
    )
    return Reply(
        _("Management ({who})").format(who=who) + "\n" + where,
        doors + (Choice("menu", _("Main menu")),),
    )


@coordinator_step("beheer.menu", ask=ask_menu)
async def menu(ctx: Context, msg: Incoming, me: Coordinator) -> Turn:
    for entry in BEHEER_MENU:
        if msg.choice == entry.key and (me.is_admin or not entry.admin_only):
            return goto(entry.step)
    return not_understood()


@coordinator_command("/beheer", "/manage")
async def open_beheer(ctx: Context, msg: Incoming, me: Coordinator) -> Turn:
    return goto("beheer.menu")


# -- Becoming a coordinator: `/coordinator CODE` -------------------------------------------------


@command("/coordinator")
async def redeem(ctx: Context, msg: Incoming) -> Turn:
    _ = ctx._
    parts = (msg.text or "").split(maxsplit=1)
    code = coordinators.normalise_code(parts[1]) if len(parts) > 1 else ""
    if not code:
        return refuse(ctx, _("Send /coordinator followed by the code you were given."))
    if not await coordinators.invite_valid(ctx.tx, code, ctx.now):
        return refuse(
            ctx,
            _(
                "This code is not valid (any more). A code works once, for 48 hours. "
                "Ask your administrator for a new one. Nothing has changed."
            ),
        )
    # Staff need a stored account to work with; this is their own choice by sending the code.
    user_id = await coordinators.user_for(ctx.tx, ctx.channel, ctx.external_id, ctx.now)
    ctx.user = await users.get(ctx.tx, ctx.channel, ctx.external_id)
    me = await coordinators.redeem_invite(ctx.tx, code, user_id, name="", now=ctx.now)
    if me is None:  # cannot happen inside this transaction, but never half-apply
        raise RuntimeError("invite vanished")
    welcome = Reply(
        _("Welcome! You are now a coordinator for: {areas}.").format(
            areas=await _area_names(ctx, me.areas)
        )
    )
    if not me.name or not me.org:
        return goto("beheer.name", welcome)
    return goto("beheer.menu", welcome)


def _typed_name(msg: Incoming) -> str | None:
    """A first name or an organisation: typed, one line, not too long."""
    text = " ".join((msg.text or "").split())
    return text if msg.choice is None and text and len(text) <= MAX_NAME else None


async def _save_identity(
    ctx: Context, me: Coordinator, *, name: str | None, org: str | None
) -> None:
    """Only the name or the organisation changes; role and areas stay (the audit log shows it)."""
    await coordinators.save(
        ctx.tx,
        me.user_id,
        role=me.role,
        name=name,
        org=org,
        areas=list(me.areas),
        actor=f"user:{me.user_id}",
        now=ctx.now,
    )


async def ask_name(ctx: Context, me: Coordinator) -> Reply:
    return Reply(
        ctx._("What is your first name? Carers see it under your answers, with your organisation.")
    )


@coordinator_step("beheer.name", ask=ask_name)
async def name(ctx: Context, msg: Incoming, me: Coordinator) -> Turn:
    text = _typed_name(msg)
    if text is None:
        return not_understood()
    await _save_identity(ctx, me, name=text, org=me.org)
    return goto("beheer.org")


async def ask_org(ctx: Context, me: Coordinator) -> Reply:
    return Reply(
        ctx._("And the name of your organisation? For example: Steunpunt Mantelzorg West.")
    )


@coordinator_step("beheer.org", ask=ask_org)
async def org(ctx: Context, msg: Incoming, me: Coordinator) -> Turn:
    text = _typed_name(msg)
    if text is None:
        return not_understood()
    await _save_identity(ctx, me, name=me.name, org=text)
    return goto("beheer.menu", Reply(ctx._("Thank you.")))


# -- Admins: invite a new coordinator ------------------------------------------------------------

beheer_entry("invite", N_("Invite a coordinator"), "beheer.invite", order=90, admin_only=True)


async def ask_invite(ctx: Context, me: Coordinator) -> Reply:
    _ = ctx._
    chosen = set(ctx.data.get("areas", []))
    names = await areas.names(ctx.tx)
    choices = tuple(
        Choice(f"ia:{code}", short_label(("✓ " if code in chosen else "") + name))
        for code, name in sorted(names.items(), key=lambda item: item[1])
    )
    return Reply(
        _("For which areas? Choose them one by one, then make the code."),
        choices + (Choice("make", _("Make the code")), Choice("beheer", _("Back to management"))),
    )


@coordinator_step("beheer.invite", ask=ask_invite, admin=True)
async def invite(ctx: Context, msg: Incoming, me: Coordinator) -> Turn:
    _ = ctx._
    chosen = list(ctx.data.get("areas", []))
    choice = msg.choice or ""
    if choice == "beheer":
        return goto("beheer.menu")
    if choice.startswith("ia:"):
        code = choice.removeprefix("ia:")
        if await coordinators.unknown_areas(ctx.tx, [code]):
            return not_understood()
        chosen = [c for c in chosen if c != code] if code in chosen else [*chosen, code]
        return goto("beheer.invite", data={"areas": chosen})
    if choice == "make":
        if not chosen:
            return goto("beheer.invite", Reply(_("Choose at least one area first.")), data=ctx.data)
        code = await coordinators.create_invite(
            ctx.tx, chosen, actor=f"user:{me.user_id}", now=ctx.now
        )
        until = ctx.t.format_datetime(ctx.now + coordinators.INVITE_VALID)
        return goto(
            "beheer.menu",
            Reply(
                _(
                    "The code is {code}. The new coordinator sends me: /coordinator {code}\n"
                    "It works once, until {until}."
                ).format(code=code, until=until)
            ),
        )
    return not_understood()
