"""/beheer → Recent changes: the last 20 changes in my areas (resources, areas, coordinators),
from the audit log."""

from __future__ import annotations

from datetime import datetime

from flows.coordinators.access import beheer_entry, coordinator_step, scope
from flows.coordinators.resource_fields import TEXT_FIELDS
from flows.engine import N_, Choice, Context, Incoming, Reply, Turn, goto, not_understood
from store import audit, coordinators
from store.coordinators import Coordinator

LAST = 20
MAX_VALUE = 40  # characters of an old or new value shown in the chat

beheer_entry("changes", N_("Recent changes"), "beheer.changes", order=70)

# Field names as the coordinator knows them from the resource screens.
FIELD_LABELS = TEXT_FIELDS | {
    "category": N_("Kind of help"),
    "areas": N_("Areas"),
    "last_verified": N_("Last checked"),
    "active": N_("Shown to carers"),
}

ACTIONS = {
    "create": N_("new"),
    "update": N_("changed"),
    "archive": N_("archived"),
    "restore": N_("restored"),
    "delete": N_("removed"),
    "invite": N_("invited"),
    "import": N_("imported"),
}


def _short(value: object) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    text = str(value)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


async def who(ctx: Context, actor: str) -> str:
    """A coordinator by first name and organisation; other actors (an import) as recorded."""
    kind, _sep, number = actor.partition(":")
    if kind == "user" and number.isdigit():
        me = await coordinators.get(ctx.tx, int(number))
        if me is not None and me.name:
            return ", ".join(part for part in (me.name, me.org) if part)
    return actor


async def describe(ctx: Context, entry: audit.Entry) -> str:
    when = ctx.t.format_datetime(datetime.fromisoformat(entry.at.replace("Z", "+00:00")))
    action = ctx._(ACTIONS.get(entry.action, entry.action))
    what = entry.entity_id
    changes = audit.as_changes(entry.detail)
    if entry.entity == "coordinator":
        named = next((v[1] or v[0] for k, v in (changes or {}).items() if k == "name"), None)
        what = ctx._("coordinator {name}").format(name=named or entry.entity_id)
    lines = [f"{when} · {await who(ctx, entry.actor)} · {what} ({action})"]
    if entry.entity == "file":  # one entry for a whole import, before those of its resources
        counts = ctx._("{created} new, {updated} changed, {unchanged} unchanged.")
        return "\n".join([*lines, "  " + counts.format_map(entry.detail)])
    if changes is None:
        changes = {field: [None, value] for field, value in entry.detail.items()}
    for field, (old, new) in sorted(changes.items()):
        if field == "id":
            continue  # named in the first line
        name = ctx._(FIELD_LABELS[field]) if field in FIELD_LABELS else field
        lines.append(f"  {name}: {_short(old)} → {_short(new)}")
    return "\n".join(lines)


async def ask_changes(ctx: Context, me: Coordinator) -> Reply:
    _ = ctx._
    allowed = await scope(ctx, me)
    found = await audit.entries(ctx.tx, limit=LAST, areas=allowed)
    if not found:
        text = _("No changes in your areas yet.")
    else:
        text = _("The last {n} changes in your areas, newest first:").format(n=len(found))
        text += "\n\n" + "\n\n".join([await describe(ctx, entry) for entry in found])
    return Reply(text, (Choice("beheer", _("Management menu")),))


@coordinator_step("beheer.changes", ask=ask_changes)
async def show(ctx: Context, msg: Incoming, me: Coordinator) -> Turn:
    if msg.choice == "beheer":
        return goto("beheer.menu")
    return not_understood()
