"""The Telegram channel (python-telegram-bot): updates in, the engine's replies out.

A private-chat message or button press becomes an `Incoming` for the engine; its replies become
HTML messages with inline buttons (`bot.telegram_render`). One user's updates are handled and
answered strictly in order; different users run concurrently. A user who blocks the bot is marked
inactive (and active again when they unblock it). Logs name users only by a keyed hash and never
contain message texts or the token.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import os
import re
import secrets
import signal
import time
import weakref
from collections import OrderedDict
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from telegram import (
    BotCommand,
    BotCommandScopeDefault,
    ChatMemberUpdated,
    Message,
    Update,
)
from telegram.constants import ChatType
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import (
    ApplicationBuilder,
    BaseUpdateProcessor,
    CallbackContext,
    TypeHandler,
)

from bot import private_logs
from bot.config import Config
from bot.inactive_users import InactiveUsers
from bot.pacing import Pacer
from bot.scheduler import Scheduler
from bot.sender import Sender, SenderSettings
from bot.serve import make_engine
from bot.telegram_http import AiohttpRequest, PacedRateLimiter, TolerantBot
from bot.telegram_outbox import TelegramOutbox
from bot.telegram_render import Outgoing, render, send_outgoing
from bot.telegram_webhook import WebhookServer
from flows import Document, Engine, Incoming, Reply
from flows.engine import COMMANDS, N_
from store.db import Database

log = logging.getLogger(__name__)

CHANNEL = "telegram"
# Messages a second into chats, overall: below Telegram's bulk limit of about 30, so a broadcast to
# thousands of carers is not held up by "too many requests" answers.
DEFAULT_RATE = 25.0
POLL_TIMEOUT = 30  # seconds a getUpdates long poll may wait for news
# A pause after each poll: under load the next poll then brings several updates at once (fewer
# calls); a lone carer's message arrives during a pending long poll and is not delayed.
POLL_INTERVAL = 0.02
MAX_CONCURRENT_UPDATES = 32
MAX_KEYBOARDS = 10_000  # chats whose last question's buttons are remembered (to take them away)
SEND_ATTEMPTS = 3  # tries of a reply that meets network errors
ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CALLBACK_QUERY,
    Update.MY_CHAT_MEMBER,
]
GROUP_TYPES = (ChatType.GROUP, ChatType.SUPERGROUP, ChatType.CHANNEL)
EXIT_BAD_TOKEN = 2
DEFAULT_LISTEN = "127.0.0.1:8080"
MAX_DOCUMENT_BYTES = 5_000_000  # a resource list is far smaller; larger files are not fetched

# The commands menu: the Dutch name, the English name, what it does. A command appears only when
# a flow registered it, so the menu never offers a command that would not be understood.
COMMAND_MENU = (
    ("start", "start", N_("Start, or start again")),
    ("menu", "menu", N_("The main menu")),
    ("hulp", "help", N_("Help right now: helplines")),
    ("taal", "language", N_("Change the language")),
    ("mijngegevens", "mydata", N_("See what I store about you")),
    ("vergeetmij", "forgetme", N_("Erase everything I store about you")),
    ("stop", "stop", N_("Pause the conversation")),
)
# Kinds of message content the bot cannot read, in the order they are recognised (an animation
# also carries a document, a venue also a location).
UNSUPPORTED_KINDS = (
    "animation",
    "sticker",
    "photo",
    "voice",
    "video_note",
    "video",
    "audio",
    "document",
    "venue",
    "location",
    "contact",
    "poll",
    "dice",
    "game",
    "story",
)


@dataclass(frozen=True)
class WebhookSettings:
    url: str  # public https URL Telegram posts to; its path is the path the bot listens on
    host: str
    port: int
    secret: str  # Telegram sends it in X-Telegram-Bot-Api-Secret-Token; others are refused

    @property
    def path(self) -> str:
        return urlsplit(self.url).path.lstrip("/")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> WebhookSettings:
        env = dict(os.environ if env is None else env)
        url = env.get("MANTELBOT_WEBHOOK_URL", "")
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname:
            # Telegram posts updates (health data) only to https; http would be refused anyway.
            raise ValueError(
                "MANTELBOT_WEBHOOK_URL must be the public https:// URL of the webhook, "
                "e.g. https://bot.example.org/telegram"
            )
        listen = env.get("MANTELBOT_WEBHOOK_LISTEN") or DEFAULT_LISTEN
        host, _, port = listen.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError("MANTELBOT_WEBHOOK_LISTEN must be host:port, e.g. 127.0.0.1:8080")
        secret = env.get("MANTELBOT_WEBHOOK_SECRET") or secrets.token_urlsafe(32)
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise ValueError(
                "MANTELBOT_WEBHOOK_SECRET may hold 1-256 letters, digits, _ and - only"
            )
        return cls(url, host.strip("[]"), int(port), secret)


# As @BotFather gives it: the bot's numeric id, a colon, then a secret of letters, digits, _ and -.
TOKEN_FORMAT = re.compile(r"[0-9]{1,20}:[A-Za-z0-9_-]{20,}")


def check_token(token: str | None) -> None:
    """A token that cannot be one is refused before the first request (which would put it in a
    URL). The message never repeats the token."""
    if token is not None and not TOKEN_FORMAT.fullmatch(token):
        raise ValueError(
            "TELEGRAM_BOT_TOKEN does not look like a token from @BotFather "
            "(digits, a colon, then letters, digits, _ or -)"
        )


def rate_from_env(env: dict[str, str] | None = None) -> float:
    """MANTELBOT_TELEGRAM_RATE: requests per second into chats, overall (0: no pacing)."""
    value = (os.environ if env is None else env).get("MANTELBOT_TELEGRAM_RATE") or str(DEFAULT_RATE)
    try:
        rate = float(value)
    except ValueError:
        rate = -1
    if rate < 0:
        raise ValueError("MANTELBOT_TELEGRAM_RATE must be a number of messages per second, or 0")
    return rate


class OneUserInOrder(BaseUpdateProcessor):
    """Runs updates concurrently, but one user's updates one after the other, in arrival order.

    The user's lock is taken first thing in the update's task (tasks start in arrival order), and
    only then a slot: a user who sends fifty messages at once holds one slot, not fifty.
    """

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._slots = asyncio.BoundedSemaphore(max_concurrent_updates)
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()

    async def process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        user = update.effective_user if isinstance(update, Update) else None
        if user is None:
            async with self._slots:
                await coroutine
            return
        lock = self._locks.get(user.id)
        if lock is None:
            lock = self._locks[user.id] = asyncio.Lock()
        async with lock, self._slots:
            await coroutine

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        await coroutine  # not used: process_update above does the work

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


def unsupported_kind(message: Message) -> str | None:
    for kind in UNSUPPORTED_KINDS:
        if getattr(message, kind, None):
            return kind
    return None


class DeliveryMarks:
    """Tells the engine which turns' replies arrived, many users in one write (a group commit).

    A handler waits for its mark before the user's next update is handled, so a mark never
    lands on a later turn than the one it belongs to.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._waiting: dict[str, list[asyncio.Future[None]]] = {}
        self._flushing: asyncio.Task[None] | None = None

    async def mark(self, external_id: str) -> None:
        future = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(external_id, []).append(future)
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.create_task(self._flush())
        await future

    async def _flush(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, {}
            try:
                await self.engine.delivered(CHANNEL, list(batch))
            except Exception as error:  # at worst the question is shown once more
                log.warning("could not mark replies delivered: %s", type(error).__name__)
            for futures in batch.values():
                for future in futures:
                    if not future.done():
                        future.set_result(None)


class TelegramChannel:
    """Turns updates into engine calls and replies into Bot API calls."""

    def __init__(self, engine: Engine, token: str) -> None:
        self.engine = engine
        # A key for the user hashes in logs: stable for this bot, never printed.
        self._salt = hashlib.sha256(b"mantelbot-log-salt:" + token.encode()).digest()
        self._inactive = InactiveUsers(engine.db, CHANNEL)
        self._marks = DeliveryMarks(engine)
        # The newest message with buttons in each private chat: typing an answer takes them away.
        self._keyboards: OrderedDict[int, int] = OrderedDict()
        self._left: set[int] = set()  # groups this process said goodbye to

    def user_ref(self, user_id: int) -> str:
        return hmac.new(self._salt, str(user_id).encode(), hashlib.sha256).hexdigest()[:12]

    def _translator(self, hint: str | None):
        lang = (hint or "").split("-")[0].lower()
        return self.engine.translator(
            lang if lang in self.engine.languages else self.engine.default_language
        )

    async def on_update(self, update: Update, context: CallbackContext) -> None:
        started = time.perf_counter()
        if update.my_chat_member:
            await self._on_member(update.my_chat_member, context)
        elif update.callback_query:
            await self._on_button(update, context)
        elif update.message:
            await self._on_message(update.message, context, update.update_id)
        elif update.edited_message:
            await self._on_message(update.edited_message, context, update.update_id, edited=True)
        else:
            return
        log.debug("update done ms=%.1f", (time.perf_counter() - started) * 1000)

    async def _on_message(
        self, message: Message, context: CallbackContext, update_id: int, edited: bool = False
    ) -> None:
        user = message.from_user
        if user is None or user.is_bot:
            return
        ref = self.user_ref(user.id)
        if message.chat.type != ChatType.PRIVATE:
            await self._leave_group(context, message.chat_id, user.language_code)
            return
        kind = unsupported_kind(message)
        if message.text is None and kind is None:
            log.info("ignored service message user=%s", ref)
            return
        external_id = str(user.id)
        await self._inactive.wrote(external_id, ref)
        document = await self._download(message, ref) if kind == "document" else None
        incoming = Incoming(
            CHANNEL,
            external_id,
            text=message.text if kind is None else None,
            language_hint=user.language_code,
            unsupported=kind if document is None else None,
            user_ref=ref,
            document=document,
            update_id=update_id,
            confirms_delivery=True,
            edited=edited,
        )
        # An answer typed under a question with buttons: those buttons are done with.
        keyboard = None if edited else self._keyboards.pop(message.chat_id, None)
        if keyboard is None:
            replies = await self.engine.handle(incoming)
        else:
            remove = context.bot.edit_message_reply_markup(message.chat_id, keyboard)
            _, replies = await asyncio.gather(
                self._quietly(remove, "edit", ref), self.engine.handle(incoming)
            )
        await self._deliver(context, message.chat_id, external_id, ref, replies)

    async def _leave_group(self, context: CallbackContext, chat_id: int, hint: str | None) -> None:
        """Say once that the bot works in private chats only, then leave the group."""
        if chat_id in self._left:
            return
        self._left.add(chat_id)
        t = self._translator(hint)
        text = t.gettext(
            "I only work in a private chat, so that what you tell me stays between us. "
            "Tap my name and send me a message there."
        )
        log.info("added to a group: said private chat only, leaving")
        await self._deliver(context, chat_id, None, "-", [Reply(text)])
        await self._quietly(context.bot.leave_chat(chat_id), "leaveChat", "-")

    async def _download(self, message: Message, ref: str) -> Document | None:
        """A file the user sent (a coordinator's CSV), fetched with getFile; None when it is too
        large or cannot be fetched (the engine then says it reads only text)."""
        sent = message.document
        if sent is None or (sent.file_size or 0) > MAX_DOCUMENT_BYTES:
            return None
        try:
            file = await sent.get_file()
            content = bytes(await file.download_as_bytearray())
        except TelegramError as error:
            log.info("file not fetched user=%s: %s", ref, type(error).__name__)
            return None
        if len(content) > MAX_DOCUMENT_BYTES:
            return None
        return Document(
            sent.file_name or "file", content, sent.mime_type or "application/octet-stream"
        )

    async def _on_button(self, update: Update, context: CallbackContext) -> None:
        query = update.callback_query
        user = query.from_user
        ref = self.user_ref(user.id)
        message = query.message
        # Answer at once (the button stops spinning) and take the keyboard off the pressed
        # message, so an old button cannot be pressed again into a state it does not fit.
        chores = [self._quietly(query.answer(), "answerCallbackQuery", ref)]
        if isinstance(message, Message) and message.reply_markup:
            chores.append(self._quietly(message.edit_reply_markup(reply_markup=None), "edit", ref))
        private = message is None or message.chat.type == ChatType.PRIVATE
        if query.data is None or not private:
            await asyncio.gather(*chores)
            return
        external_id = str(user.id)
        await self._inactive.wrote(external_id, ref)
        incoming = Incoming(
            CHANNEL,
            external_id,
            choice=query.data,
            language_hint=user.language_code,
            user_ref=ref,
            update_id=update.update_id,
            confirms_delivery=True,
        )
        if isinstance(message, Message) and self._keyboards.get(message.chat.id) == message.id:
            del self._keyboards[message.chat.id]  # taken away above
        *_, replies = await asyncio.gather(*chores, self.engine.handle(incoming))
        chat_id = message.chat.id if message else user.id
        await self._deliver(context, chat_id, external_id, ref, replies)

    async def _on_member(self, change: ChatMemberUpdated, context: CallbackContext) -> None:
        """The user blocked (kicked) or unblocked the bot in their private chat; or someone
        added the bot to a group."""
        if change.chat.type in GROUP_TYPES:
            if change.new_chat_member.status in ("member", "administrator", "restricted"):
                await self._leave_group(context, change.chat.id, change.from_user.language_code)
            return
        if change.chat.type != ChatType.PRIVATE:
            return
        status = change.new_chat_member.status
        active = status not in ("kicked", "left")
        ref = self.user_ref(change.from_user.id)
        await self._inactive.set_active(str(change.from_user.id), ref, active)

    async def _quietly(self, call: Awaitable[Any], what: str, ref: str) -> None:
        """Chores whose failure must not stop the answer (e.g. a too old callback query)."""
        try:
            await call
        except TelegramError as error:
            log.info("%s failed user=%s: %s", what, ref, type(error).__name__)

    async def _deliver(
        self,
        context: CallbackContext,
        chat_id: int,
        external_id: str | None,
        ref: str,
        replies: list[Reply],
    ) -> None:
        """Send one turn's messages in order; stop when the user has blocked the bot. When all
        went out, the engine hears so: after a crash it need not show the question again."""
        for outgoing in render(replies):
            try:
                sent = await self._send(context, chat_id, outgoing)
            except Forbidden:
                log.info("blocked by user=%s", ref)
                if external_id is not None:
                    await self._inactive.set_active(external_id, ref, False)
                return
            except BadRequest as error:
                # Telegram's description names the problem, never the message text.
                log.warning("refused user=%s: %s", ref, error.message)
                continue
            except TelegramError as error:
                log.warning("not sent user=%s: %s", ref, type(error).__name__)
                return
            if outgoing.keyboard and chat_id > 0:
                self._keyboards.pop(chat_id, None)
                self._keyboards[chat_id] = sent.message_id  # newest last
                if len(self._keyboards) > MAX_KEYBOARDS:
                    self._keyboards.popitem(last=False)
        if external_id is not None and replies:
            await self._marks.mark(external_id)

    async def _send(self, context: CallbackContext, chat_id: int, outgoing: Outgoing) -> Message:
        """A reply lost to a network error is sent again (a duplicate beats a loss)."""
        for attempt in range(1, SEND_ATTEMPTS):
            try:
                return await send_outgoing(context.bot, chat_id, outgoing)
            except (BadRequest, RetryAfter):  # PTB's BadRequest is a NetworkError too
                raise
            except NetworkError:
                await asyncio.sleep(0.5 * 2**attempt)
        return await send_outgoing(context.bot, chat_id, outgoing)

    async def on_error(self, update: object, context: CallbackContext) -> None:
        """Never log the update itself: it holds what the user wrote."""
        user = update.effective_user if isinstance(update, Update) else None
        ref = self.user_ref(user.id) if user else "-"
        error = context.error
        log.error("update failed user=%s: %s", ref, type(error).__name__, exc_info=error)


class TelegramBot:
    """The bot as `mantelbot run` runs it: the channel in a python-telegram-bot Application that
    talks to the Bot API server at `config.telegram_api_url`."""

    def __init__(self, config: Config, engine: Engine, *, rate: float = DEFAULT_RATE) -> None:
        if not config.telegram_token:
            raise ValueError("TELEGRAM_BOT_TOKEN is not set")
        quiet_logging(config.telegram_token)
        self.engine = engine
        self.channel = TelegramChannel(engine, config.telegram_token)
        url = config.telegram_api_url
        # One pacer for everything this bot sends into chats: replies and the outbox alike.
        self.pacer = Pacer(rate)
        self.bot = TolerantBot(
            config.telegram_token,
            base_url=f"{url}/bot",
            base_file_url=f"{url}/file/bot",
            # aiohttp instead of httpx: a quarter of the CPU per call (bot/telegram_http.py).
            request=AiohttpRequest(connection_pool_size=MAX_CONCURRENT_UPDATES * 2),
            get_updates_request=AiohttpRequest(connection_pool_size=1, read_timeout=10),
            rate_limiter=PacedRateLimiter(self.pacer),
        )
        self.app = (
            ApplicationBuilder()
            .bot(self.bot)
            .concurrent_updates(OneUserInOrder(MAX_CONCURRENT_UPDATES))
            .build()
        )
        self.app.add_handler(TypeHandler(Update, self.channel.on_update))
        self.app.add_error_handler(self.channel.on_error)
        # What the bot sends on its own goes through the same bot, so the same pacing.
        self.sender = Sender(engine.db, TelegramOutbox(self.app.bot), SenderSettings.from_env())
        self.scheduler = Scheduler(
            engine.db, engine.translator, default_language=engine.default_language
        )

    def command_menu(self, lang: str) -> list[BotCommand]:
        _ = self.engine.translator(lang).gettext
        menu = []
        for dutch, english, description in COMMAND_MENU:
            preferred, other = (dutch, english) if lang == "nl" else (english, dutch)
            name = preferred if f"/{preferred}" in COMMANDS else other
            if f"/{name}" in COMMANDS:
                menu.append(BotCommand(name, _(description)))
        return menu

    async def set_commands(self) -> None:
        """The commands menu in Dutch and English, and in the default language for the rest."""
        bot = self.app.bot
        for lang in self.engine.languages:
            await bot.set_my_commands(self.command_menu(lang), language_code=lang)
        default = self.command_menu(self.engine.default_language)
        await bot.set_my_commands(default, scope=BotCommandScopeDefault())

    async def serve(
        self,
        stop: asyncio.Event,
        webhook: WebhookSettings | None = None,
        poll_timeout: float = POLL_TIMEOUT,
    ) -> None:
        """Run until `stop` is set: long polling, or a webhook server."""
        app = self.app
        try:
            ready = await self._initialize(stop)
        except BaseException:
            await app.bot.shutdown()  # e.g. a refused token: close the connections getMe opened
            raise
        if not ready:
            await app.bot.shutdown()
            return
        server: WebhookServer | None = None
        try:
            try:
                await self.set_commands()
            except TelegramError as error:  # the menu is a nicety; the bot works without it
                log.warning("could not set the commands menu: %s", type(error).__name__)
            if webhook:
                server = WebhookServer(self.bot, app.update_queue, webhook)
                await server.start(ALLOWED_UPDATES)
                log.info("webhook listening on %s:%s", webhook.host, webhook.port)
            else:
                await app.updater.start_polling(
                    timeout=poll_timeout,
                    poll_interval=POLL_INTERVAL,
                    allowed_updates=ALLOWED_UPDATES,
                    bootstrap_retries=3,
                )
                log.info("polling for updates")
            await app.start()
            services = [
                asyncio.create_task(self.sender.run(stop)),
                asyncio.create_task(self.scheduler.run(stop)),
                asyncio.create_task(self.engine.tidy(stop)),  # expired conversations
            ]
            await stop.wait()
            await asyncio.gather(*services)
        finally:
            if server is not None:
                await server.stop()
            if app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
            await app.shutdown()

    async def _initialize(self, stop: asyncio.Event) -> bool:
        """getMe until Telegram answers: a bot started before the network is up comes up.
        False when `stop` came first."""
        delay = 1.0
        while not stop.is_set():
            try:
                await self.app.initialize()
                return True
            except InvalidToken:
                raise
            except NetworkError as error:
                log.warning("Telegram not reachable (%s); trying again", type(error).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
            delay = min(30.0, delay * 2)
        return False


def quiet_logging(token: str) -> None:
    # httpx logs every request URL at INFO, and the URL holds the token.
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    # At DEBUG, python-telegram-bot logs every call (scrubbed, but many lines): not by default.
    library = logging.getLogger("telegram")
    if library.level == logging.NOTSET:
        library.setLevel(logging.INFO)
    # Whatever is logged anyway: no raw update data from the library, never the token.
    private_logs.install(token)


async def run(db: Database, config: Config, webhook: WebhookSettings | None, rate: float) -> int:
    """`mantelbot run`, until SIGINT or SIGTERM. Returns the exit code."""
    bot = TelegramBot(config, make_engine(db, config), rate=rate)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await bot.serve(stop, webhook)
    except InvalidToken:
        log.error("Telegram refused the token in TELEGRAM_BOT_TOKEN")
        return EXIT_BAD_TOKEN
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
    log.info("stopped")
    return 0
