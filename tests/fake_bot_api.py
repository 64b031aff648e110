"""A small fake Telegram Bot API server for tests and benchmarks, over real HTTP on loopback.

It speaks the subset of the Bot API the bot uses (`{url}/bot{token}/{method}`, files under
`{url}/file/bot{token}/{path}`), refuses what Telegram refuses (text over 4,096 characters, callback
data over 64 bytes, HTML that does not parse, a callback query answered twice, an edit that changes
nothing), records every call, and can be told to fail: 403 for a user who blocked the bot, 429 with
`retry_after`, 502 for getUpdates. Like Telegram it can accept only so many messages a second and
answer the rest with 429 and a `retry_after` (`accept_per_second`), and it can hold a chat's
messages unanswered (`hold`), so a test can kill the bot while it waits for the answer. Tests play
the users: they queue updates (text, button presses, stickers, group messages, chat member
changes) and wait for the bot's calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import html
import itertools
import json
import math
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import tornado.httpserver
import tornado.netutil
import tornado.web

BOT_ID = 7000000001
BOT_USER = {"id": BOT_ID, "is_bot": True, "first_name": "Mantelbot", "username": "mantelbot_test"}
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
# Methods that act on a chat: the ones `fail` and `block` apply to.
CHAT_METHODS = {"sendMessage", "sendDocument", "editMessageText", "editMessageReplyMarkup"}
SEND_METHODS = {"sendMessage", "sendDocument"}
INT_PARAMS = {"chat_id", "message_id", "offset", "limit", "timeout"}
JSON_PARAMS = {
    "reply_markup",
    "allowed_updates",
    "commands",
    "scope",
    "link_preview_options",
    "reply_parameters",
    "entities",
}
HTML_TAG = re.compile(
    r"</?(b|strong|i|em|u|ins|s|strike|del|tg-spoiler|span|a|tg-emoji|code|pre|blockquote)"
    r"(\s[^<>]*)?>"
)
HTML_ENTITY = re.compile(r"&(lt|gt|amp|quot|#[0-9]+|#x[0-9a-fA-F]+);")


class ApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after


@dataclass
class Call:
    """One request the bot made, and what it was answered."""

    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    at: float = 0.0
    status: int = 200
    result: Any = None
    error: str | None = None
    retry_after: int | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def chat_id(self) -> int | None:
        return self.params.get("chat_id")


@dataclass
class Failure:
    status: int
    description: str
    retry_after: int | None = None


def visible_text(markup: str) -> str:
    """What the user sees of an HTML message; refuses what Telegram cannot parse."""
    out, i = [], 0
    while i < len(markup):
        char = markup[i]
        if char == "<":
            match = HTML_TAG.match(markup, i)
            if not match:
                raise ApiError(400, f"Bad Request: can't parse entities: unsupported tag at {i}")
            i = match.end()
        elif char == "&":
            match = HTML_ENTITY.match(markup, i)
            if not match:
                raise ApiError(400, f"Bad Request: can't parse entities: bad entity at {i}")
            out.append(html.unescape(match.group(0)))
            i = match.end()
        elif char == ">":
            raise ApiError(400, f"Bad Request: can't parse entities: unexpected > at {i}")
        else:
            out.append(char)
            i += 1
    return "".join(out)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def check_keyboard(markup: dict | None) -> None:
    if not markup:
        return
    rows = markup.get("inline_keyboard")
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise ApiError(400, "Bad Request: can't parse inline keyboard button: rows expected")
    for row in rows:
        for button in row:
            if not button.get("text"):
                raise ApiError(400, "Bad Request: can't parse inline keyboard button: no text")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")


class FakeBotAPI:
    """Start with `await start()`; the bot's TELEGRAM_API_URL is `url`."""

    def __init__(self, token: str = "7000000001:TEST-fake-token-for-tests") -> None:
        self.token = token
        self.calls: list[Call] = []
        self.listeners: list[Callable[[Call], None]] = []  # called for every recorded call
        self.messages: dict[tuple[int, int], dict] = {}  # (chat, message id) → the bot's message
        self.files: dict[str, tuple[str, bytes]] = {}  # file_id → (path, content)
        self.webhook: dict[str, Any] = {}
        self.blocked: set[int] = set()
        self.left: set[int] = set()  # groups the bot left
        self._failures: dict[int, deque[Failure]] = {}
        self._update_failures: deque[int] = deque()
        self._updates: deque[dict] = deque()
        self.pushed: list[dict] = []  # every update the users sent, for checks on the logs
        self._ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._callbacks: dict[str, bool] = {}  # query id → answered
        self._polls = 0  # the newest getUpdates wins, as at Telegram (409 for the older one)
        self._changed = asyncio.Event()
        self._called = asyncio.Event()
        self._server: tornado.httpserver.HTTPServer | None = None
        self._closing = False
        self.port = 0
        self.accept_per_second: float | None = None  # more chat calls in a second get a 429
        self._accepted: deque[float] = deque()  # when the chat calls of the last second came
        self.held: set[int] = set()  # chats whose messages are not answered (see `hold`)
        self.holding: list[Call] = []  # messages waiting in a held chat
        self.confirmed = 0  # the highest update id the bot confirmed (getUpdates offset - 1)

    # --- running ---

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> FakeBotAPI:
        app = tornado.web.Application(
            log_function=lambda handler: None,  # access logs would show the token in URLs
            handlers=[
                (r"/bot([^/]+)/([A-Za-z]+)", _ApiHandler, {"fake": self}),
                (r"/file/bot([^/]+)/(.+)", _FileHandler, {"fake": self}),
            ],
        )
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
        self.port = sockets[0].getsockname()[1]
        self._server = tornado.httpserver.HTTPServer(app)
        self._server.add_sockets(sockets)
        return self

    async def stop(self) -> None:
        self._closing = True
        self._wake()
        if self._server:
            self._server.stop()
            await self._server.close_all_connections()

    # --- the users' side: queue updates ---

    def user(self, user_id: int, language: str | None = "nl") -> dict:
        user = {"id": user_id, "is_bot": False, "first_name": f"Carer {user_id}"}
        if language:
            user["language_code"] = language
        return user

    def chat(self, chat_id: int, chat_type: str = "private") -> dict:
        if chat_type == "private":
            return {"id": chat_id, "type": "private", "first_name": f"Carer {chat_id}"}
        return {"id": chat_id, "type": chat_type, "title": "Family group"}

    def push(self, kind: str, payload: dict) -> int:
        update_id = next(self._ids)
        self._updates.append({"update_id": update_id, kind: payload})
        self.pushed.append(self._updates[-1])
        self._wake()
        return update_id

    def push_again(self, update: dict) -> None:
        """Send an update again, as Telegram does when its offset was not confirmed."""
        self._updates.append(copy.deepcopy(update))
        self._wake()

    def unreadable_member_change(self, user_id: int) -> int:
        """A my_chat_member update the library cannot parse: "kicked" without `until_date`."""
        update_id = self.member_status(user_id, "kicked")
        del self._updates[-1]["my_chat_member"]["new_chat_member"]["until_date"]
        return update_id

    def unreadable_poll(self, user_id: int, question: str) -> int:
        """A message with a poll that lacks most of its fields."""
        poll = {"id": "poll-1", "question": question}
        return self.push("message", self.user_message(user_id, poll=poll))

    def user_message(
        self,
        user_id: int,
        language: str | None = "nl",
        chat: dict | None = None,
        **content: Any,
    ) -> dict:
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat or self.chat(user_id),
            "from": self.user(user_id, language),
            **content,
        }

    def send_text(self, user_id: int, text: str, language: str | None = "nl", **kw: Any) -> int:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            length = len(text.split()[0])
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self.push("message", self.user_message(user_id, language, **kw, **content))

    def send_group_text(self, user_id: int, group_id: int, text: str, language: str = "nl") -> int:
        return self.send_text(user_id, text, language, chat=self.chat(group_id, "group"))

    def send_kind(self, user_id: int, kind: str, language: str | None = "nl") -> int:
        """Something that is not text: a sticker, photo, voice message, location, contact …"""
        file = {"file_id": f"file-{kind}", "file_unique_id": f"u-{kind}"}
        content = {
            "sticker": {
                "sticker": file
                | {
                    "type": "regular",
                    "width": 512,
                    "height": 512,
                    "is_animated": False,
                    "is_video": False,
                }
            },
            "photo": {"photo": [file | {"width": 90, "height": 90}]},
            "voice": {"voice": file | {"duration": 3}},
            "location": {"location": {"latitude": 52.37, "longitude": 4.87}},
            "contact": {"contact": {"phone_number": "+31600000000", "first_name": "Piet"}},
            "document": {"document": file | {"file_name": "brief.pdf"}},
        }[kind]
        return self.push("message", self.user_message(user_id, language, **content))

    def press(self, user_id: int, message: dict, data: str, language: str | None = "nl") -> str:
        """Press a button under one of the bot's messages; returns the callback query id."""
        query_id = f"q{next(self._ids)}"
        self._callbacks[query_id] = False
        self.push(
            "callback_query",
            {
                "id": query_id,
                "from": self.user(user_id, language),
                "message": message,
                "chat_instance": f"ci-{user_id}",
                "data": data,
            },
        )
        return query_id

    def member_status(self, user_id: int, status: str, old: str = "member") -> int:
        """`kicked`: the user blocked the bot; `member`: they unblocked it."""

        def member(state: str) -> dict:
            extra = {"until_date": 0} if state == "kicked" else {}
            return {"status": state, "user": BOT_USER} | extra

        return self.push(
            "my_chat_member",
            {
                "chat": self.chat(user_id),
                "from": self.user(user_id),
                "date": int(time.time()),
                "old_chat_member": member(old),
                "new_chat_member": member(status),
            },
        )

    def added_to_group(self, user_id: int, group_id: int) -> int:
        """`user_id` adds the bot to a group."""
        return self.push(
            "my_chat_member",
            {
                "chat": self.chat(group_id, "group"),
                "from": self.user(user_id),
                "date": int(time.time()),
                "old_chat_member": {"status": "left", "user": BOT_USER},
                "new_chat_member": {"status": "member", "user": BOT_USER},
            },
        )

    def edit_text(self, user_id: int, message_id: int, text: str) -> int:
        """The user changes the text of a message they sent earlier."""
        message = self.user_message(user_id, text=text) | {
            "message_id": message_id,
            "edit_date": int(time.time()),
        }
        return self.push("edited_message", message)

    def add_file(self, file_id: str, path: str, content: bytes) -> None:
        self.files[file_id] = (path, content)

    # --- failures ---

    def fail(self, chat_id: int, status: int, times: int = 1, retry_after: int = 1) -> None:
        """The next `times` chat calls for `chat_id` fail with 403 (blocked) or 429."""
        description = {
            403: "Forbidden: bot was blocked by the user",
            429: f"Too Many Requests: retry after {retry_after}",
        }.get(status, "Internal Server Error")
        failure = Failure(status, description, retry_after if status == 429 else None)
        self._failures.setdefault(chat_id, deque()).extend([failure] * times)

    def hold(self, chat_id: int) -> None:
        """Messages into `chat_id` get no answer, until `release`: the bot waits for one."""
        self.held.add(chat_id)

    def release(self, chat_id: int) -> None:
        self.held.discard(chat_id)
        self._wake()

    def fail_get_updates(self, times: int, status: int = 502) -> None:
        self._update_failures.extend([status] * times)

    # --- observing ---

    def sent(self, chat_id: int | None = None, method: str | None = None) -> list[Call]:
        """Successful calls that put something in a chat, in order."""
        return [
            c
            for c in self.calls
            if c.ok
            and (method is None and c.method in CHAT_METHODS or c.method == method)
            and (chat_id is None or c.chat_id == chat_id)
        ]

    def texts(self, chat_id: int) -> list[str]:
        """The visible text of every message sent to the chat, in order."""
        return [c.result["text"] for c in self.sent(chat_id, "sendMessage")]

    def called(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, predicate: Callable[[], Any], within: float = 10.0) -> Any:
        """Wait until `predicate()` is truthy (checked after every call); returns its value."""
        deadline = time.monotonic() + within
        while True:
            value = predicate()
            if value:
                return value
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                recent = [(c.method, c.status) for c in self.calls[-12:]]
                raise TimeoutError(f"condition not met in {within}s; last calls: {recent}")
            event = self._called
            await _wait(event, remaining)

    # --- the server side ---

    def _wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        for listener in self.listeners:
            listener(call)
        self._notify()

    def _notify(self) -> None:
        self._called.set()
        self._called = asyncio.Event()

    @property
    def polls(self) -> int:
        """How many getUpdates requests have started (a long poll is recorded when it ends)."""
        return self._polls

    async def handle(self, method: str, params: dict, files: dict) -> Any:
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            raise ApiError(404, "Not Found")
        chat_id = params.get("chat_id")
        if method in CHAT_METHODS and chat_id is not None:
            if chat_id in self.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            queue = self._failures.get(chat_id)
            if queue:
                failure = queue.popleft()
                raise ApiError(failure.status, failure.description, failure.retry_after)
            self._flood_control()
        result = handler(params, files)
        if asyncio.iscoroutine(result):
            result = await result
        return result

    def _flood_control(self) -> None:
        """At most `accept_per_second` chat calls in any second; Telegram says when to retry."""
        if not self.accept_per_second:
            return
        now = time.monotonic()
        while self._accepted and self._accepted[0] <= now - 1:
            self._accepted.popleft()
        if len(self._accepted) >= self.accept_per_second:
            wait = math.ceil(self._accepted[0] + 1 - now)  # whole seconds, as Telegram says
            raise ApiError(429, f"Too Many Requests: retry after {wait}", max(1, wait))
        self._accepted.append(now)

    async def _api_getUpdates(self, params: dict, files: dict) -> list[dict]:
        if self._update_failures:
            raise ApiError(self._update_failures.popleft(), "Bad Gateway")
        offset = params.get("offset", 0)
        self.confirmed = max(self.confirmed, offset - 1)
        while self._updates and offset and self._updates[0]["update_id"] < offset:
            self._updates.popleft()  # confirmed: gone for good, as at Telegram
        self._polls += 1
        poll = self._polls
        self._notify()
        deadline = time.monotonic() + params.get("timeout", 0)
        allowed = params.get("allowed_updates") or None
        while True:
            ready = [
                u for u in self._updates if not allowed or set(u) - {"update_id"} <= set(allowed)
            ]
            if ready or self._closing:
                return ready[: params.get("limit", 100)]
            if poll != self._polls:
                raise ApiError(409, "Conflict: terminated by other getUpdates request")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            event = self._changed
            await _wait(event, remaining)

    def _api_getMe(self, params: dict, files: dict) -> dict:
        return BOT_USER | {
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _api_deleteWebhook(self, params: dict, files: dict) -> bool:
        self.webhook = {}
        return True

    def _api_setWebhook(self, params: dict, files: dict) -> bool:
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        self.webhook = dict(params)
        return True

    def _api_getWebhookInfo(self, params: dict, files: dict) -> dict:
        return {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    def _api_setMyCommands(self, params: dict, files: dict) -> bool:
        commands = params.get("commands") or []
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command.get("command", "")):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(command.get("description", "")) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        return True

    def _api_getMyCommands(self, params: dict, files: dict) -> list[dict]:
        wanted = params.get("language_code", "")
        for call in reversed(self.called("setMyCommands")):
            if call.ok and call.params.get("language_code", "") == wanted:
                return call.params["commands"]
        return []

    def _message(self, params: dict, **content: Any) -> dict:
        chat_id = params["chat_id"]
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self.chat(chat_id) if chat_id > 0 else self.chat(chat_id, "group"),
            "from": BOT_USER,
            **content,
        }
        markup = params.get("reply_markup")
        check_keyboard(markup)
        if markup:
            message["reply_markup"] = markup
        self.messages[(chat_id, message["message_id"])] = message
        return copy.deepcopy(message)  # the message as sent; later edits change only the stored one

    def _text(self, params: dict, key: str = "text") -> str:
        raw = params.get(key, "")
        text = visible_text(raw) if params.get("parse_mode") == "HTML" else raw
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if key == "caption" and utf16_len(text) > MAX_CAPTION:
            raise ApiError(400, "Bad Request: message caption is too long")
        if utf16_len(text) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        return text

    def _api_sendMessage(self, params: dict, files: dict) -> dict:
        return self._message(params, text=self._text(params))

    def _api_sendDocument(self, params: dict, files: dict) -> dict:
        if "document" not in files:
            raise ApiError(400, "Bad Request: there is no document in the request")
        name, content = files["document"]
        file_id = f"doc-{len(self.files) + 1}"
        self.add_file(file_id, f"documents/{name}", content)
        document = {
            "file_id": file_id,
            "file_unique_id": file_id,
            "file_name": name,
            "file_size": len(content),
        }
        extra = {"caption": self._text(params, "caption")} if params.get("caption") else {}
        return self._message(params, document=document, **extra)

    def _find(self, params: dict) -> dict:
        message = self.messages.get((params.get("chat_id"), params.get("message_id")))
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        return message

    def _api_editMessageText(self, params: dict, files: dict) -> dict:
        message = self._find(params)
        text, markup = self._text(params), params.get("reply_markup")
        check_keyboard(markup)
        if text == message.get("text") and markup == message.get("reply_markup"):
            raise ApiError(400, "Bad Request: message is not modified")
        message["text"] = text
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        return copy.deepcopy(message)

    def _api_editMessageReplyMarkup(self, params: dict, files: dict) -> dict:
        message = self._find(params)
        markup = params.get("reply_markup") or None
        check_keyboard(markup)
        if markup == message.get("reply_markup"):
            raise ApiError(400, "Bad Request: message is not modified")
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        return copy.deepcopy(message)

    def _api_answerCallbackQuery(self, params: dict, files: dict) -> bool:
        query_id = params.get("callback_query_id")
        if self._callbacks.get(query_id, True):
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        self._callbacks[query_id] = True
        return True

    def _api_getFile(self, params: dict, files: dict) -> dict:
        file_id = params.get("file_id")
        if file_id not in self.files:
            raise ApiError(400, "Bad Request: invalid file_id")
        path, content = self.files[file_id]
        return {
            "file_id": file_id,
            "file_unique_id": file_id,
            "file_size": len(content),
            "file_path": path,
        }

    def _api_leaveChat(self, params: dict, files: dict) -> bool:
        self.left.add(params["chat_id"])
        return True

    def _api_close(self, params: dict, files: dict) -> bool:
        return True


