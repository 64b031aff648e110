"""The Signal channel: messages from signal-cli's JSON-RPC daemon in, the engine's replies out.

A `receive` notification becomes an `Incoming` for the engine. Users are keyed by their Signal
account's UUID (ACI); the phone number in the envelope is never stored or logged. Signal has no
buttons, so choices are numbered lines and the user types the number or the label (as in the
terminal chat). One turn's replies are joined into as few messages as fit under 1,800 bytes of
UTF-8 (Signal clients drop a body over about 2 KiB); a document (the data export) goes with the
last part as an attachment. Signal tells no language: a new user is asked for one first.

The daemon runs with `--receive-mode=manual`, so messages wait on Signal's server while the bot
is away; `bot.signal_rpc` subscribes after every (re)connect. A message is handled once even if
the daemon delivers it again, and a reply that could not go out because the daemon went away is
sent when it is back. `send` is the outbox's `Channel` interface (bot/channels.py).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import logging
import os
import secrets
import weakref
from asyncio import FIRST_COMPLETED
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from bot.channels import Outcome, SendResult
from bot.choices import pick, shown
from bot.inactive_users import InactiveUsers
from bot.signal_rpc import ConnectionLost, NotConnected, RpcError, SignalRpc
from bot.text_split import split_text
from flows import Engine, Incoming, Reply
from flows.engine import Choice, Document

log = logging.getLogger(__name__)

CHANNEL = "signal"
DEFAULT_ADDRESS = "127.0.0.1:7583"  # signal-cli's default for `daemon --tcp`
MAX_BODY_BYTES = 1800  # below Signal's ~2 KiB, with room to spare
MAX_CONCURRENT = 32  # users handled at the same time
REMEMBERED = 10_000  # users whose shown choices, and messages whose ids, are kept in memory
REPLY_WAIT = 300.0  # how long a reply waits for the daemon to come back
REPLY_ATTEMPTS = 5
MAX_REPLY_DELAY = 120.0  # a reply rate limited for longer is given up (logged)
DEFAULT_RETRY_AFTER = 60.0  # rate limited without a retryAfterSeconds
DAEMON_AWAY_RETRY = 30.0  # the daemon is not connected: try again after this
RATE_LIMIT_ERROR = -5  # signal-cli's JSON-RPC error code when only rate limits failed
MAX_DOCUMENT_BYTES = 5_000_000  # as on Telegram: a resource list is far smaller

# Why a send failed, for logs and for the decision to try a reply again.
NOT_CONNECTED = "daemon not connected"
CONNECTION_LOST = "connection lost during send"


def _seconds(env: dict[str, str], name: str, default: float) -> float:
    value = env.get(name) or str(default)
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1
    if seconds < 0:
        raise ValueError(f"{name} must be a number of seconds (0 or more)")
    return seconds


@dataclass(frozen=True)
class SignalSettings:
    """Where the daemon listens and how fast the bot may send (from the environment)."""

    host: str
    port: int
    account: str | None = None  # only for a daemon that serves several accounts
    recipient_interval: float = 1.0  # seconds between two messages to the same person
    outbox_interval: float = 3.0  # seconds between messages the bot sends on its own

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> SignalSettings:
        env = dict(os.environ if env is None else env)
        address = env.get("SIGNAL_CLI_ADDRESS") or DEFAULT_ADDRESS
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError("SIGNAL_CLI_ADDRESS must be host:port, e.g. 127.0.0.1:7583")
        return cls(
            host.strip("[]"),
            int(port),
            env.get("SIGNAL_ACCOUNT") or None,
            _seconds(env, "MANTELBOT_SIGNAL_RECIPIENT_INTERVAL", 1.0),
            _seconds(env, "MANTELBOT_SIGNAL_OUTBOX_INTERVAL", 3.0),
        )

    def __repr__(self) -> str:  # the account is the bot's phone number: not for logs
        return f"SignalSettings(host={self.host}, port={self.port})"


@dataclass(frozen=True)
class Outgoing:
    """One `send`: a text, and attachments as RFC 2397 data URIs (the daemon may run elsewhere,
    so no file paths)."""

    text: str = ""
    attachments: tuple[str, ...] = ()


def body_size(text: str) -> int:
    return len(text.encode())


def render(replies: Sequence[Reply], limit: int = MAX_BODY_BYTES) -> list[Outgoing]:
    """A turn as Signal messages: texts joined, choices numbered across the turn (1, 2, …, as
    `bot.choices.shown` counts them), split below `limit` bytes; a document goes with the part
    that ends its reply."""
    messages: list[Outgoing] = []
    pending: list[str] = []
    number = 0

    def flush(document: Document | None = None) -> None:
        pieces = split_text("\n\n".join(pending), limit, body_size)
        pending.clear()
        attachment = (data_uri(document),) if document else ()
        if not pieces and attachment:
            pieces = [""]
        for i, piece in enumerate(pieces):
            last = i == len(pieces) - 1
            messages.append(Outgoing(piece, attachment if last else ()))

    for reply in replies:
        lines = [reply.text.strip()] if reply.text.strip() else []
        if reply.choices and lines:
            lines.append("")
        for choice in reply.choices:
            number += 1
            lines.append(f"{number}. {choice.label}")
        if lines:
            pending.append("\n".join(lines))
        if reply.document:
            flush(reply.document)
    flush()
    return messages


def data_uri(document: Document) -> str:
    payload = base64.b64encode(document.content).decode()
    return f"data:{document.mime_type};filename={document.filename};base64,{payload}"


def send_outcome(result: Any = None, error: RpcError | None = None) -> SendResult:
    """What a `send` to one recipient came to. The per-recipient results are in the response,
    or, when nobody got the message, in the error's `data.response`."""
    response = result
    if error is not None and isinstance(error.data, dict):
        response = error.data.get("response")
    results = response.get("results") if isinstance(response, dict) else None
    found = [r for r in results or [] if isinstance(r, dict)]
    types = [r.get("type") for r in found]
    if "SUCCESS" in types:
        return SendResult(Outcome.DELIVERED)
    if "UNREGISTERED_FAILURE" in types:
        return SendResult(Outcome.BLOCKED, detail="unregistered")
    if "RATE_LIMIT_FAILURE" in types:
        waits = [r.get("retryAfterSeconds") for r in found if r.get("retryAfterSeconds")]
        seconds = float(max(waits)) if waits else DEFAULT_RETRY_AFTER
        return SendResult(Outcome.RETRY_AFTER, seconds, "rate limited")
    if types:  # NETWORK_FAILURE, IDENTITY_FAILURE, …: not sent
        return SendResult(Outcome.FAILED, detail=str(types[0]).lower())
    if error is None:
        return SendResult(Outcome.DELIVERED)  # an answer with only a timestamp
    if error.code == RATE_LIMIT_ERROR:
        return SendResult(Outcome.RETRY_AFTER, DEFAULT_RETRY_AFTER, "rate limited")
    if "not registered" in error.message.lower():
        return SendResult(Outcome.BLOCKED, detail="unregistered")
    return SendResult(Outcome.FAILED, detail=f"error {error.code}")


