"""Find help nearby: direct doors ("I want some time off", "A course", …) and the whole sociale
kaart by category. Cards are ordered by the routing rules (flows/routing.py), three at a time.

When nothing matches anywhere in the carer's or the naaste's area tree (district, city; national
help does not count), the bot says so and the unmet need is counted for the coordinators (without
any link to the carer). A postcode outside every area is counted as "outside".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flows import followup, routing
from flows.engine import (
    KEPT_ON_BACK,
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
from flows.help_words import typed_kind
from flows.labels import filled_label
from store import areas, needs, resources, stats
from store.resources import Resource

PAGE_SIZE = 3
DOORS_STEP = "find.doors"
RESULTS_STEP = "find.results"
# Step data: the categories already counted as missing. "Back" must not forget them, or the same
# need would be counted again when the carer opens the same door again.
NOTED = "noted"
KEPT_ON_BACK.add(NOTED)

menu_entry("find", N_("I am looking for help"), DOORS_STEP, order=20)


@dataclass(frozen=True)
class Door:
    """A kind of help as a carer asks for it; may cover more than one category."""

    label: str  # N_() msgid for the button
    categories: tuple[str, ...]
    helplines: tuple[str, ...] = ()  # national helplines (resource ids) shown after the rest


DOORS: dict[str, Door] = {
    "respite": Door(N_("I want some time off"), ("respite",)),
    "course": Door(N_("A course"), ("course",)),
    "peers": Door(N_("Meet other carers"), ("peer_group", "buddy")),
    "practical_help": Door(N_("Practical help"), ("practical_help",)),
    # De Luisterlijn and the Mantelzorglijn listen anywhere in the country, day and night.
    "emotional_support": Door(
        N_("Someone to talk to"), ("emotional_support",), ("de-luisterlijn", "mantelzorglijn")
    ),
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


def door_helplines(name: str | None) -> tuple[str, ...]:
    return DOORS[name].helplines if name in DOORS else ()


async def search_door(ctx: Context, name: str | None) -> routing.Search:
    """A door's search, once per turn: opening a door searches and its results show it."""
    audiences = tuple(sorted(routing.carer_audiences(ctx)))
    key = ("find_help.search", name, ctx.home_area, ctx.care_area, audiences)
    if key not in ctx.memo:
        ctx.memo[key] = await routing.search(ctx, door_categories(name), door_helplines(name))
    return ctx.memo[key]


def missing_at(ctx: Context, search: routing.Search, categories: tuple[str, ...]) -> str | None:
    """Where help that is meant to be local is missing: nothing matched at any level of the
    carer's or the naaste's area tree (national help does not count). The most specific area
    searched; `needs.OUTSIDE` for a postcode outside every area; None when nothing is missing
    or no place is known."""
    if all(c in NEVER_LOCAL for c in categories) or search.has_regional:
        return None
    if search.local_areas:
        return search.local_areas[0]
    if areas.ROOT in (ctx.home_area, ctx.care_area):
        return needs.OUTSIDE
    return None


async def open_door(ctx: Context, name: str) -> Turn:
    """Show the resources behind a door. Nothing in the carer's or the naaste's area tree: count
    the unmet need, once per category while the carer keeps looking (kept in step data, and
    kept when going back: see NOTED)."""
    categories = door_categories(name)
    if not categories:
        return not_understood()
    earlier = ctx.data.get(NOTED)
    noted = [c for c in earlier if isinstance(c, str)] if isinstance(earlier, list) else []
    search = await search_door(ctx, name)
    if search.local_areas:  # what carers look for, per district, for the coordinators
        for category in categories:
            await stats.note_asked(ctx.tx, search.local_areas[0], category, ctx.now.date())
    where = missing_at(ctx, search, categories)
    if where:
        for category in categories:
            if category not in noted and category not in NEVER_LOCAL:
                await needs.add(ctx.tx, where, category, ctx.now.date())
                noted.append(category)
    if search.found:  # respite or a course shown: ask in a few days whether it worked out
        for category in categories:
            await followup.plan(ctx, category)
    return goto(RESULTS_STEP, data={"door": name, "page": 0, NOTED: noted})


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
        return goto("find.category", data={NOTED: ctx.data.get(NOTED, [])})
    name = door_from_key(msg.choice) or typed_kind(msg.text or "")
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
    name = door_from_key(msg.choice) or typed_kind(msg.text or "")
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


def _when(ctx: Context, resource: Resource) -> str | None:
    """A dated event: its date while it is still to come; once started, that it is already
    running (never a date in the past). Events that are over are never shown at all."""
    _ = ctx._
    if not resource.starts_at:
        return None
    starts = datetime.fromisoformat(resource.starts_at)
    if starts.tzinfo is None:
        starts = starts.replace(tzinfo=ctx.now.tzinfo)
    if starts >= ctx.now:
        return _("Next date: {date}").format(date=ctx.t.format_datetime(starts))
    if resource.ends_at:
        ends = datetime.fromisoformat(resource.ends_at)
        return _("Already running, until {date}").format(date=ctx.t.format_date(ends))
    return _("Already running")


