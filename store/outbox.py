"""The outbox: messages the bot sends on its own, queued in the transaction that causes them.

A flow calls `enqueue` inside its own transaction; the sender (bot/sender.py) claims due rows
with `claim`, sends them and records the outcome with one of the `mark_*` calls. A claimed row
carries a lease: when the process dies mid-send, the row is claimed again after the lease ends
(so at most the messages in flight at a crash can arrive twice). Everything else arrives once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from store.db import Tx
from store.schedule import utc

# Called with the channel name after a row is queued, so an idle sender in this process wakes at
# once (the row becomes visible when the caller's transaction commits; the sender's claim waits
# for the database lock until then).
_listeners: list[Callable[[str], None]] = []


def on_enqueue(listener: Callable[[str], None]) -> Callable[[], None]:
    """Register a wake-up call; returns a function that removes it again."""
    _listeners.append(listener)
    return lambda: _listeners.remove(listener)


def notify(channel: str) -> None:
    """Wake the senders of `channel`: for rows queued other than through `enqueue`."""
    for listener in list(_listeners):
        listener(channel)


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value)


@dataclass(frozen=True)
class Message:
    id: int
    channel: str
    recipient: str
    payload: str
    unique_key: str
    not_before: str
    status: str
    attempts: int
    edits: str | None = None


async def enqueue(
    tx: Tx,
    channel: str,
    recipient: str,
    payload: str,
    unique_key: str,
    *,
    now: datetime,
    not_before: datetime | None = None,
    handover_id: int | None = None,
    edits: str | None = None,
) -> bool:
    """Queue a message; False (and nothing changes) when `unique_key` was queued before.
    A message about a handover names it, so it goes when the handover is erased. `edits`: the
    unique_key of an earlier row to the same recipient whose message this one replaces in place
    (where the channel can change a sent message; elsewhere it is sent as a new message)."""
    async with tx.execute(
        "INSERT INTO outbox (channel, recipient, payload, unique_key, not_before, created_at, "
        "handover_id, edits) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (unique_key) DO NOTHING "
        "RETURNING id",
        (
            channel,
            recipient,
            payload,
            unique_key,
            utc(not_before or now),
            utc(now),
            handover_id,
            edits,
        ),
    ) as cur:
        added = bool(cur.rows)
    if added:
        notify(channel)
    return added


def _message(row) -> Message:
    return Message(
        id=row["id"],
        channel=row["channel"],
        recipient=row["recipient"],
        payload=row["payload"],
        unique_key=row["unique_key"],
        not_before=row["not_before"],
        status=row["status"],
        attempts=row["attempts"],
        edits=row["edits"],
    )


async def due(
    tx: Tx,
    channel: str,
    now: datetime,
    *,
    limit: int,
    recipient: str | None = None,
    exclude: set[int] | frozenset[int] = frozenset(),
) -> list[Message]:
    """Rows ready to send, oldest first: queued and due, or claimed by a sender whose lease ran
    out. Only the first unsent row of each recipient is ready (a later one waits for it), so one
    person's messages arrive in the order they were queued."""
    stamp = utc(now)
    params: list[object] = [channel, stamp, stamp]
    where = ""
    if recipient is not None:
        where = " AND o.recipient = ?"
        params.append(recipient)
    async with tx.execute(
        "SELECT o.* FROM outbox o WHERE o.channel = ? AND ("
        " (o.status = 'queued' AND o.not_before <= ?)"
        " OR (o.status = 'sending' AND o.lease_until <= ?)"
        f"){where} AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.channel = o.channel"
        " AND e.recipient = o.recipient AND e.id < o.id AND e.status IN ('queued', 'sending')"
        " AND e.not_before <= o.not_before) ORDER BY o.not_before, o.id LIMIT ?",
        [*params, limit + len(exclude)],
    ) as cur:
        rows = [_message(row) for row in await cur.fetchall()]
    return [row for row in rows if row.id not in exclude][:limit]


async def claim(tx: Tx, ids: list[int], now: datetime, lease: timedelta) -> None:
    """Take rows for sending until `now + lease`."""
    await tx.executemany(
        "UPDATE outbox SET status = 'sending', lease_until = ? WHERE id = ?",
        [(utc(now + lease), row_id) for row_id in ids],
    )


