"""A small JSON-RPC 2.0 client for signal-cli's daemon over TCP (`signal-cli daemon --tcp`).

The daemon speaks newline-delimited JSON in both directions: our requests and its responses
(matched by `id`), and its `receive` notifications for incoming messages. The daemon runs with
`--receive-mode=manual`: it fetches messages from Signal's server only while a client is
subscribed, so after every (re)connect we call `subscribeReceive`, and messages sent while the
bot was away wait on Signal's server until then. When the connection drops we reconnect with a
growing pause (backoff).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger(__name__)

LINE_LIMIT = 64 * 1024 * 1024  # a response may carry an attachment as base64
MIN_BACKOFF = 0.5  # seconds before the first reconnect; doubles up to MAX_BACKOFF
MAX_BACKOFF = 30.0
CALL_TIMEOUT = 60.0  # a send to many devices can take a while


class RpcError(Exception):
    """The daemon answered with a JSON-RPC error (`data` may hold a partial result)."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.data = data


class NotConnected(ConnectionError):
    """The daemon is not connected: the request was not written."""


class ConnectionLost(ConnectionError):
    """The connection dropped after the request was written: its outcome is unknown."""


Notification = Callable[[str, dict[str, Any]], None]


class SignalRpc:
    """One connection to the daemon at a time, kept up by `run` until it is told to stop."""

    def __init__(
        self,
        host: str,
        port: int,
        on_notification: Notification,
        *,
        account: str | None = None,
        min_backoff: float = MIN_BACKOFF,
        max_backoff: float = MAX_BACKOFF,
    ) -> None:
        self.host = host
        self.port = port
        self.account = account  # only needed when the daemon serves several accounts
        self.on_notification = on_notification
        self.min_backoff = min_backoff
        self.max_backoff = max_backoff
        self.connected = asyncio.Event()
        self.down = asyncio.Event()  # the opposite of `connected`, to wait for
        self.down.set()
        self.connects = 0  # how often a connection and subscription were made
        self._changed = asyncio.Condition()  # notified when `connected` changes
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._writer: asyncio.StreamWriter | None = None
        self._subscription: int | None = None

    async def run(
        self, stop: asyncio.Event, before_close: Callable[[], Awaitable[None]] | None = None
    ) -> None:
        """Connect, subscribe and read until `stop` is set; reconnect when the daemon goes away.

        On stop, the subscription ends first (new messages stay on Signal's server), then
        `before_close` runs while the connection can still carry replies.
        """
        delay = self.min_backoff
        while not stop.is_set():
            try:
                reader, writer = await asyncio.open_connection(
                    self.host, self.port, limit=LINE_LIMIT
                )
            except OSError as error:
                log.warning("signal-cli not reachable (%s); trying again", type(error).__name__)
                await _sleep_unless(stop, delay)
                delay = min(self.max_backoff, delay * 2)
                continue
            self._writer = writer
            reading = asyncio.create_task(self._read(reader))
            try:
                self._subscription = await self._subscribe()
                self.connects += 1
                self.down.clear()
                self.connected.set()
                await self._announce()
                log.info("connected to signal-cli and subscribed")
                delay = self.min_backoff
                stopping = asyncio.create_task(stop.wait())
                await asyncio.wait({reading, stopping}, return_when=asyncio.FIRST_COMPLETED)
                stopping.cancel()
                if stop.is_set() and not reading.done():
                    await self._end_subscription()
                    if before_close is not None:
                        await before_close()
            except (RpcError, ConnectionError, TimeoutError) as error:
                log.warning("signal-cli connection failed: %s", type(error).__name__)
            finally:
                self.connected.clear()
                self.down.set()
                self._writer = None
                self._subscription = None
                reading.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await reading
                writer.close()
                with contextlib.suppress(OSError):
                    await writer.wait_closed()
                self._fail_pending()
                await self._announce()
            if not stop.is_set():
                log.warning("signal-cli went away; reconnecting")
                await _sleep_unless(stop, delay)
                delay = min(self.max_backoff, delay * 2)

    async def wait_connected(self, newer_than: int = 0) -> None:
        """Until connected by a connection newer than number `newer_than` (see `connects`):
        after a send was lost with connection N, wait for N + 1."""
        async with self._changed:
            await self._changed.wait_for(
                lambda: self.connected.is_set() and self.connects > newer_than
            )

    async def _announce(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def call(
        self, method: str, params: dict[str, Any] | None = None, *, within: float = CALL_TIMEOUT
    ) -> Any:
        """Send a request and wait for its result. Raises RpcError, NotConnected (nothing was
        written), ConnectionLost or TimeoutError (the outcome is unknown)."""
        writer = self._writer
        if writer is None or writer.is_closing():
            raise NotConnected(method)
        params = dict(params or {})
        if self.account:
            params.setdefault("account", self.account)
        request_id = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        line = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params:
            line["params"] = params
        try:
            writer.write(json.dumps(line, ensure_ascii=False).encode() + b"\n")
            await writer.drain()
        except (ConnectionError, RuntimeError) as error:
            self._pending.pop(request_id, None)
            raise ConnectionLost(method) from error
        try:
            return await asyncio.wait_for(future, within)
        finally:
            self._pending.pop(request_id, None)

    async def _subscribe(self) -> int | None:
        try:
            result = await self.call("subscribeReceive")
        except RpcError as error:
            # A daemon not in manual mode sends messages unasked; they still arrive.
            log.warning(
                "subscribeReceive refused (%s); start the daemon with --receive-mode=manual "
                "so that messages wait while the bot is away",
                error.code,
            )
            return None
        return result if isinstance(result, int) else None

    async def _end_subscription(self) -> None:
        if self._subscription is None:
            return
        with contextlib.suppress(RpcError, ConnectionError, TimeoutError):
            await self.call("unsubscribeReceive", {"subscription": self._subscription}, within=5)

    async def _read(self, reader: asyncio.StreamReader) -> None:
        """Responses resolve their request; notifications go to `on_notification`, in order.
        When the connection ends, every request still waiting fails at once."""
        try:
            await self._read_lines(reader)
        finally:
            self._fail_pending()

    async def _read_lines(self, reader: asyncio.StreamReader) -> None:
        while True:
            try:
                raw = await reader.readline()
            except (ConnectionError, ValueError) as error:  # ValueError: a line over the limit
                log.warning("signal-cli read failed: %s", type(error).__name__)
                return
            if not raw:
                return
            try:
                message = json.loads(raw)
            except ValueError:
                log.warning("signal-cli sent a line that is not JSON")
                continue
            if not isinstance(message, dict):
                continue
            if "method" in message and "id" not in message:
                params = message.get("params")
                try:
                    self.on_notification(
                        message["method"], params if isinstance(params, dict) else {}
                    )
                except Exception:  # one bad notification must not stop the connection
                    log.exception("notification %s failed", message.get("method"))
                continue
            future = self._pending.get(message.get("id"))  # type: ignore[arg-type]
            if future is None or future.done():
                continue
            error = message.get("error")
            if isinstance(error, dict):
                future.set_exception(
                    RpcError(
                        int(error.get("code", 0)), str(error.get("message", "")), error.get("data")
                    )
                )
            else:
                future.set_result(message.get("result"))

    def _fail_pending(self) -> None:
        for future in self._pending.values():
            if not future.done():
                future.set_exception(ConnectionLost("connection closed"))
        self._pending.clear()


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
