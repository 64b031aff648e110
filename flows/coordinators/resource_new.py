"""/beheer → Resources → Add a resource: a guided flow, one question at a time.

Name, kind of help, areas (only the coordinator's own), description, first step, phone, website,
cost; then, if the coordinator wants, the English texts. The summary is saved only after "Save",
and the areas are checked against the coordinator's scope once more at that moment.
"""

from __future__ import annotations

import re
import unicodedata

from flows.coordinators.access import coordinator_step
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
from flows.coordinators.resource_manage import CARD, actor, ask_category
from flows.engine import N_, Choice, Context, Incoming, Reply, Turn, goto, not_understood, stay
from store import areas, managed_resources, resources
from store.coordinators import Coordinator
from store.resources import Resource

# The typed questions in order: (field, question, may be skipped). Category and areas are asked
# with buttons after the name.
DUTCH = (
    ("description_nl", N_("Describe it in one or two short sentences."), False),
    (
        "first_step_nl",
        N_("What is the first step for a carer? For example: Call and ask for …"),
        False,
    ),
    ("phone", N_("Phone number?"), True),
    ("url", N_("Website? (starting with https://)"), True),
    ("cost", N_("What does it cost? For example: Free."), True),
)
ENGLISH = (
    ("description_en", N_("The description in English?"), True),
    ("first_step_en", N_("The first step in English?"), True),
    ("cost_en", N_("The cost in English?"), True),
)


def _slug(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:48].strip("-") or "hulpbron"


def draft(ctx: Context) -> dict[str, object]:
    value = ctx.data.get("r")
    return dict(value) if isinstance(value, dict) else {}


def _questions() -> list[tuple[str, str, bool]]:
    known = text_fields()
    return [q for q in (*DUTCH, *ENGLISH) if q[0] in known]


def _after(field: str | None) -> str:
    """The step after the typed question `field` (None: the first typed question)."""
    names = [q[0] for q in _questions()]
    if field is None:
        return f"beheer.new.{names[0]}"
    if field == names[len(DUTCH) - 1]:
        return "beheer.new.english"
    index = names.index(field) + 1
    return f"beheer.new.{names[index]}" if index < len(names) else "beheer.new.confirm"


async def ask_name(ctx: Context, me: Coordinator) -> Reply:
    return Reply(ctx._("A new resource. What is its name?"))


@coordinator_step("beheer.new.name", ask=ask_name)
async def name(ctx: Context, msg: Incoming, me: Coordinator) -> Turn:
    value = typed_value(msg.text)
    if msg.choice is not None or not value:
        return not_understood()
    problem = check_value(ctx, "name", value)
    if problem:
        return stay(Reply(problem))
    return goto("beheer.new.category", data={"r": {"name": value}})


@coordinator_step("beheer.new.category", ask=ask_category)
async def category(ctx: Context, msg: Incoming, me: Coordinator) -> Turn:
    chosen = chosen_category(msg.choice)
    if chosen is None:
        return not_understood()
    return goto("beheer.new.areas", data={"r": draft(ctx) | {"category": chosen, "areas": []}})


async def ask_areas(ctx: Context, me: Coordinator) -> Reply:
    allowed = await my_areas(ctx, me)
    chosen = set(draft(ctx).get("areas") or [])
    names = await areas.names(ctx.tx)
    return Reply(
        ctx._("For which areas? Choose them one by one, then go on."),
        area_choices(chosen, allowed, names) + (Choice("next", ctx._("Next")),),
    )


@coordinator_step("beheer.new.areas", ask=ask_areas)
async def choose_areas(ctx: Context, msg: Incoming, me: Coordinator) -> Turn:
    allowed = await my_areas(ctx, me)
    current = draft(ctx)
    chosen = [a for a in current.get("areas") or [] if a in allowed]
    toggled = toggled_area(msg.choice, allowed)
    if toggled:
        chosen = [a for a in chosen if a != toggled] if toggled in chosen else chosen + [toggled]
        return goto("beheer.new.areas", data={"r": current | {"areas": sorted(chosen)}})
    if msg.choice != "next":
        return not_understood()
    if not chosen:
        return stay(Reply(ctx._("Choose at least one area.")))
    return goto(_after(None), data={"r": current | {"areas": sorted(chosen)}})


