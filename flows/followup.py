"""Follow-up after a referral: a few days after the bot showed respite or a course, "Could you
reach …?" (yes / not yet / it did not work out). The answer is counted for the statistics
without a link to the carer; "not yet" offers the help again.

Only for carers who consented (the timer names them); one pending follow-up per kind of help.
"""

from __future__ import annotations

from datetime import timedelta

from flows.engine import N_, Choice, Context, Incoming, Reply, Turn, global_prefix, goto
from flows.reminders import send_outside_quiet
from flows.timers import TimerContext, timer
from store import reminders, schedule
from store.db import Tx

KIND = "followup"
AFTER = timedelta(days=4)
CATEGORIES = {"respite": N_("time off (respite care)"), "course": N_("the course")}
ANSWERS = ("yes", "not_yet", "no")


async def plan(ctx: Context, category: str) -> None:
    """Called when respite or a course was shown: ask about it in a few days."""
    if ctx.user is None or category not in CATEGORIES:
        return
    key = f"{ctx.user.id}:{category}"
    async with ctx.tx.execute(
        "SELECT 1 FROM schedule WHERE kind = ? AND key = ? AND status = 'pending'", (KIND, key)
    ) as cur:
        if await cur.fetchone():
            return  # already planned: showing the list again does not move it
    await schedule.set_timer(
        ctx.tx, KIND, key, ctx.now + AFTER, {"area": ctx.home_area}, now=ctx.now
    )


@timer(KIND)
async def ask(ctx: TimerContext, key: str, payload: dict) -> None:
    user_id, _sep, category = key.partition(":")
    recipient = await reminders.recipient(ctx.tx, int(user_id))
    if recipient is None or not recipient.active or category not in CATEGORIES:
        return
    t = ctx.translators(recipient.language or ctx.default_language)
    _ = t.gettext
    text = _("A few days ago I showed you {what}. Could you reach it?").format(
        what=_(CATEGORIES[category])
    )
    choices = (
        Choice(f"fu:{category}:yes", _("Yes")),
        Choice(f"fu:{category}:not_yet", _("Not yet")),
        Choice(f"fu:{category}:no", _("It did not work out")),
        Choice("crisis", _("I need help right now")),
    )
    await send_outside_quiet(
        ctx.tx,
        int(user_id),
        recipient,
        [Reply(text, choices)],
        f"{KIND}:{key}:{schedule.utc(ctx.now)}",
        now=ctx.now,
    )


async def count(tx: Tx, category: str, area: str | None, answer: str, day: str) -> None:
    await tx.execute(
        "INSERT INTO followup_answers (category, area_code, answer, day) VALUES (?, ?, ?, ?)",
        (category, area, answer, day),
    )


@global_prefix("fu:")
async def answered(ctx: Context, msg: Incoming) -> Turn:
    _prefix, category, answer = ((msg.choice or "") + "::").split(":")[:3]
    if category not in CATEGORIES or answer not in ANSWERS:
        return goto("menu.main")
    await count(ctx.tx, category, ctx.home_area, answer, ctx.now.date().isoformat())
    _ = ctx._
    if answer == "not_yet":
        from flows import find_help  # the doors of "I am looking for help"

        return await find_help.open_door(ctx, category)
    if answer == "yes":
        return goto("menu.main", Reply(_("Good to hear. Thank you for letting me know.")))
    return goto(
        "menu.main",
        Reply(_("Sorry it did not work out. You can ask a carer support adviser for help.")),
    )
