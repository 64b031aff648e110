"""Freshness: once a week every coordinator gets the resources in their areas that nobody has
checked for 180 days, each with "Klopt nog" / "Wijzigen" / "Archiveren" buttons.

The weekly timer lives in the schedule table (the first one comes with migration 0010); its
handler queues one outbox message per coordinator, in the same transaction, and sets the timer
for the week after. The buttons work from any step, but only for a coordinator who may change
that resource (flows/coordinators/access.py): a replayed button changes nothing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

from flows.coordinators.access import coordinator_choice
from flows.coordinators.resource_fields import last_checked
from flows.coordinators.resource_manage import CARD, STALE_DAYS, actor, editable, not_yours
from flows.engine import (
    Choice,
    Context,
    Incoming,
    Reply,
    Translator,
    Turn,
    goto,
    not_understood,
)
from flows.outgoing import send
from flows.timers import TimerContext, timer
from store import coordinators, managed_resources, schedule, users
from store.coordinators import Coordinator
from store.db import Tx
from store.resources import Resource

KIND = "freshness"
SHOWN = 10  # resources in one digest; the rest are in /beheer → "To check"
PREFIX = "fr:"
ACTIONS = ("ok", "ed", "ar")


def key_for(action: str, resource_id: str) -> str | None:
    """The button key, or None when the id is too long for Telegram's 64 bytes."""
    key = f"{PREFIX}{action}:{resource_id}"
    return key if len(key.encode()) <= 64 else None


async def stale_for(tx: Tx, me: Coordinator, now: datetime) -> list[Resource]:
    """Active resources the coordinator may change, not checked for STALE_DAYS days."""
    codes = await coordinators.area_codes(tx, me)
    found = await managed_resources.in_scope(
        tx, codes, stale_before=now.date() - timedelta(days=STALE_DAYS)
    )
    return [r for r in found if managed_resources.manageable(r, codes)]


def digest(t: Translator, found: list[Resource]) -> list[Reply]:
    _ = t.gettext
    replies = [
        Reply(
            _(
                "Weekly check: these resources in your areas have not been checked for more "
                "than 180 days. Are they still correct?"
            )
        )
    ]
    for resource in found[:SHOWN]:
        text = f"{resource.name}\n" + last_checked(t, resource)
        labels = {"ok": _("Still correct"), "ed": _("Edit"), "ar": _("Archive (hide)")}
        keys = {action: key_for(action, resource.id) for action in ACTIONS}
        choices = tuple(Choice(key, labels[a]) for a, key in keys.items() if key)
        replies.append(Reply(text, choices))
    if len(found) > SHOWN:
        replies.append(
            Reply(_("And {n} more: see /beheer, Resources, To check.").format(n=len(found) - SHOWN))
        )
    return replies


@timer(KIND)
async def weekly(ctx: TimerContext, key: str, payload: dict) -> None:
    """Queue this week's digests and set next week's timer."""
    for listed in await coordinators.list_all(ctx.tx):
        found = await stale_for(ctx.tx, listed.coordinator, ctx.now)
        if not found:
            continue
        user = await users.get(ctx.tx, listed.channel, listed.external_id)
        if user is not None and not user.active:
            continue  # they blocked the bot
        t = ctx.translators((user.language if user else None) or ctx.default_language)
        await send(
            ctx.tx,
            listed.channel,
            listed.external_id,
            digest(t, found),
            f"{KIND}:{listed.coordinator.user_id}:{key}",
            now=ctx.now,
        )
    following = next_run(ctx.now)
    # A new key each week: the timer that fires now is marked done after this handler.
    await schedule.set_timer(ctx.tx, KIND, following.date().isoformat(), following, {}, now=ctx.now)


def next_run(now: datetime) -> datetime:
    """The next Monday after `now`, at 08:00 UTC (Monday morning in the Netherlands)."""
    day = now.astimezone(UTC).date() + timedelta(days=1)
    day += timedelta(days=(7 - day.weekday()) % 7)
    return datetime.combine(day, time(8, 0), tzinfo=UTC)


@coordinator_choice(PREFIX)
async def pressed(ctx: Context, msg: Incoming, me: Coordinator) -> Turn:
    _ = ctx._
    action, _sep, resource_id = (msg.choice or "").removeprefix(PREFIX).partition(":")
    if action not in ACTIONS or not resource_id:
        return not_understood()
    resource = await editable(ctx, me, resource_id)
    if resource is None:
        return not_yours(ctx)
    if action == "ed":
        return goto("beheer.res.edit", data={"id": resource.id})
    if action == "ok":
        await managed_resources.verify(ctx.tx, actor(me), resource, ctx.now.date())
        done = _("Thank you: marked as checked today.")
    else:
        await managed_resources.save(ctx.tx, actor(me), resource, replace(resource, active=False))
        done = _("Archived: carers no longer see it.")
    return goto(CARD, Reply(done), data={"id": resource.id})
