"""Telegram as a `Channel` for the outbox sender: messages the bot sends on its own.

It uses the bot of the running Application, so these messages share the rate limiter (and so
the overall pace) with the answers to carers. Telegram's errors become outcomes: 403 blocked,
429 retry after, a timeout uncertain (it may have arrived), anything else a failure to retry.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from telegram import Bot, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError, TimedOut

from bot.channels import Outcome, SendResult
from bot.telegram_render import NO_PREVIEW, Outgoing, render, send_outgoing
from flows.engine import Reply

CHANNEL = "telegram"
GONE = ("chat not found", "user is deactivated", "bot was kicked")


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramOutbox:
    name = CHANNEL

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, recipient: str, replies: list[Reply]) -> SendResult:
        """Send the replies as one or more messages. When a later part fails after an earlier
        one went out, the whole is "uncertain": sending it again would repeat the first part."""
        try:
            chat_id = int(recipient)
        except ValueError:
            return SendResult(Outcome.BLOCKED, detail="not a Telegram chat id")
        result = SendResult(Outcome.DELIVERED)
        for sent, message in enumerate(render(replies)):
            result = await self._one(chat_id, message)
            if result.outcome is not Outcome.DELIVERED:
                if sent and result.outcome in (Outcome.FAILED, Outcome.RETRY_AFTER):
                    return SendResult(Outcome.UNCERTAIN, detail=f"partly sent: {result.detail}")
                return result
        return result  # with the id of the last message, which holds the buttons

    async def edit(self, recipient: str, ref: str, replies: list[Reply]) -> SendResult:
        """Change the text message `ref` sent earlier (a progress message). When it cannot be
        changed (too old, deleted, now too long for one message), the replies go as a new one."""
        messages = render(replies)
        if len(messages) != 1 or messages[0].document or not ref.isdigit():
            return await self.send(recipient, replies)
        result = await self._call(
            lambda: self.bot.edit_message_text(
                messages[0].text,
                chat_id=int(recipient),
                message_id=int(ref),
                parse_mode=ParseMode.HTML,
                reply_markup=messages[0].keyboard,
                link_preview_options=NO_PREVIEW,
            ),
            ref=ref,
        )
        if result.outcome is Outcome.FAILED:
            if "not modified" in result.detail.lower():  # it says this already
                return SendResult(Outcome.DELIVERED, ref=ref)
            return await self.send(recipient, replies)
        return result

    async def _one(self, chat_id: int, message: Outgoing) -> SendResult:
        return await self._call(lambda: send_outgoing(self.bot, chat_id, message))

    async def _call(
        self, request: Callable[[], Awaitable[Message | bool]], *, ref: str = ""
    ) -> SendResult:
        """One Bot API call, its error as an outcome; delivered with the message's id."""
        try:
            sent = await request()
        except Forbidden as error:
            return SendResult(Outcome.BLOCKED, detail=error.message)
        except RetryAfter as error:
            return SendResult(
                Outcome.RETRY_AFTER, retry_after=_seconds(error.retry_after), detail="429"
            )
        except TimedOut:
            return SendResult(Outcome.UNCERTAIN, detail="timed out")
        except BadRequest as error:
            # Telegram's description names the problem, never the message text.
            if any(reason in error.message.lower() for reason in GONE):
                return SendResult(Outcome.BLOCKED, detail=error.message)
            return SendResult(Outcome.FAILED, detail=error.message)
        except TelegramError as error:
            return SendResult(Outcome.FAILED, detail=type(error).__name__)
        return SendResult(Outcome.DELIVERED, ref=ref or str(getattr(sent, "message_id", "")))
