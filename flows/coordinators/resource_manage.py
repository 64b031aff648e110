"""/beheer → Resources: find the resources in my areas (by name or kind of help), open one, edit a
field, archive or restore it, or confirm it is still correct.

Every step goes through `coordinator_step` (flows/coordinators/access.py), and every change checks
again that the resource lies wholly within the coordinator's areas: a button pressed from an old
message, or one replayed by someone else, changes nothing it may not change.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from flows.coordinators.access import beheer_entry, coordinator_step
from flows.coordinators.resource_fields import (
    area_choices,
    card,
    check_value,
    chosen_category,
    my_areas,
    text_fields,
    toggled_area,
    typed_value,
)
from flows.engine import (
    N_,
    STEPS,
    Choice,
    Context,
    Incoming,
    Reply,
    Turn,
    goto,
    not_understood,
    stay,
)
from flows.find_help import category_labels
from flows.labels import short_label
from store import areas, managed_resources, resources
from store.coordinators import Coordinator
from store.resources import Resource

PAGE = 8  # resources listed per message
STALE_DAYS = 180  # "to check": not verified for this long

MENU = "beheer.res"
LIST = "beheer.res.list"
CARD = "beheer.res.card"

beheer_entry("res", N_("Resources in my areas"), MENU, order=20)


def actor(me: Coordinator) -> str:
    return f"user:{me.user_id}"


async def ask_menu(ctx: Context, me: Coordinator) -> Reply:
    _ = ctx._
    return Reply(
        _("Type (part of) a name to search, or choose:"),
        (
            Choice("bycat", _("By kind of help")),
            Choice("stale", _("To check (over 180 days)")),
            Choice("new", _("Add a resource")),
            Choice("upload", _("Upload a CSV file")),
            Choice("download", _("Download as CSV")),
            Choice("beheer", _("Management menu")),
        ),
    )


@coordinator_step(MENU, ask=ask_menu)
async def menu(ctx: Context, msg: Incoming, me: Coordinator) -> Turn:
    targets = {
        "bycat": "beheer.res.cat",
        "new": "beheer.new.name",
        "upload": "beheer.csv.upload",
        "download": "beheer.csv.download",
        "beheer": "beheer.menu",
    }
    if msg.choice in targets:
        return goto(targets[msg.choice])
    if msg.choice == "stale":
        return goto(LIST, data={"stale": True})
    if msg.choice is None and (msg.text or "").strip():
        return goto(LIST, data={"name": " ".join(msg.text.split())[:60]})
    return not_understood()


async def ask_category(ctx: Context, me: Coordinator) -> Reply:
    labels = category_labels(ctx)
    return Reply(
        ctx._("Which kind of help?"),
        tuple(Choice(f"rc:{c}", labels[c]) for c in resources.CATEGORIES),
    )


@coordinator_step("beheer.res.cat", ask=ask_category)
async def category(ctx: Context, msg: Incoming, me: Coordinator) -> Turn:
    chosen = chosen_category(msg.choice)
    if chosen is None:
        return not_understood()
    return goto(LIST, data={"category": chosen})


async def _found(ctx: Context, me: Coordinator) -> list[Resource]:
    stale = ctx.data.get("stale") is True
    return await managed_resources.in_scope(
        ctx.tx,
        await my_areas(ctx, me),
        name=ctx.data.get("name") or None,
        category=ctx.data.get("category") or None,
        stale_before=(ctx.now.date() - timedelta(days=STALE_DAYS)) if stale else None,
    )


async def ask_list(ctx: Context, me: Coordinator) -> Reply:
    _ = ctx._
    found = await _found(ctx, me)
    page = int(ctx.data.get("page", 0))
    shown = found[page * PAGE : (page + 1) * PAGE]
    if not found:
        return Reply(
            _("I found nothing in your areas. Type another name, or go back."),
            (Choice("beheer.res", _("Resources menu")),),
        )
    text = _("Found {n} in your areas. Choose one to open it, or type another name.").format(
        n=len(found)
    )
    choices = [
        Choice(f"ro:{page * PAGE + i}", short_label(r.name if r.active else "🗄 " + r.name))
        for i, r in enumerate(shown)
    ]
    if (page + 1) * PAGE < len(found):
        choices.append(Choice("more", _("More")))
    choices.append(Choice("beheer.res", _("Resources menu")))
    return Reply(text, tuple(choices))


@coordinator_step(LIST, ask=ask_list)
async def listing(ctx: Context, msg: Incoming, me: Coordinator) -> Turn:
    if msg.choice == "beheer.res":
        return goto(MENU)
    if msg.choice == "more":
        return goto(LIST, data=ctx.data | {"page": int(ctx.data.get("page", 0)) + 1})
    if msg.choice is None and (msg.text or "").strip():
        return goto(LIST, data={"name": " ".join(msg.text.split())[:60]})
    key = (msg.choice or "").removeprefix("ro:")
    if not key.isdigit():
        return not_understood()
    found = await _found(ctx, me)
    if int(key) >= len(found):
        return not_understood()
    return goto(CARD, data={"id": found[int(key)].id})


async def visible(ctx: Context, me: Coordinator, resource_id: object) -> Resource | None:
    """The resource, when it serves at least one of the coordinator's areas."""
    if not isinstance(resource_id, str):
        return None
    resource = await resources.get(ctx.tx, resource_id)
    if resource is None or not set(resource.areas) & set(await my_areas(ctx, me)):
        return None
    return resource


