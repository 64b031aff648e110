"""Button labels built from data (names of resources, areas, reminders): at most 30 characters,
as every button (README "Translations"), cut between words and ending in "…" so a carer sees that
the name goes on."""

from __future__ import annotations

MAX_LABEL = 30  # characters on a button; Telegram cuts longer ones on small phones
ELLIPSIS = "…"
# A cut at a space this far in still shows enough of the name; earlier, cut inside the word.
MIN_KEPT = 12
# Small words a cut name does not end on: "Colmschate, Schalkhaar…", not "… Schalkhaar en de…".
_LINKING = frozenset(
    {"en", "de", "het", "een", "van", "in", "op", "voor", "met", "bij"}
) | frozenset({"and", "the", "a", "of", "for", "to", "at", "&"})


def short_label(text: str, limit: int = MAX_LABEL) -> str:
    """`text` as it fits on a button: whole, or cut on a word boundary with "…"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[: limit - len(ELLIPSIS) + 1]  # one more: a space right after the cut counts
    space = head.rfind(" ")
    if space < MIN_KEPT:
        return head[: limit - len(ELLIPSIS)].rstrip(" ,;:-–(/") + ELLIPSIS
    words = head[:space].split(" ")
    while len(words) > 1 and words[-1].casefold() in _LINKING:
        words.pop()
    return " ".join(words).rstrip(" ,;:-–(/") + ELLIPSIS


def filled_label(template: str, limit: int = MAX_LABEL, **value: str) -> str:
    """A translated `template` with one placeholder ("Remind me: {name}") filled with a name
    shortened to the room the template leaves, so the fixed words stay readable."""
    ((key, text),) = value.items()
    room = limit - len(template.replace("{" + key + "}", ""))
    return short_label(template.format(**{key: short_label(text, max(room, 1))}), limit)