async def next_due(tx: Tx, channel: str) -> datetime | None:
    """When the next row becomes ready: a queued row that waits for no earlier row of the same
    recipient, or a lease that ends. None when there is none."""
    async with tx.execute(
        "SELECT min(t) FROM ("
        " SELECT min(o.not_before) AS t FROM outbox o WHERE o.channel = ? AND o.status = 'queued'"
        " AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.channel = o.channel"
        " AND e.recipient = o.recipient AND e.id < o.id AND e.status IN ('queued', 'sending')"
        " AND e.not_before <= o.not_before)"
        " UNION ALL"
        " SELECT min(lease_until) FROM outbox WHERE channel = ? AND status = 'sending')",
        (channel, channel),
    ) as cur:
        row = await cur.fetchone()
    return parse(row[0]) if row and row[0] else None


async def _finish(
    tx: Tx, row_id: int, status: str, now: datetime, detail: str, ref: str | None = None
) -> None:
    await tx.execute(
        "UPDATE outbox SET status = ?, payload = '', lease_until = NULL, done_at = ?, detail = ?, "
        "sent_ref = ? WHERE id = ? AND status = 'sending'",
        (status, utc(now), detail, ref, row_id),
    )


async def mark_delivered(tx: Tx, row_id: int, now: datetime, ref: str = "") -> None:
    """`ref`: the channel's id of the message sent, kept only when a later row may change it."""
    await _finish(tx, row_id, "delivered", now, "", ref or None)


async def sent_ref(tx: Tx, channel: str, recipient: str, unique_key: str) -> str | None:
    """The channel's id of the message sent for `unique_key` to this recipient, if known."""
    async with tx.execute(
        "SELECT sent_ref FROM outbox WHERE unique_key = ? AND channel = ? AND recipient = ?",
        (unique_key, channel, recipient),
    ) as cur:
        return cur.rows[0][0] if cur.rows else None


async def mark_uncertain(tx: Tx, row_id: int, now: datetime, detail: str) -> None:
    """It may have arrived: never sent again, so nobody gets it twice."""
    await _finish(tx, row_id, "uncertain", now, detail)


async def mark_blocked(tx: Tx, row_id: int, now: datetime, detail: str) -> int:
    """The recipient blocked the bot: this row and every other unsent one to them are dropped.
    Returns how many rows that were."""
    async with tx.execute("SELECT channel, recipient FROM outbox WHERE id = ?", (row_id,)) as cur:
        row = await cur.fetchone()
    if row is None:
        return 0
    async with tx.execute(
        "UPDATE outbox SET status = 'blocked', payload = '', lease_until = NULL, done_at = ?, "
        "detail = ? WHERE channel = ? AND recipient = ? AND (id = ? OR status = 'queued') "
        "RETURNING id",
        (utc(now), detail, row["channel"], row["recipient"], row_id),
    ) as cur:
        return len(cur.rows)


async def retry_later(
    tx: Tx, row_id: int, when: datetime, *, failed: bool, max_attempts: int, detail: str
) -> bool:
    """Back to the queue until `when`. A failure counts towards `max_attempts` (then the row is
    final: failed); flood control does not. Returns True when the row will be tried again."""
    async with tx.execute(
        "SELECT attempts FROM outbox WHERE id = ? AND status = 'sending'", (row_id,)
    ) as cur:
        row = await cur.fetchone()
    if row is None:
        return False
    attempts = row[0] + (1 if failed else 0)
    if failed and attempts >= max_attempts:
        await tx.execute("UPDATE outbox SET attempts = ? WHERE id = ?", (attempts, row_id))
        await _finish(tx, row_id, "failed", when, detail)
        return False
    await tx.execute(
        "UPDATE outbox SET status = 'queued', lease_until = NULL, not_before = ?, attempts = ?, "
        "detail = ? WHERE id = ?",
        (utc(when), attempts, detail, row_id),
    )
    return True


async def counts(tx: Tx, channel: str | None = None) -> dict[str, int]:
    """Rows per status (for reports and tests)."""
    query = "SELECT status, count(*) FROM outbox"
    params: tuple[str, ...] = ()
    if channel:
        query += " WHERE channel = ?"
        params = (channel,)
    async with tx.execute(query + " GROUP BY status", params) as cur:
        return {row[0]: row[1] for row in await cur.fetchall()}
