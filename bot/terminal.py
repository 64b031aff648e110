"""The terminal chat: the same flows as on a phone, one line in, replies out.

Choices are printed as `[N] label`; typing N or the label picks it. Works piped and ends at EOF.
A line `/bestand PATH` (or `/file PATH`) sends that file, as a phone sends a document.
"""

from __future__ import annotations

import asyncio
import mimetypes
import sys
from pathlib import Path
from typing import TextIO

from flows.engine import Choice, Document, Engine, Incoming, Reply

CHANNEL = "console"
FILE_COMMANDS = ("/bestand", "/file")
MAX_FILE_BYTES = 5_000_000  # as large as a document the Telegram channel accepts


def render(replies: list[Reply], out: TextIO, documents_dir: Path) -> list[Choice]:
    """Print replies; return the choices on screen, numbered from 1 in the order shown."""
    shown: list[Choice] = []
    for reply in replies:
        out.write(reply.text.rstrip() + "\n")
        if reply.document:
            path = documents_dir / reply.document.filename
            path.write_bytes(reply.document.content)
            out.write(f"[{reply.document.filename} → {path}]\n")
        for choice in reply.choices:
            shown.append(choice)
            out.write(f"[{len(shown)}] {choice.label}\n")
        out.write("\n")
    out.flush()
    return shown


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
            return Incoming(CHANNEL, user, document=document, language_hint=hint)
        err.write(f"[{document}]\n")
        return None
    if typed.isdigit() and 1 <= int(typed) <= len(shown):
        return Incoming(CHANNEL, user, choice=shown[int(typed) - 1].key, language_hint=hint)
    for choice in shown:
        if typed.casefold() == choice.label.casefold():
            return Incoming(CHANNEL, user, choice=choice.key, language_hint=hint)
    return Incoming(CHANNEL, user, text=line, language_hint=hint)


async def chat(
    engine: Engine,
    user: str,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    hint: str | None = None,
    documents_dir: Path = Path("."),
) -> None:
    interactive = stdin.isatty()
    shown = render(await engine.resume(CHANNEL, user, hint), stdout, documents_dir)
    while True:
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
