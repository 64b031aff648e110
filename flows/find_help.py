"""Find help nearby: direct doors ("I want some time off", "A course", …) and the whole sociale
kaart by category. Cards are ordered by the routing rules (flows/routing.py), three at a time.

When there is nothing in the carer's or the naaste's own district, the bot says so and the unmet
need is counted for the coordinators (without any link to the carer).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flows import routing
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
from store import areas, needs, resources, stats
from store.resources import Resource

PAGE_SIZE = 3
DOORS_STEP = "find.doors"
RESULTS_STEP = "find.results"

menu_entry("find", N_("I am looking for help"), DOORS_STEP, order=20)


@dataclass(frozen=True)
class Door:
    """A kind of help as a carer asks for it; may cover more than one category."""

    label: str  # N_() msgid for the button
    categories: tuple[str, ...]


DOORS: dict[str, Door] = {
    "respite": Door(N_("I want some time off"), ("respite",)),
    "course": Door(N_("A course"), ("course",)),
    "peers": Door(N_("Talk with other carers"), ("peer_group", "buddy")),
    "practical_help": Door(N_("Practical help"), ("practical_help",)),
    "emotional_support": Door(N_("Someone to talk to"), ("emotional_support",)),
    "advice": Door(N_("A carer support adviser"), ("advice",)),
    "information": Door(N_("Information for carers"), ("information",)),
    "appreciation": Door(N_("Appreciation for carers"), ("appreciation",)),
}
# Help that is national by nature: never counted as missing in a district.
NEVER_LOCAL = frozenset({"helpline"})
# The doors of the "I am looking for help" menu, in this order.
MENU_DOORS = ("respite", "course", "peers", "practical_help", "emotional_support")


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


def audience_labels(ctx: Context) -> dict[str, str]:
    _ = ctx._
    return {
        "dementia": _("people who care for someone with dementia"),
        "young_carers": _("young carers"),
        "working_carers": _("carers who also have a job"),
        "mental_health": _("people who care for someone with mental health problems"),
        "disability": _("people who care for someone with a disability"),
        "palliative": _("people who care for someone who is not going to get better"),
    }


def door_categories(name: str | None) -> tuple[str, ...]:
    """A door's categories; a plain category (from the full list) is a door of its own."""
    if name in DOORS:
        return DOORS[name].categories
    if name in resources.CATEGORIES:
        return (name,)
    return ()


def door_title(ctx: Context, name: str) -> str:
    if name == "peers":
        return ctx._("Other carers and buddies")
    return category_labels(ctx)[door_categories(name)[0]]


def door_key(name: str) -> str:
    """A door that is one category has that category's key (`cat:respite`), others `door:…`."""
    return f"cat:{name}" if name in resources.CATEGORIES else f"door:{name}"


def door_from_key(key: str | None) -> str | None:
    """The door (or category) a choice key opens; None when it opens none."""
    kind, _sep, name = (key or "").partition(":")
    if (kind == "cat" and name in resources.CATEGORIES) or (kind == "door" and name in DOORS):
        return name
    return None


def door_choice(ctx: Context, name: str) -> Choice:
    return Choice(door_key(name), ctx._(DOORS[name].label))


def missing_locally(search: routing.Search, categories: tuple[str, ...]) -> bool:
    """Nothing in the carer's or the naaste's own district (when there is a district to look in),
    for help that is meant to be local."""
    meant_local = any(c not in NEVER_LOCAL for c in categories)
    return meant_local and bool(search.local_areas) and not search.has_local


async def open_door(ctx: Context, name: str) -> Turn:
    """Show the resources behind a door. Nothing in the carer's or the naaste's district: count
    the unmet need, once per category while the carer keeps looking (kept in step data)."""
    categories = door_categories(name)
    if not categories:
        return not_understood()
    earlier = ctx.data.get("noted")
    noted = [c for c in earlier if isinstance(c, str)] if isinstance(earlier, list) else []
    search = await routing.search(ctx, categories)
    if search.local_areas:  # what carers look for, per district, for the coordinators
        for category in categories:
            await stats.note_asked(ctx.tx, search.local_areas[0], category, ctx.now.date())
    if missing_locally(search, categories):
        for category in categories:
            if category not in noted and category not in NEVER_LOCAL:
                await needs.add(ctx.tx, search.local_areas[0], category, ctx.now.date())
                noted.append(category)
    return goto(RESULTS_STEP, data={"door": name, "page": 0, "noted": noted})


