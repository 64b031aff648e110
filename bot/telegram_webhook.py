"""Webhook mode: Telegram posts each update to our own small web server.

PTB's webhook server parses a posted update with no way to skip one it cannot read: it answers
400, logs the whole update at CRITICAL, and Telegram sends the same update again and again while
the ones after it wait. This server reads an update as `TolerantBot` does for getUpdates (one it
cannot read is counted, logged by id only, and answered 200 so Telegram moves on) and puts the rest
on the Application's update queue, where they are handled as in polling mode.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
from typing import Any

import tornado.httpserver
import tornado.web
from telegram import Update
from telegram.error import NetworkError

from bot.telegram_http import TolerantBot

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SET_WEBHOOK_ATTEMPTS = 3


class _UpdateHandler(tornado.web.RequestHandler):
    def initialize(self, bot: TolerantBot, queue: asyncio.Queue, secret: str) -> None:
        self.bot, self.queue, self.secret = bot, queue, secret

    async def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            raise tornado.web.HTTPError(403)  # not from Telegram
        try:
            data: Any = json.loads(self.request.body)
        except ValueError as error:
            raise tornado.web.HTTPError(400) from error
        update = self.bot.read_update(data)
        if update is not None:
            await self.queue.put(update)
        self.set_status(200)  # also for an update we skipped: Telegram must not send it again

    def log_exception(self, *args: Any) -> None:
        pass  # a refused request (wrong secret, not JSON) is not worth a traceback


class WebhookServer:
    def __init__(self, bot: TolerantBot, queue: asyncio.Queue[Update], settings: Any) -> None:
        self.bot, self.queue, self.settings = bot, queue, settings
        self._server: tornado.httpserver.HTTPServer | None = None

    async def start(self, allowed_updates: list[str]) -> None:
        settings = self.settings
        app = tornado.web.Application(
            [
                (
                    rf"/{re.escape(settings.path)}/?",
                    _UpdateHandler,
                    {"bot": self.bot, "queue": self.queue, "secret": settings.secret},
                )
            ],
            log_function=lambda handler: None,  # access logs are not needed
        )
        self._server = tornado.httpserver.HTTPServer(app)
        self._server.listen(settings.port, address=settings.host)
        for attempt in range(1, SET_WEBHOOK_ATTEMPTS + 1):
            try:
                await self.bot.set_webhook(
                    settings.url, secret_token=settings.secret, allowed_updates=allowed_updates
                )
                return
            except NetworkError:
                if attempt == SET_WEBHOOK_ATTEMPTS:
                    await self.stop()
                    raise
                await asyncio.sleep(attempt)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
            self._server = None