async def editable(ctx: Context, me: Coordinator, resource_id: object) -> Resource | None:
    """The resource, when every area it serves is one of the coordinator's."""
    resource = await visible(ctx, me, resource_id)
    if resource is None or not managed_resources.manageable(resource, await my_areas(ctx, me)):
        return None
    return resource


def not_yours(ctx: Context) -> Turn:
    """Refuse a change to a resource outside the coordinator's areas; ask the current question
    again, so nothing at all changes."""
    reply = Reply(
        ctx._(
            "You cannot change this resource: it also serves areas that are not yours. "
            "Ask an administrator. Nothing has changed."
        )
    )
    if ctx.step in STEPS:
        return Turn([reply], next=ctx.step, data=ctx.data)
    return goto(MENU, reply)


async def ask_card(ctx: Context, me: Coordinator) -> Reply:
    _ = ctx._
    resource = await visible(ctx, me, ctx.data.get("id"))
    if resource is None:
        return Reply(_("This resource is not in your areas."), (Choice("beheer.res", _("Back")),))
    text = await card(ctx, resource)
    if not managed_resources.manageable(resource, await my_areas(ctx, me)):
        text += "\n\n" + _(
            "It also serves areas that are not yours: only an administrator can change it."
        )
        return Reply(text, (Choice("beheer.res", _("Resources menu")),))
    archive = (
        Choice("archive", _("Archive (hide)"))
        if resource.active
        else Choice("restore", _("Restore"))
    )
    return Reply(
        text,
        (
            Choice("ok", _("Still correct")),
            Choice("edit", _("Edit")),
            archive,
            Choice("beheer.res", _("Resources menu")),
        ),
    )


@coordinator_step(CARD, ask=ask_card)
async def open_card(ctx: Context, msg: Incoming, me: Coordinator) -> Turn:
    _ = ctx._
    if msg.choice == "beheer.res":
        return goto(MENU)
    if msg.choice not in ("ok", "edit", "archive", "restore"):
        return not_understood()
    resource = await editable(ctx, me, ctx.data.get("id"))
    if resource is None:
        return not_yours(ctx)
    if msg.choice == "edit":
        return goto("beheer.res.edit", data={"id": resource.id})
    if msg.choice == "ok":
        await managed_resources.verify(ctx.tx, actor(me), resource, ctx.now.date())
        done = _("Thank you: marked as checked today.")
    else:
        active = msg.choice == "restore"
        await managed_resources.save(ctx.tx, actor(me), resource, replace(resource, active=active))
        done = (
            _("Restored: carers see it again.")
            if active
            else _("Archived: carers no longer see it.")
        )
    return goto(CARD, Reply(done), data={"id": resource.id})


async def ask_edit(ctx: Context, me: Coordinator) -> Reply:
    _ = ctx._
    choices = [Choice(f"ef:{name}", _(label)) for name, label in text_fields().items()]
    choices[1:1] = [Choice("ef:category", _("Kind of help")), Choice("ef:areas", _("Areas"))]
    return Reply(_("What do you want to change?"), tuple(choices))


