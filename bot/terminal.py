"""The terminal chat: the same flows as on a phone, one line in, replies out.

Choices are printed as `[N] label`; typing N or the label picks it. Works piped and ends at EOF.
A line `/bestand PATH` (or `/file PATH`) sends that file, as a phone sends a document.
Messages the bot queued for this user (e.g. a coordinator's answer) are shown at the start and
whenever the chat next reads a line: the terminal is the outbox channel `console`.
"""

from __future__ import annotations

import asyncio
import mimetypes
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TextIO

from bot.channels import Outcome, SendResult
from bot.choices import pick
from flows.engine import Choice, Document, Engine, Incoming, Reply

CHANNEL = "console"
FILE_COMMANDS = ("/bestand", "/file")
MAX_FILE_BYTES = 5_000_000  # as large as a document the Telegram channel accepts


class ConsoleChannel:
    """Delivers queued messages to the one user of this terminal chat: they are collected here
    and printed with the next replies."""

    name = CHANNEL

    def __init__(self, user: str) -> None:
        self.user = user
        self.pending: list[Reply] = []

    async def send(self, recipient: str, replies: list[Reply]) -> SendResult:
        if recipient != self.user:  # someone else's message: it waits for their chat
            return SendResult(Outcome.RETRY_AFTER, retry_after=60, detail="not this chat")
        self.pending.extend(replies)
        return SendResult(Outcome.DELIVERED)

    def take(self) -> list[Reply]:
        taken, self.pending = self.pending, []
        return taken


def render(replies: list[Reply], out: TextIO, documents_dir: Path) -> list[Choice]:
    """Print replies; return the choices on screen, numbered from 1 in the order shown."""
    return render_from(replies, out, documents_dir, 0)


def render_from(replies: list[Reply], out: TextIO, documents_dir: Path, first: int) -> list[Choice]:
    """Print replies with their choices numbered after the `first` already on screen."""
    shown: list[Choice] = []
    for reply in replies:
        out.write(reply.text.rstrip() + "\n")
        if reply.document:
            path = documents_dir / reply.document.filename
            save_private(path, reply.document.content)
            out.write(f"[{reply.document.filename} → {path}]\n")
        for choice in reply.choices:
            shown.append(choice)
            out.write(f"[{first + len(shown)}] {choice.label}\n")
        out.write("\n")
    out.flush()
    return shown


def save_private(path: Path, content: bytes) -> None:
    """Write a file only its owner may read: a carer's data export holds health data."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as file:
        os.fchmod(file.fileno(), 0o600)  # an older file of the same name may have been wider
        file.write(content)


def read_document(path: Path) -> Document | str:
    """The file at `path` as a document, or why it cannot be read."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return f"{path}: too large"
        content = path.read_bytes()
    except OSError as error:
        return f"{path}: {error.strerror}"
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return Document(path.name, content, mime)


def to_incoming(
    line: str, shown: list[Choice], user: str, hint: str | None, err: TextIO = sys.stderr
) -> Incoming | None:
    """What the line means; None when it named a file that cannot be read (said on `err`)."""
    typed = line.strip()
    command, _, argument = typed.partition(" ")
    if command.lower() in FILE_COMMANDS and argument.strip():
        document = read_document(Path(argument.strip()).expanduser())
        if isinstance(document, Document):
            return Incoming(CHANNEL, user, document=document, language_hint=hint, numbered=True)
        err.write(f"[{document}]\n")
        return None
    key = pick(typed, shown)
    if key is not None:
        return Incoming(CHANNEL, user, choice=key, language_hint=hint, numbered=True)
    return Incoming(CHANNEL, user, text=line, language_hint=hint, numbered=True)


async def chat(
    engine: Engine,
    user: str,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    hint: str | None = None,
    documents_dir: Path = Path("."),
    on_read: Callable[[], Awaitable[list[Reply]]] | None = None,
) -> None:
    """`on_read` gives the messages queued for this user; called at the start and before every
    line is read, its replies are shown first."""

    async def queued() -> list[Reply]:
        return await on_read() if on_read else []

    interactive = stdin.isatty()
    start = await queued()
    shown = render(start + await engine.resume(CHANNEL, user, hint), stdout, documents_dir)
    while True:
        waiting = await queued()
        if waiting:
            shown = shown + render_from(waiting, stdout, documents_dir, len(shown))
        if interactive:
            stdout.write("> ")
            stdout.flush()
        line = await asyncio.to_thread(stdin.readline)
        if not line:  # EOF
            return
        if not line.strip():
            continue
        incoming = to_incoming(line.rstrip("\n"), shown, user, hint)
        if incoming is None:
            continue
        shown = render(await engine.handle(incoming), stdout, documents_dir)