async def _wait(event: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), seconds)


def _decode(arguments: dict[str, list[bytes]]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for name, values in arguments.items():
        value = values[-1].decode()
        if name in INT_PARAMS:
            params[name] = int(value)
        elif name in JSON_PARAMS:
            params[name] = json.loads(value)
        elif value in ("true", "false"):
            params[name] = value == "true"
        else:
            params[name] = value
    return params


class _ApiHandler(tornado.web.RequestHandler):
    def initialize(self, fake: FakeBotAPI) -> None:
        self.fake = fake
        self._gone = False

    async def get(self, token: str, method: str) -> None:
        await self.post(token, method)

    async def post(self, token: str, method: str) -> None:
        fake = self.fake
        files = {
            name: (parts[-1]["filename"], parts[-1]["body"])
            for name, parts in self.request.files.items()
        }
        call = Call(method, _decode(self.request.arguments), files, at=time.monotonic())
        if method in SEND_METHODS and call.chat_id in fake.held:
            fake.holding.append(call)
            fake._notify()
            while call.chat_id in fake.held and not self._gone:
                await _wait(fake._changed, 1.0)
            if self._gone:  # the bot died waiting: the message never arrived
                call.status, call.error = 499, "the client went away"
                fake._record(call)
                return
        try:
            if token != fake.token:
                raise ApiError(401, "Unauthorized")
            call.result = await fake.handle(method, call.params, files)
        except ApiError as error:
            call.status, call.error = error.code, error.description
            call.retry_after = error.retry_after
        fake._record(call)
        self.set_status(call.status)
        if call.status == 502:
            self.set_header("Content-Type", "text/html")
            self.finish("<html><body>502 Bad Gateway</body></html>")
            return
        self.set_header("Content-Type", "application/json")
        if call.ok:
            self.finish(json.dumps({"ok": True, "result": call.result}))
            return
        body: dict[str, Any] = {"ok": False, "error_code": call.status, "description": call.error}
        if call.retry_after is not None:
            body["parameters"] = {"retry_after": call.retry_after}
        self.finish(json.dumps(body))

    def on_connection_close(self) -> None:  # a client gave up (a long poll, or it died)
        self._gone = True
        self.fake._wake()


class _FileHandler(tornado.web.RequestHandler):
    def initialize(self, fake: FakeBotAPI) -> None:
        self.fake = fake

    def get(self, token: str, path: str) -> None:
        if token != self.fake.token:
            raise tornado.web.HTTPError(401)
        for stored_path, content in self.fake.files.values():
            if stored_path == path:
                self.set_header("Content-Type", "application/octet-stream")
                self.finish(content)
                return
        raise tornado.web.HTTPError(404)


def keys_of(message: dict) -> list[str]:
    """The callback data of the buttons under a message."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [button["callback_data"] for row in rows for button in row]


def labels_of(message: dict) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [button["text"] for row in rows for button in row]
