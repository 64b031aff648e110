"""What a carer types for a kind of help ("een cursus", "logeren", "someone to talk to"): the door
or category of flows/find_help.py it opens. People type what they look for as often as they
press a button; only a message that names exactly one kind of help opens it."""

from __future__ import annotations

import re

# door or category → words and phrases, Dutch and English, as carers write them.
WORDS: dict[str, tuple[str, ...]] = {
    "respite": (
        "even vrij",
        "vrij",
        "respijt",
        "respijtzorg",
        "logeren",
        "logeeropvang",
        "logeerhuis",
        "dagopvang",
        "dagbesteding",
        "oppas",
        "thuisoppas",
        "time off",
        "respite",
        "break",
        "day care",
        "short stay",
    ),
    "course": ("cursus", "cursussen", "training", "trainingen", "course", "courses"),
    "peers": (
        "lotgenoten",
        "lotgenotencontact",
        "andere mantelzorgers",
        "mantelzorgcafé",
        "mantelzorgcafe",
        "gespreksgroep",
        "maatje",
        "other carers",
        "peer group",
        "peers",
        "buddy",
        "support group",
    ),
    "practical_help": (
        "praktische hulp",
        "klussen",
        "klus",
        "boodschappen",
        "vervoer",
        "huishouden",
        "practical help",
        "practical",
        "chores",
        "shopping",
        "transport",
    ),
    "emotional_support": (
        "praten",
        "iemand om mee te praten",
        "luisteren",
        "luisterend oor",
        "talk",
        "someone to talk to",
        "listen",
    ),
    "advice": ("advies", "wijkteam", "consulent", "advice", "adviser", "advisor"),
    "financial": (
        "geld",
        "vergoeding",
        "vergoedingen",
        "toeslag",
        "toeslagen",
        "financiën",
        "money",
        "allowance",
        "allowances",
        "benefits",
    ),
    "information": ("informatie", "info", "information"),
    "appreciation": ("waardering", "mantelzorgwaardering", "appreciation"),
    "helpline": ("hulplijn", "hulplijnen", "helpline", "helplines"),
}
_WORD = re.compile(r"[\w'-]+")


def typed_kind(text: str) -> str | None:
    """The one door or category `text` names, or None (none, or more than one)."""
    said = " ".join(_WORD.findall(text.casefold()))
    padded = f" {said} "
    kinds = {kind for kind, words in WORDS.items() if any(f" {w} " in padded for w in words)}
    return kinds.pop() if len(kinds) == 1 else None