def _register_question(field: str, question: str, optional: bool) -> None:
    async def ask(ctx: Context, me: Coordinator) -> Reply:
        choices = (Choice("skip", ctx._("Skip")),) if optional else ()
        return Reply(ctx._(question), choices)

    async def answer(ctx: Context, msg: Incoming, me: Coordinator) -> Turn:
        if msg.choice == "skip" and optional:
            value = ""
        elif msg.choice is None and (msg.text or "").strip():
            value = typed_value(msg.text)
        else:
            return not_understood()
        problem = check_value(ctx, field, value)
        if problem:
            return stay(Reply(problem))
        return goto(_after(field), data={"r": draft(ctx) | {field: value}})

    coordinator_step(f"beheer.new.{field}", ask=ask)(answer)


for _field, _question, _optional in (*DUTCH, *ENGLISH):
    _register_question(_field, _question, _optional)


async def ask_english(ctx: Context, me: Coordinator) -> Reply:
    _ = ctx._
    return Reply(
        _("Do you want to add the texts in English too? Without them, English speakers see Dutch."),
        (Choice("en", _("Yes, add English")), Choice("noen", _("No, go on"))),
    )


@coordinator_step("beheer.new.english", ask=ask_english)
async def english(ctx: Context, msg: Incoming, me: Coordinator) -> Turn:
    if msg.choice == "en":
        return goto(f"beheer.new.{ENGLISH[0][0]}", data=ctx.data)
    if msg.choice == "noen":
        return goto("beheer.new.confirm", data=ctx.data)
    return not_understood()


def _resource(values: dict[str, object], resource_id: str, today: str, org: str) -> Resource:
    known = text_fields()
    texts = {k: str(v) for k, v in values.items() if k in known}
    return Resource(
        id=resource_id,
        category=str(values.get("category")),
        areas=tuple(str(a) for a in values.get("areas") or ()),
        last_verified=today,
        source=org,
        **texts,
    )


async def ask_confirm(ctx: Context, me: Coordinator) -> list[Reply]:
    _ = ctx._
    preview = _resource(draft(ctx), "-", ctx.now.date().isoformat(), me.org)
    shown = _("This is what carers will see:") + "\n\n" + await card(ctx, preview)
    if not preview.has_contact:  # e.g. a walk-in group: its address is added with "Edit"
        shown += "\n\n" + _(
            "Note: there is no phone number, email, website or address. Carers will not know "
            "how to reach it. You can add them after saving, with 'Edit'."
        )
    return [
        Reply(shown),
        Reply(
            _("Save it?"),
            (Choice("save", _("Save")), Choice("cancel", _("Cancel, do not save"))),
        ),
    ]


@coordinator_step("beheer.new.confirm", ask=ask_confirm)
async def confirm(ctx: Context, msg: Incoming, me: Coordinator) -> Turn:
    _ = ctx._
    if msg.choice == "cancel":
        return goto("beheer.res", Reply(_("Not saved.")))
    if msg.choice != "save":
        return not_understood()
    values = draft(ctx)
    chosen = [str(a) for a in values.get("areas") or []]
    allowed = set(await my_areas(ctx, me))
    if (
        not chosen
        or not set(chosen) <= allowed
        or values.get("category") not in resources.CATEGORIES
    ):
        return goto("beheer.res", Reply(_("Those areas are not yours. Nothing was saved.")))
    resource_id = await managed_resources.free_id(ctx.tx, _slug(str(values.get("name", ""))))
    new = _resource(values, resource_id, ctx.now.date().isoformat(), me.org)
    await managed_resources.save(ctx.tx, actor(me), None, new)
    return goto(
        CARD, Reply(_("Saved. Carers in these areas can find it now.")), data={"id": new.id}
    )