def unsupported_kind(data: dict[str, Any]) -> str | None:
    """What the bot cannot read in a data message, or None for plain text."""
    if data.get("sticker"):
        return "sticker"
    attachments = data.get("attachments") or []
    if attachments:
        first = attachments[0] if isinstance(attachments[0], dict) else {}
        mime = str(first.get("contentType") or "")
        for prefix, kind in (("image/", "photo"), ("audio/", "voice"), ("video/", "video")):
            if mime.startswith(prefix):
                return kind
        return "document"
    if data.get("contacts"):
        return "contact"
    return None


class SignalChannel:
    """Turns `receive` notifications into engine calls and replies into `send` requests."""

    name = CHANNEL

    def __init__(
        self,
        engine: Engine,
        settings: SignalSettings,
        *,
        min_backoff: float = 0.5,
        max_backoff: float = 30.0,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.rpc = SignalRpc(
            settings.host,
            settings.port,
            self._on_notification,
            account=settings.account,
            min_backoff=min_backoff,
            max_backoff=max_backoff,
        )
        self._key = secrets.token_bytes(32)  # log pseudonyms: stable for one run only
        self._shown: OrderedDict[str, list[Choice]] = OrderedDict()
        self._seen: OrderedDict[tuple[str, Any], None] = OrderedDict()
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._slots = asyncio.Semaphore(MAX_CONCURRENT)
        self._tasks: set[asyncio.Task[None]] = set()
        self._next_send: OrderedDict[str, float] = OrderedDict()  # recipient → earliest time
        self._outbox_lock = asyncio.Lock()
        self._outbox_next = 0.0
        self._inactive = InactiveUsers(engine.db, CHANNEL)
        self._stop = asyncio.Event()

    def user_ref(self, uuid: str) -> str:
        return hmac.new(self._key, uuid.encode(), hashlib.sha256).hexdigest()[:12]

    async def serve(self, stop: asyncio.Event) -> None:
        """Run until `stop` is set; messages being handled then are still answered."""
        self._stop = stop
        await self.rpc.run(stop, before_close=self._drain)
        await self._drain()
        log.info("signal channel stopped")

    async def _drain(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # -- incoming ------------------------------------------------------------------------

    def _on_notification(self, method: str, params: dict[str, Any]) -> None:
        """Called for each notification in arrival order; the work runs in a task per message
        (one user's messages strictly in order, different users concurrently)."""
        if method != "receive":
            return
        payload = params.get("result", params)  # manual mode wraps it in a subscription result
        envelope = payload.get("envelope") if isinstance(payload, dict) else None
        if not isinstance(envelope, dict):
            return
        uuid = envelope.get("sourceUuid")
        data = envelope.get("dataMessage")
        if not uuid or not isinstance(data, dict):
            return  # typing indicators, receipts, our own devices' sync messages
        seen = (uuid, envelope.get("timestamp"))
        if seen in self._seen:
            log.info("message delivered again, not handled twice user=%s", self.user_ref(uuid))
            return
        self._seen[seen] = None
        while len(self._seen) > REMEMBERED:
            self._seen.popitem(last=False)
        task = asyncio.create_task(self._handle(uuid, data))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _lock(self, uuid: str) -> asyncio.Lock:
        lock = self._locks.get(uuid)
        if lock is None:
            lock = self._locks[uuid] = asyncio.Lock()
        return lock

    async def _handle(self, uuid: str, data: dict[str, Any]) -> None:
        # The user's lock first (tasks start in arrival order), then a slot.
        async with self._lock(uuid), self._slots:
            ref = self.user_ref(uuid)
            try:
                await self._answer(uuid, ref, data)
            except Exception:  # never the message itself in the log: it may be health data
                log.exception("message failed user=%s", ref)

    async def _answer(self, uuid: str, ref: str, data: dict[str, Any]) -> None:
        if data.get("groupInfo"):
            log.info("group message ignored user=%s", ref)
            return
        if data.get("reaction") or data.get("remoteDelete"):
            return  # a reaction to, or deletion of, an earlier message: nothing to answer
        kind = unsupported_kind(data)
        text = data.get("message") if kind is None else None
        if kind is None and not (isinstance(text, str) and text.strip()):
            return  # e.g. a changed disappearing-messages timer
        await self._inactive.wrote(uuid, ref)
        document = await self._download(data["attachments"][0], ref) if kind == "document" else None
        if document is not None:
            incoming = Incoming(
                CHANNEL, uuid, document=document, ask_language=True, user_ref=ref, numbered=True
            )
        else:
            incoming = await self._incoming(uuid, text, kind, ref)
        replies = await self.engine.handle(incoming)
        self._remember(uuid, replies)
        await self._reply(uuid, ref, replies)

    async def _incoming(self, uuid: str, text: str | None, kind: str | None, ref: str) -> Incoming:
        base = Incoming(CHANNEL, uuid, ask_language=True, user_ref=ref, numbered=True)
        if kind is not None or text is None:
            return replace(base, unsupported=kind)
        choices = self._shown.get(uuid)
        if choices is None:
            # Not in memory (e.g. after a restart): the stored state knows the keys in the
            # order they were numbered, so a number still picks; a label is read as text.
            keys = await self.engine.offered(CHANNEL, uuid)
            choices = [Choice(key, "") for key in keys]
        key = pick(text, choices)
        return replace(base, choice=key) if key is not None else replace(base, text=text)

    async def _download(self, attachment: dict[str, Any], ref: str) -> Document | None:
        """A file the user sent (a coordinator's CSV), fetched with `getAttachment`; None when
        it is too large or cannot be fetched (the engine then says it reads only text)."""
        size = attachment.get("size")
        if not attachment.get("id") or (isinstance(size, int) and size > MAX_DOCUMENT_BYTES):
            return None
        try:
            result = await self.rpc.call("getAttachment", {"id": attachment["id"]})
            content = base64.b64decode(result["data"], validate=True)
        except (RpcError, ConnectionError, TimeoutError, TypeError, KeyError, ValueError) as error:
            log.info("file not fetched user=%s: %s", ref, type(error).__name__)
            return None
        if len(content) > MAX_DOCUMENT_BYTES:
            return None
        name = str(attachment.get("filename") or "file")
        return Document(
            name, content, str(attachment.get("contentType") or "application/octet-stream")
        )

    def _remember(self, uuid: str, replies: Sequence[Reply]) -> None:
        self._shown[uuid] = shown(replies)
        self._shown.move_to_end(uuid)
        while len(self._shown) > REMEMBERED:
            self._shown.popitem(last=False)

    async def _reply(self, uuid: str, ref: str, replies: Sequence[Reply]) -> None:
        """Send a turn in order. A part the daemon could not take because it went away is sent
        again once it is back (a duplicate beats a loss)."""
        for outgoing in render(replies):
            connection = 0  # any connection will do for the first try
            for _attempt in range(REPLY_ATTEMPTS):
                if not await self._wait_connected(connection):
                    log.warning("reply given up user=%s: %s", ref, NOT_CONNECTED)
                    return
                connection = self.rpc.connects
                result = await self._send_one(uuid, outgoing)
                if result.detail in (NOT_CONNECTED, CONNECTION_LOST):
                    continue  # again over the next connection
                if result.outcome is Outcome.RETRY_AFTER:
                    delay = result.retry_after or DEFAULT_RETRY_AFTER
                    if delay > MAX_REPLY_DELAY:
                        break
                    await self._sleep(delay)
                    connection = 0
                    continue
                break
            if result.outcome is Outcome.BLOCKED:
                await self._inactive.set_active(uuid, ref, False)
                return
            if result.outcome is not Outcome.DELIVERED:
                log.warning("reply not sent user=%s: %s", ref, result.detail)
                return

    async def _wait_connected(self, newer_than: int) -> bool:
        """Until the daemon is connected (by a connection newer than `newer_than`); False when
        that takes over REPLY_WAIT or the channel stops."""
        waiting = asyncio.ensure_future(self.rpc.wait_connected(newer_than))
        stopping = asyncio.ensure_future(self._stop.wait())
        await asyncio.wait({waiting, stopping}, timeout=REPLY_WAIT, return_when=FIRST_COMPLETED)
        for task in (waiting, stopping):
            task.cancel()
        return waiting.done() and not waiting.cancelled()

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)

    # -- outgoing ------------------------------------------------------------------------

    async def _send_one(self, uuid: str, outgoing: Outgoing) -> SendResult:
        await self._pace(uuid)
        params: dict[str, Any] = {"recipient": [uuid]}
        if outgoing.text:
            params["message"] = outgoing.text
        if outgoing.attachments:
            params["attachments"] = list(outgoing.attachments)
        try:
            result = await self.rpc.call("send", params)
        except NotConnected:  # nothing was written; wait for the daemon, not a failure
            return SendResult(Outcome.RETRY_AFTER, DAEMON_AWAY_RETRY, NOT_CONNECTED)
        except ConnectionLost:
            return SendResult(Outcome.UNCERTAIN, detail=CONNECTION_LOST)
        except TimeoutError:
            return SendResult(Outcome.UNCERTAIN, detail="no answer from the daemon")
        except RpcError as error:
            return send_outcome(error=error)
        return send_outcome(result)

    async def _pace(self, uuid: str) -> None:
        """At most one message per `recipient_interval` to the same person."""
        interval = self.settings.recipient_interval
        if interval <= 0:
            return
        now = asyncio.get_running_loop().time()
        at = max(now, self._next_send.get(uuid, now))
        self._next_send[uuid] = at + interval  # reserved before sleeping: concurrent sends queue
        self._next_send.move_to_end(uuid)
        while len(self._next_send) > REMEMBERED:
            self._next_send.popitem(last=False)
        if at > now:
            await asyncio.sleep(at - now)

    async def send(self, recipient: str, replies: list[Reply]) -> SendResult:
        """The outbox's channel interface: deliver what the bot sends on its own initiative.

        These messages go out one every `outbox_interval` seconds (Signal rate-limits messages
        nobody asked for hard). Only people who wrote to the bot are ever stored as Signal
        users, so the outbox reaches no one who did not write first. When a later part fails
        after an earlier one went out, the whole is "uncertain": again would repeat the first.
        """
        messages = render(replies)
        if not messages:
            return SendResult(Outcome.DELIVERED, detail="nothing to send")
        async with self._lock(recipient):
            await self._outbox_pace()
            for i, outgoing in enumerate(messages):
                result = await self._send_one(recipient, outgoing)
                if result.outcome is Outcome.BLOCKED:
                    self._inactive.saw_leave(recipient)
                if result.outcome is not Outcome.DELIVERED:
                    if i:
                        detail = f"{result.detail} (after {i} parts)"
                        return SendResult(Outcome.UNCERTAIN, detail=detail)
                    return result
            if shown(replies):
                self._remember(recipient, replies)
                await self.engine.offered_on_its_own(CHANNEL, recipient, replies)
        return SendResult(Outcome.DELIVERED)

    async def _outbox_pace(self) -> None:
        interval = self.settings.outbox_interval
        if interval <= 0:
            return
        async with self._outbox_lock:
            loop = asyncio.get_running_loop()
            wait = self._outbox_next - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            self._outbox_next = loop.time() + interval
