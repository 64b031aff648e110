"""Long texts cut into pieces a chat app accepts, at the coarsest boundary that works: between
paragraphs, then lines, then words, and only as a last resort inside a word. Each channel
measures size its own way (Telegram: UTF-16 units after escaping; Signal: UTF-8 bytes)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

SEPARATORS = ("\n\n", "\n", " ")

Measure = Callable[[str], int]


def split_text(
    text: str, limit: int, size: Measure, separators: Sequence[str] = SEPARATORS
) -> list[str]:
    """Pieces of at most `limit` (as `size` counts), cut at the coarsest boundary that works."""
    text = text.strip()
    if size(text) <= limit:
        return [text] if text else []
    if not separators:
        return _hard_cut(text, limit, size)
    separator, finer = separators[0], separators[1:]
    pieces: list[str] = []
    current = ""
    for part in text.split(separator):
        candidate = f"{current}{separator}{part}" if current else part
        if size(candidate) <= limit:
            current = candidate
            continue
        if current.strip():
            pieces.append(current)
        if size(part) <= limit:
            current = part
        else:
            *done, current = split_text(part, limit, size, finer) or [""]
            pieces.extend(done)
    if current.strip():
        pieces.append(current)
    return [piece.strip() for piece in pieces if piece.strip()]


def _hard_cut(text: str, limit: int, size: Measure) -> list[str]:
    pieces, current, used = [], [], 0
    for char in text:
        cost = size(char)
        if used + cost > limit:
            pieces.append("".join(current))
            current, used = [], 0
        current.append(char)
        used += cost
    if current:
        pieces.append("".join(current))
    return pieces
