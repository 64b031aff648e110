"""Find help nearby: pick a kind of help, see the matching resources, local ones first."""

from __future__ import annotations

from datetime import datetime

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
from store import areas, resources
from store.resources import Resource

PAGE_SIZE = 3

menu_entry("find", N_("Find help near me"), "find.category", order=20)


def category_labels(ctx: Context) -> dict[str, str]:
    _ = ctx._
    return {
        "respite": _("Time off (respite care)"),
        "course": _("Courses and training"),
        "peer_group": _("Meet other carers"),
        "emotional_support": _("Someone to talk to"),
        "advice": _("Advice and guidance"),
        "practical_help": _("Practical help"),
        "financial": _("Money and allowances"),
        "buddy": _("A buddy"),
        "appreciation": _("Appreciation for carers"),
        "information": _("Information"),
        "helpline": _("Helplines"),
    }


async def ask_category(ctx: Context) -> Reply:
    labels = category_labels(ctx)
    return Reply(
        ctx._("What kind of help are you looking for?"),
        tuple(Choice(f"cat:{key}", labels[key]) for key in resources.CATEGORIES)
        + (Choice("menu", ctx._("Main menu")),),
    )


@step("find.category", ask=ask_category)
async def category(ctx: Context, msg: Incoming) -> Turn:
    chosen = (msg.choice or "").removeprefix("cat:")
    if chosen in resources.CATEGORIES:
        return goto("find.results", data={"category": chosen, "page": 0})
    return not_understood()


def _where(ctx: Context, resource: Resource, lineage: list[str], names: dict[str, str]) -> str:
    """The most specific of the carer's areas this resource serves."""
    code = min(resource.areas, key=lambda c: lineage.index(c) if c in lineage else len(lineage))
    if code == areas.ROOT:
        return ctx._("National")
    return names.get(code, code)


def format_card(ctx: Context, resource: Resource, where: str) -> str:
    """A resource as a short card: what it is, where, and the first step to take."""
    _ = ctx._
    lines = [resource.name]
    description = resource.text("description", ctx.lang)
    if description:
        lines.append(description)
    lines.append(_("Where: {place}").format(place=where))
    if resource.starts_at:
        starts = datetime.fromisoformat(resource.starts_at)
        lines.append(_("Next date: {date}").format(date=ctx.t.format_datetime(starts)))
    if resource.cost:
        lines.append(_("Cost: {cost}").format(cost=resource.cost))
    first_step = resource.text("first_step", ctx.lang)
    if first_step:
        lines.append(_("First step: {action}").format(action=first_step))
    if resource.phone:
        lines.append(_("Phone: {phone}").format(phone=resource.phone))
    if resource.url:
        lines.append(_("Website: {url}").format(url=resource.url))
    return "\n".join(lines)


async def ask_results(ctx: Context) -> list[Reply]:
    _ = ctx._
    chosen, page = ctx.data["category"], int(ctx.data.get("page", 0))
    lineage = await areas.lineage(ctx.tx, ctx.home_area) if ctx.home_area else [areas.ROOT]
    found = await resources.for_areas(ctx.tx, chosen, lineage, ctx.now)
    label = category_labels(ctx)[chosen]
    choices = (
        Choice("cats", _("Other kind of help")),
        Choice("menu", _("Main menu")),
    )
    if not found:
        return [
            Reply(
                _(
                    "I found nothing for '{kind}' in your area yet. Try another kind of help."
                ).format(kind=label),
                choices,
            )
        ]
    names = await areas.names(ctx.tx)
    shown = found[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    header = _("{kind}: {count} found. Help close to you comes first.").format(
        kind=label, count=ctx.t.format_number(len(found))
    )
    cards = [format_card(ctx, r, _where(ctx, r, lineage, names)) for r in shown]
    if (page + 1) * PAGE_SIZE < len(found):
        choices = (Choice("more", _("Show more")),) + choices
    return [
        Reply(header if page == 0 else label),
        *(Reply(card) for card in cards[:-1]),
        Reply(cards[-1], choices),
    ]


@step("find.results", ask=ask_results)
async def results(ctx: Context, msg: Incoming) -> Turn:
    if msg.choice == "more":
        return goto("find.results", data=ctx.data | {"page": int(ctx.data.get("page", 0)) + 1})
    if msg.choice == "cats":
        return goto("find.category")
    return not_understood()
