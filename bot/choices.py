"""Choices for chats without buttons (the terminal, Signal): numbered lines, and what the user
types back picks one by its number or its label."""

from __future__ import annotations

from collections.abc import Sequence

from flows.engine import Choice, Reply


def shown(replies: Sequence[Reply]) -> list[Choice]:
    """The choices of a turn in the order they are numbered, from 1 (the engine's `offered`
    keys follow the same order)."""
    return [choice for reply in replies for choice in reply.choices]


def pick(typed: str, choices: Sequence[Choice]) -> str | None:
    """The key of the choice `typed` names by number or label (case-insensitive), or None."""
    typed = typed.strip()
    number = typed.rstrip(".)")  # "2." and "2)" as people type a list number
    if number.isdigit() and 1 <= int(number) <= len(choices):
        return choices[int(number) - 1].key
    for choice in choices:
        if typed.casefold() == choice.label.casefold():
            return choice.key
    return None
