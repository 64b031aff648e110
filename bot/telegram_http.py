"""python-telegram-bot's network layer on aiohttp instead of httpx.

Measured with bench/telegram.py: through httpx (PTB's default) one Bot API call cost 2 ms of CPU,
and 3.9 ms with 32 calls in flight, because httpcore's connection pool looks at every open
connection (with system calls) on every request and imports `sniffio` afresh each time. Through
aiohttp the same call costs about 0.5 ms. The bot makes three calls per button press (answer it,
take the old keyboard away, send the next question), so this is most of its CPU.

`BaseRequest` is PTB's documented extension point for another HTTP client; PTB still builds every
request and parses every answer. `BaseRateLimiter` is the one for pacing: `PacedRateLimiter` puts
every call into a chat through the bot's shared `Pacer` and waits out every 429 (PTB's own
`AIORateLimiter` gives up after a fixed number of retries and so drops the message).

`TolerantBot` reads the updates of a getUpdates answer one by one: PTB parses the whole batch at
once, and one update it cannot parse (a field Telegram left out) makes it log the raw batch and
fetch the same batch again, forever, so nobody gets an answer any more.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

import aiohttp
from telegram import Update
from telegram._utils.defaultvalue import DEFAULT_NONE, DefaultValue
from telegram._utils.types import JSONDict, ODVInput
from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.ext import BaseRateLimiter, ExtBot
from telegram.request import BaseRequest, RequestData

from bot.pacing import Pacer

log = logging.getLogger(__name__)


class AiohttpRequest(BaseRequest):
    """One aiohttp session with a bounded connection pool; PTB's timeouts mean the same here."""

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size)
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": self.USER_AGENT}
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        read = self._read_timeout if read_timeout is DEFAULT_NONE else read_timeout
        connect = self._connect_timeout if connect_timeout is DEFAULT_NONE else connect_timeout
        pool = self._pool_timeout if pool_timeout is DEFAULT_NONE else pool_timeout
        write = self._write_timeout if write_timeout is DEFAULT_NONE else write_timeout
        if files and write_timeout is DEFAULT_NONE:
            write = self._media_write_timeout
        # aiohttp has no separate write timeout: sending counts toward the read of the answer.
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=None if pool is None or connect is None else pool + connect,
            sock_connect=connect,
            sock_read=None if read is None else read + (write or 0),
        )
        data = self._body(request_data, files) if request_data else None
        try:
            async with self._session.request(method, url, data=data, timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            # Only the kind of error: its text may hold the URL, and the URL holds the token.
            raise NetworkError(f"aiohttp: {type(error).__name__}") from error

    @staticmethod
    def _body(request_data: RequestData, files: dict | None) -> dict | aiohttp.FormData:
        if not files:
            return request_data.json_parameters  # sent as a urlencoded form, as PTB does
        form = aiohttp.FormData()
        for name, value in request_data.json_parameters.items():
            form.add_field(name, value)
        for name, (filename, content, mimetype) in files.items():
            form.add_field(name, content, filename=filename, content_type=mimetype)
        return form


def retry_after_of(error: BaseException) -> float | None:
    """How long Telegram asked us to wait, when `error` is its 429; else None."""
    if not isinstance(error, RetryAfter):
        return None
    value = error.retry_after  # seconds, or a timedelta (PTB's setting for time periods)
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class PacedRateLimiter(BaseRateLimiter[None]):
    """Calls into a chat wait for the pacer; a call that gets a 429 waits it out and goes again."""

    def __init__(self, pacer: Pacer) -> None:
        self.pacer = pacer

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict | list[dict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> bool | dict | list[dict]:
        if data.get("chat_id") is not None:
            return await self.pacer.send(lambda: callback(*args, **kwargs), retry_after_of)
        while True:  # not into a chat (e.g. answering a button press): not paced, but 429-safe
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                self.pacer.refused(retry_after_of(error) or 1.0)
                await self.pacer.slot()


class TolerantBot(ExtBot[None]):
    """An ExtBot whose getUpdates skips an update it cannot parse instead of failing the batch.

    A skipped update is replaced by an empty `Update` with its id, so the updater confirms it
    (moves the offset past it) and the handlers ignore it. It is counted and logged by its id and
    kinds only, never its content.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._skipped = 0  # PTB freezes a bot's public attributes

    @property
    def skipped_updates(self) -> int:
        return self._skipped

    async def get_updates(
        self,
        offset: int | None = None,
        limit: int | None = None,
        timeout: Any = None,  # noqa: ASYNC109 (PTB's signature: the long poll's wait)
        allowed_updates: Any = None,
        *,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
        api_kwargs: JSONDict | None = None,
    ) -> tuple[Update, ...]:
        data = {
            "timeout": timeout,
            "offset": offset,
            "limit": limit,
            "allowed_updates": allowed_updates,
        }
        # As Bot.get_updates: the long poll's own timeout on top of the read timeout.
        if isinstance(read_timeout, DefaultValue):
            read_timeout = self._request[0].read_timeout
        waited = timeout.total_seconds() if isinstance(timeout, timedelta) else timeout or 0
        result = await self._post(
            "getUpdates",
            data,
            read_timeout=(read_timeout or 0) + waited,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
            api_kwargs=api_kwargs,
        )
        updates = []
        for raw in result if isinstance(result, list) else []:
            update = self.read_update(raw)
            if update is not None:
                updates.append(update)
        return tuple(updates)

    def read_update(self, raw: Any) -> Update | None:
        """One update as Telegram sent it; None when it has not even an update id."""
        try:
            update = Update.de_json(raw, self)
            self.insert_callback_data(update)
            return update
        except Exception as error:
            self._skipped += 1
            update_id = raw.get("update_id") if isinstance(raw, dict) else None
            kinds = sorted(k for k in raw if k != "update_id") if isinstance(raw, dict) else []
            log.warning(
                "skipped an update that could not be read: update_id=%s kinds=%s error=%s "
                "skipped=%d",
                update_id,
                ",".join(kinds),
                type(error).__name__,
                self._skipped,
            )
            if isinstance(update_id, int):
                return Update(update_id)  # empty: confirmed with the rest, ignored by handlers
            return None