async def ask_doors(ctx: Context) -> Reply:
    _ = ctx._
    return Reply(
        _("What kind of help are you looking for?"),
        tuple(door_choice(ctx, name) for name in MENU_DOORS)
        + (Choice("all", _("All kinds of help")), Choice("menu", _("Main menu"))),
    )


@step(DOORS_STEP, ask=ask_doors)
async def doors(ctx: Context, msg: Incoming) -> Turn:
    if msg.choice == "all":
        return goto("find.category", data={"noted": ctx.data.get("noted", [])})
    name = door_from_key(msg.choice)
    return await open_door(ctx, name) if name else not_understood()


async def ask_category(ctx: Context) -> Reply:
    labels = category_labels(ctx)
    return Reply(
        ctx._("All kinds of help near you. Choose a kind:"),
        tuple(Choice(f"cat:{key}", labels[key]) for key in resources.CATEGORIES)
        + (Choice("menu", ctx._("Main menu")),),
    )


@step("find.category", ask=ask_category)
async def category(ctx: Context, msg: Incoming) -> Turn:
    name = door_from_key(msg.choice)
    return await open_door(ctx, name) if name else not_understood()


def where_label(ctx: Context, found: routing.Found, names: dict[str, str], both: bool) -> str:
    """The place a resource serves; whose place it is when carer and naaste live apart."""
    _ = ctx._
    if found.area == areas.ROOT:
        return _("National")
    place = names.get(found.area, found.area)
    if both and found.side == "home":
        return _("{place} (where you live)").format(place=place)
    if both and found.side == "care":
        return _("{place} (where the person you care for lives)").format(place=place)
    return place


def format_card(ctx: Context, resource: Resource, where: str) -> str:
    """A resource as a short card: what it is, for whom, where, and the first step to take."""
    _ = ctx._
    lines = [resource.name]
    description = resource.text("description", ctx.lang)
    if description:
        lines.append(description)
    audiences = audience_labels(ctx)
    if resource.audience:
        who = ", ".join(audiences.get(a, a) for a in resource.audience)
        lines.append(_("For: {audience}").format(audience=who))
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


def _places(ctx: Context, codes: tuple[str, ...], names: dict[str, str]) -> str:
    shown = [names.get(code, code) for code in codes]
    if len(shown) == 2:
        return ctx._("{first} or {second}").format(first=shown[0], second=shown[1])
    return shown[0]


async def ask_results(ctx: Context) -> list[Reply]:
    _ = ctx._
    name = ctx.data.get("door")
    categories = door_categories(name)
    choices = (Choice("cats", _("Other kind of help")), Choice("menu", _("Main menu")))
    if not categories:
        return [Reply(_("What kind of help are you looking for?"), choices)]
    search = await routing.search(ctx, categories)
    title = door_title(ctx, name)
    if not search.found:
        return [
            Reply(
                _(
                    "I found nothing for '{kind}' in your area yet. Try another kind of help."
                ).format(kind=title),
                choices,
            )
        ]
    last_page = (len(search.found) - 1) // PAGE_SIZE
    page = min(max(int(ctx.data.get("page", 0)), 0), last_page)
    names = await areas.names(ctx.tx)
    replies: list[Reply] = []
    if page == 0:
        if missing_locally(search, categories):
            replies.append(
                Reply(
                    _(
                        "I have not found '{kind}' in {place} yet. Here is help a bit further "
                        "away. I have passed on that it is missing, without your name."
                    ).format(kind=title, place=_places(ctx, search.local_areas, names))
                )
            )
        count = ctx.t.format_number(len(search.found))
        if search.local_areas[:1] == (ctx.care_area,) and ctx.care_area != ctx.home_area:
            header = _("{kind}: {count} found. Help close to the person you care for comes first.")
        else:
            header = _("{kind}: {count} found. Help close to you comes first.")
        replies.append(Reply(header.format(kind=title, count=count)))
    else:
        replies.append(Reply(title))
    both = bool(ctx.home_area and ctx.care_area and ctx.home_area != ctx.care_area)
    shown = search.found[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    cards = [format_card(ctx, f.resource, where_label(ctx, f, names, both)) for f in shown]
    if page < last_page:
        choices = (Choice("more", _("Show more")),) + choices
    return [*replies, *(Reply(card) for card in cards[:-1]), Reply(cards[-1], choices)]


@step(RESULTS_STEP, ask=ask_results)
async def results(ctx: Context, msg: Incoming) -> Turn:
    if msg.choice == "more":
        return goto(RESULTS_STEP, data=ctx.data | {"page": int(ctx.data.get("page", 0)) + 1})
    if msg.choice == "cats":
        return goto(DOORS_STEP, data={"noted": ctx.data.get("noted", [])})
    return not_understood()
