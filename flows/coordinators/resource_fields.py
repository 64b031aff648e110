"""What the resource screens of /beheer share: the coordinator's areas, the fields a coordinator
can edit in the chat (with their checks), and the card a coordinator sees."""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import date, datetime

from flows.engine import N_, Choice, Context, Translator
from flows.find_help import category_labels
from flows.labels import short_label
from store import areas, coordinators, resources
from store.coordinators import Coordinator
from store.resources import Resource

MAX_TEXT = 2000  # as a CSV import allows
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# Fields a coordinator edits by typing, with their button labels. Category and areas are chosen
# with buttons instead.
TEXT_FIELDS = {
    "name": N_("Name"),
    "description_nl": N_("Description"),
    "first_step_nl": N_("First step"),
    "phone": N_("Phone"),
    "url": N_("Website"),
    "email": N_("E-mail"),
    "address": N_("Address"),
    "cost": N_("Cost"),
    "opening_hours": N_("Opening hours"),
    "description_en": N_("Description (English)"),
    "first_step_en": N_("First step (English)"),
    "cost_en": N_("Cost (English)"),
    "opening_hours_en": N_("Opening hours (English)"),
}
# Fields that may be emptied with "-" (the others are required).
OPTIONAL = frozenset(TEXT_FIELDS) - {"name"}
CLEAR = "-"


def text_fields() -> dict[str, str]:
    """The editable text fields this version of the resource record has."""
    known = {f.name for f in fields(Resource)}
    return {name: label for name, label in TEXT_FIELDS.items() if name in known}


async def my_areas(ctx: Context, me: Coordinator) -> list[str]:
    """The area codes the coordinator may act on: their areas and below, or all for an admin."""
    return await coordinators.area_codes(ctx.tx, me)


def check_value(ctx: Context, name: str, value: str) -> str | None:
    """Why `value` cannot go into field `name`, or None when it can."""
    _ = ctx._
    if len(value) > MAX_TEXT:
        return _("That is too long: at most {n} characters.").format(n=MAX_TEXT)
    if not value and name not in OPTIONAL:
        return _("This cannot be empty.")
    if name == "url" and value and not value.startswith("https://"):  # as the CSV import
        return _("A website starts with https://")
    if name == "email" and value and not _EMAIL.match(value):
        return _("That is not an e-mail address.")
    return None


def typed_value(text: str | None) -> str:
    """What the coordinator typed, with "-" meaning: make it empty."""
    value = " ".join((text or "").split()) if "\n" not in (text or "") else (text or "").strip()
    return "" if value == CLEAR else value


def _dates(ctx: Context, resource: Resource) -> str:
    starts = ctx.t.format_datetime(datetime.fromisoformat(resource.starts_at or ""))
    if not resource.ends_at:
        return ctx._("Date: {start}").format(start=starts)
    ends = ctx.t.format_datetime(datetime.fromisoformat(resource.ends_at))
    return ctx._("Dates: {start} to {end}").format(start=starts, end=ends)


async def card(ctx: Context, resource: Resource) -> str:
    """Everything a coordinator needs to check a resource, in one message."""
    _ = ctx._
    names = await areas.names(ctx.tx)
    lines = [resource.name]
    lines.append(category_labels(ctx).get(resource.category, resource.category))
    lines.append(
        _("Areas: {areas}").format(areas=", ".join(names.get(a, a) for a in resource.areas))
    )
    if not resource.active:
        lines.append(_("Archived: not shown to carers"))
    elif resource.is_over(ctx.now):  # carers never see an event that is over
        lines.append(_("This event is over: not shown to carers"))
    else:
        lines.append(_("Shown to carers"))
    if resource.starts_at:  # not editable here, but needed to check a course
        lines.append(_dates(ctx, resource))
    lines.append(last_checked(ctx.t, resource))
    lines.append("")
    for name, label in text_fields().items():
        if name == "name":
            continue
        value = getattr(resource, name)
        if value:
            lines.append(f"{_(label)}: {value}")
    return "\n".join(lines)


def last_checked(t: Translator, resource: Resource) -> str:
    """ "Last checked: 3 December 2026", as dates are written elsewhere (not 2026-12-03)."""
    checked = resource.last_verified
    try:
        shown = t.format_date(date.fromisoformat(checked)) if checked else t.gettext("never")
    except ValueError:
        shown = checked or ""
    return t.gettext("Last checked: {date}").format(date=shown)


def area_choices(chosen: set[str], allowed: list[str], names: dict[str, str]) -> tuple[Choice, ...]:
    """Toggle buttons (`ar:N`, N the place in `allowed`) for the areas a coordinator may pick;
    chosen ones carry a tick. An index keeps the key short whatever the area code."""
    return tuple(
        Choice(f"ar:{i}", short_label(("✓ " if code in chosen else "") + names.get(code, code)))
        for i, code in enumerate(allowed)
    )


def toggled_area(key: str | None, allowed: list[str]) -> str | None:
    """The area an `ar:N` button stands for, when it is one the coordinator may pick."""
    if not key or not key.startswith("ar:") or not key[3:].isdigit():
        return None
    index = int(key[3:])
    return allowed[index] if index < len(allowed) else None


def chosen_category(choice: str | None) -> str | None:
    """The kind of help an `rc:…` button stands for; None for anything else."""
    category = (choice or "").removeprefix("rc:")
    return category if category in resources.CATEGORIES else None
