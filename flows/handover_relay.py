"""The messages of a handover that the bot sends on its own: to the coordinators of the carer's
area when a question comes in or passes its due time, and back and forth between the carer and
the coordinator who claimed it. Each is an outbox row in the transaction of the change.

The coordinator's side only ever sees the handover's number and district, never the carer's
chat id or phone number; the carer sees the coordinator's first name and organisation.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flows import outgoing
from flows.engine import N_, Choice, Context, Reply, Translator, Turn
from flows.timers import TimerContext, timer
from store import areas, coordinators, handovers, schedule, users
from store.coordinators import Coordinator, Listed
from store.db import Tx
from store.handovers import Handover

DUE_TIMER = "handover.due"
TOPIC_LABELS = {
    "respite": N_("Time off (respite care)"),
    "money": N_("Money and costs"),
    "work": N_("Work and care"),
    "emotional": N_("How I feel"),
    "practical": N_("Practical help"),
    "other": N_("Something else"),
}
PREVIEW = 300  # characters of a question shown in a notification


def parse_time(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp)


async def area_name(tx: Tx, code: str | None, t: Translator) -> str:
    if not code:
        return t.gettext("no district known")
    area = await areas.get(tx, code)
    return area.name if area else code


def too_long(ctx: Context) -> Turn:
    """A message over what is kept (either side): say so, not cut it off unseen; the question
    comes again."""
    limit = ctx.t.format_number(handovers.MAX_MESSAGE)
    said = ctx._("That is a bit long. Please write at most {count} characters.")
    return Turn([Reply(said.format(count=limit))], understood=False)


def carer_label(handover: Handover, t: Translator) -> str:
    """How the coordinator's side names the carer: by the question's number only."""
    return t.gettext("Carer #{number}").format(number=handover.id)


def signature(me: Coordinator) -> str:
    return ", ".join(part for part in (me.first_name, me.org) if part)


def open_button(handover: Handover, t: Translator) -> Choice:
    return Choice(
        f"hq:{handover.id}", t.gettext("Open question #{number}").format(number=handover.id)
    )


async def _area_names(
    tx: Tx,
    handover: Handover,
    recipients: list[Listed],
    translators: Callable[[str], Translator],
    default_language: str,
) -> dict[str, str]:
    """The handover's district by name, in each recipient's language."""
    names = {}
    for item in recipients:
        lang = item.language or default_language
        names[lang] = await area_name(tx, handover.area_code, translators(lang))
    return names


async def _coordinator_message(
    tx: Tx,
    handover: Handover,
    recipients: list[Listed],
    translators: Callable[[str], Translator],
    default_language: str,
    key: str,
    now: datetime,
    text: Callable[[Translator], str],
) -> int:
    sent = 0
    for item in recipients:
        t = translators(item.language or default_language)
        added = await outgoing.send(
            tx,
            item.channel,
            item.external_id,
            [Reply(text(t), (open_button(handover, t),))],
            f"ho:{handover.id}:{key}:{item.coordinator.user_id}",
            now=now,
            handover_id=handover.id,
        )
        sent += added
    return sent


async def question_opened(
    tx: Tx,
    handover: Handover,
    translators: Callable[[str], Translator],
    default_language: str,
    now: datetime,
) -> int:
    """Tell the coordinators of the area (and the admins) about a new question, and set the timer
    that sends it again when nobody has answered by its due time. Returns how many were told."""
    recipients = await coordinators.for_area(tx, handover.area_code)
    names = await _area_names(tx, handover, recipients, translators, default_language)
    question = handover.question
    if len(question) > PREVIEW:
        question = question[:PREVIEW].rstrip() + "…"

    def text(t: Translator) -> str:
        return (
            t.gettext("New question from a carer in {area}: {topic}.").format(
                area=names[t.lang], topic=t.gettext(TOPIC_LABELS[handover.topic])
            )
            + "\n"
            + t.gettext("Please answer by {due}.").format(
                due=t.format_datetime(parse_time(handover.due_at))
            )
            + f"\n\n“{question}”"
        )

    sent = await _coordinator_message(
        tx, handover, recipients, translators, default_language, "new", now, text
    )
    await schedule.set_timer(
        tx, DUE_TIMER, str(handover.id), parse_time(handover.due_at), {}, now=now
    )
    return sent


@timer(DUE_TIMER)
async def question_overdue(ctx: TimerContext, key: str, payload: dict) -> None:
    """Past its due time without an answer: to every coordinator of the area and the admins."""
    handover = await handovers.get(ctx.tx, int(key))
    if handover is None or not handover.is_open or handover.answered_at:
        return
    recipients = await coordinators.for_area(ctx.tx, handover.area_code)
    names = await _area_names(ctx.tx, handover, recipients, ctx.translators, ctx.default_language)

    def text(t: Translator) -> str:
        return t.gettext(
            "Question #{number} from a carer in {area} has no answer yet. It was due {due}. "
            "Can you take it?"
        ).format(
            number=handover.id,
            area=names[t.lang],
            due=t.format_datetime(parse_time(handover.due_at)),
        )

    await _coordinator_message(
        ctx.tx,
        handover,
        recipients,
        ctx.translators,
        ctx.default_language,
        "late",
        ctx.now,
        text,
    )


async def _carer(tx: Tx, handover: Handover) -> users.User | None:
    async with tx.execute(
        "SELECT channel, external_id FROM users WHERE id = ?", (handover.user_id,)
    ) as cur:
        row = await cur.fetchone()
    return await users.get(tx, row["channel"], row["external_id"]) if row else None


async def to_carer(
    tx: Tx,
    handover: Handover,
    translators: Callable[[str], Translator],
    key: str,
    now: datetime,
    text: Callable[[Translator], str],
    *,
    closed: bool = False,
) -> bool:
    """A message to the carer of this handover, in their language, with the buttons to answer
    and to close (or only the menu once it is closed)."""
    carer = await _carer(tx, handover)
    if carer is None:
        return False
    t = translators(carer.language or handover.language)
    if closed:
        choices = (Choice("menu", t.gettext("Main menu")),)
    else:
        choices = (
            Choice(f"hc:r:{handover.id}", t.gettext("Answer")),
            Choice(f"hc:c:{handover.id}", t.gettext("Close my question")),
        )
    return await outgoing.send(
        tx,
        carer.channel,
        carer.external_id,
        [Reply(text(t), choices)],
        f"ho:{handover.id}:{key}",
        now=now,
        handover_id=handover.id,
    )


async def to_claimer(
    tx: Tx,
    handover: Handover,
    translators: Callable[[str], Translator],
    default_language: str,
    key: str,
    now: datetime,
    text: Callable[[Translator], str],
) -> int:
    """A message to the coordinator who claimed the handover (none yet: nobody is told; the
    message waits in the question until someone opens it)."""
    if handover.claimed_by is None:
        return 0
    recipients = [
        item
        for item in await coordinators.list_all(tx)
        if item.coordinator.user_id == handover.claimed_by
    ]
    return await _coordinator_message(
        tx, handover, recipients, translators, default_language, key, now, text
    )
