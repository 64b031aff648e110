"""A fake `signal-cli -a ACCOUNT daemon --tcp --receive-mode=manual` for tests.

It speaks signal-cli's JSON-RPC as documented (man page signal-cli-jsonrpc(5)): one JSON object
per line over TCP; `subscribeReceive` returns a subscription id, and incoming messages then
arrive as `receive` notifications wrapped as `{"subscription": N, "result": {"envelope": …,
"account": …}}`; `send` takes `recipient` (a list), `message` and `attachments` (file paths or
RFC 2397 data URIs with an optional `filename=`) and answers `{"timestamp", "results": [...]}`,
or, when no recipient got it, a JSON-RPC error whose `data.response` holds those results.

Like the real daemon in manual mode, messages wait on "Signal's server" (`self.waiting`) while
nobody is subscribed, and a message is taken off the server once it was written to a subscriber.
Tests play the carers' phones: `user_sends(...)`, then read what the bot sent with `sent_to(...)`.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import time
import uuid as uuids
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

MAX_BODY_BYTES = 2000  # Signal clients drop bodies over about 2 KiB
USER_ERROR, RATE_LIMIT_ERROR = -1, -5


@dataclass
class Phone:
    """A Signal user: the UUID (ACI) is their address; the number is private to them."""

    uuid: str
    number: str
    registered: bool = True


@dataclass
class Sent:
    """One message the bot sent, as a phone shows it."""

    recipient: str
    text: str
    attachments: list[tuple[str, str, bytes]] = field(default_factory=list)  # mime, name, data


@dataclass
class Connection:
    writer: asyncio.StreamWriter
    subscription: int | None = None


class FakeSignalCli:
    ACCOUNT = "+31600000000"

    def __init__(self) -> None:
        self.phones: dict[str, Phone] = {}
        self.waiting: list[dict] = []  # envelopes on Signal's server, not yet received
        self.sent: list[Sent] = []
        self.requests: list[dict] = []  # every request, as received
        self.violations: list[str] = []  # requests the real daemon or Signal would refuse
        self.connections: list[Connection] = []
        self.subscribes = 0
        self._subscription_ids = itertools.count(0)
        self._server: asyncio.Server | None = None
        self._changed = asyncio.Condition()  # notified whenever something a test waits for happens
        self._port = 0
        self._failures: dict[str, list[dict]] = {}  # uuid → results to answer instead
        self._drop_on_send: set[str] = set()
        self._numbers = itertools.count(1)
        self._last_stamp = 0
        self.files: dict[str, bytes] = {}  # attachments on the server, by id

    # -- running --------------------------------------------------------------------------

    async def start(self) -> FakeSignalCli:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self._port)
        self._port = self._server.sockets[0].getsockname()[1]
        return self

    @property
    def port(self) -> int:
        return self._port

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self._port}"

    async def stop(self) -> None:
        """The daemon goes away: the port closes and every connection drops."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for connection in list(self.connections):
            connection.writer.close()
        self.connections.clear()
        await self._notify()

    async def restart(self) -> None:
        await self.start()  # on the same port, as a restarted daemon would be

    # -- the carers' side ----------------------------------------------------------------

    def phone(self, uuid: str | None = None) -> Phone:
        uuid = uuid or str(uuids.uuid4())
        if uuid not in self.phones:
            self.phones[uuid] = Phone(uuid, f"+3161{next(self._numbers):07d}")
        return self.phones[uuid]

    async def user_sends(
        self,
        uuid: str,
        text: str | None,
        *,
        attachments: list[dict] | None = None,
        group_id: str | None = None,
        **extra: Any,
    ) -> dict:
        """A carer sends a message: it waits on the server until a subscriber receives it."""
        phone = self.phone(uuid)
        stamp = self._timestamp()
        data: dict[str, Any] = {
            "timestamp": stamp,
            "message": text,
            "expiresInSeconds": 0,
            "viewOnce": False,
            "mentions": [],
            "attachments": attachments or [],
            "contacts": [],
            **extra,
        }
        if group_id:
            data["groupInfo"] = {"groupId": group_id, "type": "DELIVER"}
        envelope = {
            "source": phone.number,
            "sourceNumber": phone.number,
            "sourceUuid": phone.uuid,
            "sourceName": "Carer",
            "sourceDevice": 1,
            "timestamp": stamp,
            "serverReceivedTimestamp": stamp,
            "serverDeliveredTimestamp": stamp,
            "dataMessage": data,
        }
        self.waiting.append(envelope)
        await self._deliver()
        return envelope

    async def user_sends_file(self, uuid: str, filename: str, content: bytes, mime: str) -> dict:
        """A carer attaches a file: the envelope names it; `getAttachment` fetches it."""
        file_id = f"att{len(self.files) + 1}"
        self.files[file_id] = content
        attachment = {
            "contentType": mime,
            "filename": filename,
            "id": file_id,
            "size": len(content),
            "width": None,
            "height": None,
            "caption": None,
            "uploadTimestamp": self._last_stamp,
        }
        return await self.user_sends(uuid, None, attachments=[attachment])

    async def user_types(self, uuid: str) -> None:
        """A typing indicator: an envelope without a data message."""
        phone = self.phone(uuid)
        stamp = self._timestamp()
        self.waiting.append(
            {
                "source": phone.number,
                "sourceNumber": phone.number,
                "sourceUuid": phone.uuid,
                "sourceDevice": 1,
                "timestamp": stamp,
                "typingMessage": {"action": "STARTED", "timestamp": stamp},
            }
        )
        await self._deliver()

    def _timestamp(self) -> int:
        """Milliseconds, distinct per message (a phone never sends two in the same one)."""
        self._last_stamp = max(int(time.time() * 1000), self._last_stamp + 1)
        return self._last_stamp

    async def redeliver(self, envelope: dict) -> None:
        """A daemon that died before it acknowledged a message gets it from the server again."""
        self.waiting.insert(0, envelope)
        await self._deliver()

    def fail_next_send(self, uuid: str, kind: str, retry_after: int | None = None) -> None:
        result = {"recipientAddress": self._address(uuid), "type": kind}
        if retry_after is not None:
            result["retryAfterSeconds"] = retry_after
        self._failures.setdefault(uuid, []).append(result)

    def drop_on_next_send(self, uuid: str) -> None:
        """The daemon dies while the bot sends to `uuid`: the message is not sent."""
        self._drop_on_send.add(uuid)

    def sent_to(self, uuid: str) -> list[Sent]:
        return [s for s in self.sent if s.recipient == uuid]

    def texts(self, uuid: str) -> list[str]:
        return [s.text for s in self.sent_to(uuid)]

    async def wait_for(self, predicate: Callable[[], Any], within: float = 10.0) -> Any:
        """Wait until `predicate()` is truthy (a generous bound: it fails a stuck test)."""

        async def until() -> Any:
            async with self._changed:
                while not (value := predicate()):
                    await self._changed.wait()
                return value

        return await asyncio.wait_for(until(), within)

    # -- the daemon's side ---------------------------------------------------------------

    @property
    def subscribed(self) -> list[Connection]:
        return [c for c in self.connections if c.subscription is not None]

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _deliver(self) -> None:
        while self.waiting and self.subscribed:
            envelope = self.waiting.pop(0)
            for connection in self.subscribed:
                await self._write(
                    connection,
                    {
                        "jsonrpc": "2.0",
                        "method": "receive",
                        "params": {
                            "subscription": connection.subscription,
                            "result": {"envelope": envelope, "account": self.ACCOUNT},
                        },
                    },
                )
        await self._notify()

    async def _write(self, connection: Connection, message: dict) -> None:
        with contextlib.suppress(ConnectionError):
            connection.writer.write(json.dumps(message).encode() + b"\n")
            await connection.writer.drain()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connection = Connection(writer)
        self.connections.append(connection)
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                await self._request(connection, line)
        except ConnectionError:
            pass
        finally:
            # Like signal-cli: a subscription ends with its connection.
            connection.subscription = None
            if connection in self.connections:
                self.connections.remove(connection)
            writer.close()
            await self._notify()

    async def _request(self, connection: Connection, line: bytes) -> None:
        try:
            request = json.loads(line)
        except ValueError:
            self.violations.append("a line that is not JSON")
            await self._write(connection, _error(None, -32700, "Parse error"))
            return
        self.requests.append(request)
        request_id = request.get("id")
        method = request.get("method")
        if request.get("jsonrpc") != "2.0" or not method:
            self.violations.append(f"not a JSON-RPC 2.0 request: {request}")
            await self._write(connection, _error(request_id, -32600, "method field must be set"))
            return
        params = request.get("params") or {}
        if method == "subscribeReceive":
            connection.subscription = next(self._subscription_ids)
            self.subscribes += 1
            await self._write(connection, _result(request_id, connection.subscription))
            await self._deliver()
        elif method == "unsubscribeReceive":
            if params.get("subscription") != connection.subscription:
                self.violations.append("unsubscribeReceive with an unknown subscription")
            connection.subscription = None
            await self._write(connection, _result(request_id, {}))
            await self._notify()
        elif method == "send":
            await self._send(connection, request_id, params)
        elif method == "getAttachment":
            content = self.files.get(params.get("id"))
            if content is None:
                await self._write(connection, _error(request_id, -2, "Attachment not found"))
            else:
                data = {"data": base64.b64encode(content).decode()}
                await self._write(connection, _result(request_id, data))
        else:
            await self._write(connection, _error(request_id, -32601, "Method not implemented"))

    async def _send(self, connection: Connection, request_id: Any, params: dict) -> None:
        recipients = params.get("recipient")
        recipients = [recipients] if isinstance(recipients, str) else recipients
        text = params.get("message") or ""
        raw_attachments = params.get("attachments") or params.get("attachment") or []
        if isinstance(raw_attachments, str):
            raw_attachments = [raw_attachments]
        if not recipients or not isinstance(recipients, list):
            self.violations.append("send without recipient")
            await self._write(connection, _error(request_id, USER_ERROR, "No recipients given"))
            return
        if not text and not raw_attachments:
            self.violations.append("an empty message")
            await self._write(
                connection, _error(request_id, USER_ERROR, "Sending empty message is not allowed")
            )
            return
        if len(text.encode()) > MAX_BODY_BYTES:
            self.violations.append(f"a body of {len(text.encode())} bytes")
        attachments = []
        for item in raw_attachments:
            decoded = _data_uri(item)
            if decoded is None:
                self.violations.append("an attachment that is not a data URI")
                await self._write(connection, _error(request_id, -2, "Failed to send message"))
                return
            attachments.append(decoded)
        results = []
        for recipient in recipients:
            if recipient.startswith("+"):
                self.violations.append("a message addressed by phone number")
            if recipient in self._drop_on_send:
                self._drop_on_send.discard(recipient)
                connection.writer.close()  # gone before it sent anything or answered
                return
            failures = self._failures.get(recipient)
            if failures:
                results.append(failures.pop(0))
                continue
            phone = self.phones.get(recipient)
            if phone is None or not phone.registered:
                results.append(
                    {"recipientAddress": self._address(recipient), "type": "UNREGISTERED_FAILURE"}
                )
                continue
            self.sent.append(Sent(recipient, text, attachments))
            results.append({"recipientAddress": self._address(recipient), "type": "SUCCESS"})
        response = {"timestamp": int(time.time() * 1000), "results": results}
        if any(r["type"] == "SUCCESS" for r in results):
            await self._write(connection, _result(request_id, response))
        elif all(r["type"] == "RATE_LIMIT_FAILURE" for r in results):
            message = "Failed to send message due to rate limiting"
            await self._write(
                connection, _error(request_id, RATE_LIMIT_ERROR, message, {"response": response})
            )
        else:
            await self._write(
                connection,
                _error(request_id, USER_ERROR, "Failed to send message", {"response": response}),
            )
        await self._notify()

    def _address(self, uuid: str) -> dict:
        phone = self.phones.get(uuid)
        return {"uuid": uuid, "number": phone.number if phone else None}


def _result(request_id: Any, result: Any) -> dict:
    return {"jsonrpc": "2.0", "result": result, "id": request_id}


def _error(request_id: Any, code: int, message: str, data: Any = None) -> dict:
    return {
        "jsonrpc": "2.0",
        "error": {"code": code, "message": message, "data": data},
        "id": request_id,
    }


def _data_uri(value: str) -> tuple[str, str, bytes] | None:
    """`data:<mime>;filename=<name>;base64,<data>` → (mime, name, bytes)."""
    if not value.startswith("data:") or ";base64," not in value:
        return None
    head, _, payload = value[5:].partition(";base64,")
    mime, *options = head.split(";")
    name = next((o[9:] for o in options if o.startswith("filename=")), "")
    try:
        return mime, name, base64.b64decode(payload, validate=True)
    except ValueError:
        return None
