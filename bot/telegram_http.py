"""python-telegram-bot's network layer on aiohttp instead of httpx.

Measured with bench/telegram.py: through httpx (PTB's default) one Bot API call cost 2 ms of CPU,
and 3.9 ms with 32 calls in flight, because httpcore's connection pool looks at every open
connection (with system calls) on every request and imports `sniffio` afresh each time. Through
aiohttp the same call costs about 0.5 ms. The bot makes three calls per button press (answer it,
take the old keyboard away, send the next question), so this is most of its CPU.

`BaseRequest` is PTB's documented extension point for another HTTP client; PTB still builds every
request and parses every answer.
"""

from __future__ import annotations

import aiohttp
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


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
