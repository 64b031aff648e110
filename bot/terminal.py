"""The terminal chat: the same flows as on a phone, one line in, replies out.

Choices are printed as `[N] label`; typing N or the label picks it. Works piped and ends at EOF.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TextIO

from bot.choices import pick
from flows.engine import Choice, Engine, Incoming, Reply

CHANNEL = "console"


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


def to_incoming(line: str, shown: list[Choice], user: str, hint: str | None) -> Incoming:
    key = pick(line, shown)
    if key is not None:
        return Incoming(CHANNEL, user, choice=key, language_hint=hint)
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
        replies = await engine.handle(to_incoming(line.rstrip("\n"), shown, user, hint))
        shown = render(replies, stdout, documents_dir)
