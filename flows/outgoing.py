"""Messages a flow sends to someone other than the person it is answering, or later.

A flow only writes an outbox row, in its own transaction: the sender in bot/ delivers it. The
replies are kept as JSON so every channel renders them the way it renders an answer.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from flows.engine import Choice, Document, Reply
from store import outbox
from store.db import Tx

# Channels whose outbox sender can change a message it sent before (a progress message kept up
# to date); on the others such a change arrives as a new message, so flows send fewer of them.
EDITABLE_CHANNELS = frozenset({"telegram"})


def dump(replies: list[Reply]) -> str:
    items: list[dict[str, Any]] = []
    for reply in replies:
        item: dict[str, Any] = {"text": reply.text}
        if reply.choices:
            item["choices"] = [[choice.key, choice.label] for choice in reply.choices]
        if reply.document:
            item["document"] = {
                "filename": reply.document.filename,
                "mime_type": reply.document.mime_type,
                "content": base64.b64encode(reply.document.content).decode(),
            }
        items.append(item)
    return json.dumps(items, ensure_ascii=False)


def load(payload: str) -> list[Reply]:
    replies = []
    for item in json.loads(payload):
        document = None
        if "document" in item:
            doc = item["document"]
            document = Document(doc["filename"], base64.b64decode(doc["content"]), doc["mime_type"])
        choices = tuple(Choice(key, label) for key, label in item.get("choices", []))
        replies.append(Reply(item["text"], choices, document))
    return replies


async def send(
    tx: Tx,
    channel: str,
    recipient: str,
    replies: list[Reply],
    unique_key: str,
    *,
    now: datetime,
    not_before: datetime | None = None,
    handover_id: int | None = None,
    edits: str | None = None,
) -> bool:
    """Queue `replies` for `recipient` (their external id on `channel`); False when a message
    with this `unique_key` was queued before (then nothing changes). `edits`: the unique_key of
    an earlier message to them that this one replaces where the channel can (EDITABLE_CHANNELS)."""
    return await outbox.enqueue(
        tx,
        channel,
        recipient,
        dump(replies),
        unique_key,
        now=now,
        not_before=not_before,
        handover_id=handover_id,
        edits=edits,
    )
