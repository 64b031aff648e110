"""The engine's replies as Telegram messages: HTML-escaped text, choices as inline buttons; and
the one Bot API call that sends such a message, for answers and the outbox alike.

Consecutive replies are joined into one message (a blank line between them) until a reply that
carries buttons or a document: Telegram asks bots not to send more than about one message per
second to a chat, and a turn of four bubbles is a burst. A text over Telegram's 4,096 characters
is split at paragraph, line or word boundaries; the buttons go on the last part.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Message
from telegram.constants import ParseMode

from bot import text_split
from flows.engine import Choice, Document, Reply

MAX_TEXT = 4096  # Telegram's limit for a message, counted in UTF-16 code units
MAX_CAPTION = 1024  # … and for the caption of a file
SEPARATORS = text_split.SEPARATORS
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)  # resource cards hold links; keep chats compact


@dataclass(frozen=True)
class Outgoing:
    """One Bot API call: a text message, or a document with `text` as its caption (HTML)."""

    text: str = ""
    keyboard: InlineKeyboardMarkup | None = None
    document: Document | None = None


async def send_outgoing(bot: Bot, chat_id: int, message: Outgoing) -> Message:
    """One Bot API call: the document with its caption, or the text without link previews."""
    if message.document:
        return await bot.send_document(
            chat_id,
            document=message.document.content,
            filename=message.document.filename,
            caption=message.text or None,
            parse_mode=ParseMode.HTML,
            reply_markup=message.keyboard,
        )
    return await bot.send_message(
        chat_id,
        message.text,
        parse_mode=ParseMode.HTML,
        reply_markup=message.keyboard,
        link_preview_options=NO_PREVIEW,
    )


def render(replies: Sequence[Reply], limit: int = MAX_TEXT) -> list[Outgoing]:
    messages: list[Outgoing] = []
    pending: list[str] = []  # texts waiting to be joined into one message

    def flush(choices: tuple[Choice, ...] = ()) -> None:
        text = "\n\n".join(t for t in pending if t)
        pending.clear()
        pieces = split_text(text, limit)
        if not pieces and choices:
            pieces = ["…"]  # buttons need a message to sit under
        for i, piece in enumerate(pieces):
            last = i == len(pieces) - 1
            messages.append(Outgoing(html.escape(piece), keyboard(choices) if last else None))

    for reply in replies:
        text = reply.text.strip()
        if reply.document:
            # The reply's text goes with the file as its caption when it is short enough.
            caption = text if size(text) <= MAX_CAPTION else ""
            if not caption:
                pending.append(text)
            flush()
            messages.append(Outgoing(html.escape(caption), keyboard(reply.choices), reply.document))
            continue
        pending.append(text)
        if reply.choices:
            flush(reply.choices)
    flush()
    return messages


ONE_COLUMN_MAX = 6  # up to this many buttons one per row; more in two columns


def keyboard(choices: Sequence[Choice]) -> InlineKeyboardMarkup | None:
    """One button per row, so labels stay readable on a narrow phone screen; a long list in two
    columns, so it fits on the screen without scrolling."""
    if not choices:
        return None
    buttons = [InlineKeyboardButton(choice.label, callback_data=choice.key) for choice in choices]
    width = 1 if len(buttons) <= ONE_COLUMN_MAX else 2
    return InlineKeyboardMarkup([buttons[i : i + width] for i in range(0, len(buttons), width)])


def size(text: str) -> int:
    """How Telegram counts the text once escaped: UTF-16 code units."""
    return len(html.escape(text).encode("utf-16-le")) // 2


def split_text(
    text: str, limit: int = MAX_TEXT, separators: Sequence[str] = SEPARATORS
) -> list[str]:
    """Pieces of at most `limit` (as `size` counts), cut at the coarsest boundary that works."""
    return text_split.split_text(text, limit, size, separators)