@coordinator_step("beheer.res.edit", ask=ask_edit)
async def edit(ctx: Context, msg: Incoming, me: Coordinator) -> Turn:
    name = (msg.choice or "").removeprefix("ef:")
    resource = await editable(ctx, me, ctx.data.get("id"))
    if resource is None:
        return not_yours(ctx)
    if name == "category":
        return goto("beheer.res.category", data={"id": resource.id})
    if name == "areas":
        return goto("beheer.res.areas", data={"id": resource.id, "areas": list(resource.areas)})
    if name not in text_fields():
        return not_understood()
    return goto("beheer.res.value", data={"id": resource.id, "field": name})


async def ask_value(ctx: Context, me: Coordinator) -> Reply:
    _ = ctx._
    name = ctx.data.get("field")
    resource = await editable(ctx, me, ctx.data.get("id"))
    labels = text_fields()
    if resource is None or name not in labels:
        return Reply(_("This resource is not in your areas."), (Choice("beheer.res", _("Back")),))
    current = getattr(resource, name) or _("(empty)")
    text = _("{field} now: {value}").format(field=_(labels[name]), value=current)
    text += "\n\n" + _("Type the new text.")
    if name != "name":
        text += " " + _("Type - to make it empty.")
    return Reply(text)


@coordinator_step("beheer.res.value", ask=ask_value)
async def value(ctx: Context, msg: Incoming, me: Coordinator) -> Turn:
    name = ctx.data.get("field")
    if msg.choice == "beheer.res":
        return goto(MENU)
    if msg.choice is not None or name not in text_fields():
        return not_understood()
    resource = await editable(ctx, me, ctx.data.get("id"))
    if resource is None:
        return not_yours(ctx)
    new_value = typed_value(msg.text)
    problem = check_value(ctx, name, new_value)
    if problem:
        return stay(Reply(problem))
    await managed_resources.save(
        ctx.tx, actor(me), resource, replace(resource, **{name: new_value})
    )
    return goto(CARD, Reply(ctx._("Saved.")), data={"id": resource.id})


@coordinator_step("beheer.res.category", ask=ask_category)
async def change_category(ctx: Context, msg: Incoming, me: Coordinator) -> Turn:
    chosen = chosen_category(msg.choice)
    if chosen is None:
        return not_understood()
    resource = await editable(ctx, me, ctx.data.get("id"))
    if resource is None:
        return not_yours(ctx)
    await managed_resources.save(ctx.tx, actor(me), resource, replace(resource, category=chosen))
    return goto(CARD, Reply(ctx._("Saved.")), data={"id": resource.id})


async def ask_areas(ctx: Context, me: Coordinator) -> Reply:
    _ = ctx._
    allowed = await my_areas(ctx, me)
    chosen = {a for a in ctx.data.get("areas", []) if isinstance(a, str)}
    names = await areas.names(ctx.tx)
    return Reply(
        _("Which areas does it serve? Choose them one by one, then save."),
        area_choices(chosen, allowed, names) + (Choice("save", _("Save")),),
    )


@coordinator_step("beheer.res.areas", ask=ask_areas)
async def change_areas(ctx: Context, msg: Incoming, me: Coordinator) -> Turn:
    allowed = await my_areas(ctx, me)
    chosen = [a for a in ctx.data.get("areas", []) if isinstance(a, str) and a in allowed]
    toggled = toggled_area(msg.choice, allowed)
    if toggled:
        chosen = [a for a in chosen if a != toggled] if toggled in chosen else chosen + [toggled]
        return goto("beheer.res.areas", data=ctx.data | {"areas": sorted(chosen)})
    if msg.choice != "save":
        return not_understood()
    if not chosen:
        return stay(Reply(ctx._("Choose at least one area.")))
    resource = await editable(ctx, me, ctx.data.get("id"))
    if resource is None:
        return not_yours(ctx)
    await managed_resources.save(
        ctx.tx, actor(me), resource, replace(resource, areas=tuple(sorted(chosen)))
    )
    return goto(CARD, Reply(ctx._("Saved.")), data={"id": resource.id})