def _in_language(ctx: Context, resource: Resource, field_name: str) -> str:
    """A free-text field in the carer's language; the Dutch text, labelled, when there is none."""
    text, in_dutch = resource.text_in(field_name, ctx.lang)
    return ctx._("{text} (in Dutch)").format(text=text) if in_dutch else text


def format_card(ctx: Context, resource: Resource, where: str) -> str:
    """A resource as a short card: what it is, for whom, where, when, the first step to take,
    and every way to reach it that is filled in."""
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
    when = _when(ctx, resource)
    if when:
        lines.append(when)
    if resource.cost:
        lines.append(_("Cost: {cost}").format(cost=_in_language(ctx, resource, "cost")))
    first_step = resource.text("first_step", ctx.lang)
    if first_step:
        lines.append(_("First step: {action}").format(action=first_step))
    if resource.phone:
        lines.append(_("Phone: {phone}").format(phone=resource.phone))
    if resource.email:
        lines.append(_("Email: {email}").format(email=resource.email))
    if resource.address:
        lines.append(_("Address: {address}").format(address=resource.address))
    if resource.opening_hours:
        hours = _in_language(ctx, resource, "opening_hours")
        lines.append(_("Opening hours: {hours}").format(hours=hours))
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
    search = await search_door(ctx, name)
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
    names = search.names
    replies: list[Reply] = []
    if page == 0:
        missing = missing_at(ctx, search, categories)
        if missing == needs.OUTSIDE:
            replies.append(
                Reply(
                    _(
                        "I do not know local help where you live yet. Here is help for the whole "
                        "country. I have passed on that '{kind}' is missing, without your name."
                    ).format(kind=title)
                )
            )
        elif missing:
            replies.append(
                Reply(
                    _(
                        "I have not found '{kind}' in {place} yet. Here is help a bit further "
                        "away. I have passed on that it is missing, without your name."
                    ).format(kind=title, place=_places(ctx, search.local_areas, names))
                )
            )
        count = ctx.t.format_number(len(search.found))
        # Say whose place comes first as it really is on the list: a course is looked for near
        # the carer first, but when their district has none, the naaste's district is first.
        if not search.has_regional:
            header = _("{kind}: {count} found.")
        elif search.found[0].side == "care":
            header = _("{kind}: {count} found. Help close to the person you care for comes first.")
        else:
            header = _("{kind}: {count} found. Help close to you comes first.")
        replies.append(Reply(header.format(kind=title, count=count)))
    else:
        replies.append(Reply(title))
    both = bool(ctx.home_area and ctx.care_area and ctx.home_area != ctx.care_area)
    shown = search.found[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    full = await resources.by_ids(ctx.tx, [f.id for f in shown])
    cards = [format_card(ctx, full[f.id], where_label(ctx, f, names, both)) for f in shown]
    remind = [remind_choice(ctx, full[f.id]) for f in shown]
    if page < last_page:
        choices = (Choice("more", _("Show more")),) + choices
    # The buttons stay on the last message (the one that ends the turn), named after the event.
    reminders = tuple(choice for own in remind for choice in own)
    return [*replies, *(Reply(card) for card in cards[:-1]), Reply(cards[-1], reminders + choices)]


def remind_choice(ctx: Context, resource: Resource) -> tuple[Choice, ...]:
    """ "Remind me" on a course or group with a date still to come (only with consent: the
    reminder has to be stored)."""
    if not ctx.consented or not resource.starts_at:
        return ()
    starts = datetime.fromisoformat(resource.starts_at)
    if starts.tzinfo is None:
        starts = starts.replace(tzinfo=ctx.now.tzinfo)
    key = f"remind:{resource.id}"
    if starts <= ctx.now or len(key.encode()) > 64:
        return ()
    return (Choice(key, filled_label(ctx._("Remind me: {name}"), name=resource.name)),)


# "Other kind of help" goes to the list of kinds: "back" there would be the same button twice.
@step(RESULTS_STEP, ask=ask_results, offered_elsewhere=("find.category", DOORS_STEP))
async def results(ctx: Context, msg: Incoming) -> Turn:
    if msg.choice == "more":
        return goto(RESULTS_STEP, data=ctx.data | {"page": int(ctx.data.get("page", 0)) + 1})
    if msg.choice == "cats":
        return goto(DOORS_STEP, data={NOTED: ctx.data.get(NOTED, [])})
    typed = typed_kind(msg.text or "") if msg.choice is None else None
    return await open_door(ctx, typed) if typed else not_understood()
