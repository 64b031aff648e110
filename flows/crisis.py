"""The crisis route: crisis words, the crisis button and /hulp answer at once with the helplines.

Nothing of a crisis message is stored: the check runs before any state is loaded or written.
"""

from __future__ import annotations

import re
import unicodedata

from flows.engine import (
    INTERCEPTORS,
    Choice,
    Context,
    Incoming,
    Reply,
    Translator,
    Turn,
    command,
    global_choice,
)
from store import resources
from store.db import Tx

# Phrases, already normalised (lower case, no accents, straight quotes, single spaces).
CRISIS_PHRASES = (
    "ik kan niet meer",
    "ik kan het niet meer",
    "ik trek het niet meer",
    "ik hou het niet meer vol",
    "ik houd het niet meer vol",
    "zelfmoord",
    "suicide",
    "ik wil dood",
    "ik wil niet meer leven",
    "niet meer leven",
    "er een eind aan maken",
    "er een einde aan maken",
    "mezelf van kant maken",
    "mezelf iets aandoen",
    "i can't go on",
    "i cant go on",
    "i can't take it anymore",
    "i cant take it anymore",
    "kill myself",
    "end my life",
    "want to die",
    "hurt myself",
)
# Helplines in the order a person in crisis needs them; any others follow by name.
HELPLINE_ORDER = (
    "alarmnummer-112",
    "zelfmoordpreventie-113",
    "mantelzorglijn",
    "dementielijn",
    "de-luisterlijn",
    "veilig-thuis",
)
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'", "`": "'"})


def normalise(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_QUOTES))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^\w' ]+", " ", plain).split())


_PATTERN = re.compile(r"\b(?:" + "|".join(re.escape(p) for p in CRISIS_PHRASES) + r")\b")


def is_crisis(text: str) -> bool:
    return _PATTERN.search(normalise(text)) is not None


async def helpline_replies(tx: Tx, t: Translator) -> list[Reply]:
    _ = t.gettext
    found = await resources.for_areas(tx, "helpline", ["nl"])
    rank = {rid: i for i, rid in enumerate(HELPLINE_ORDER)}
    found.sort(key=lambda r: (rank.get(r.id, len(rank)), r.name))
    lines = [_("You don't have to do this alone. Help is there, right now."), ""]
    lines.append(_("Is someone in danger right now? Call 112."))
    for r in found:
        hours = f" ({r.opening_hours})" if r.opening_hours else ""
        lines.append(f"• {r.name}: {r.phone}{hours}")
        lines.append(f"  {r.text('description', t.lang)}")
    lines += ["", _("I am a bot, not a care professional. These people can really help you.")]
    return [
        Reply(
            "\n".join(lines),
            (Choice("resume", _("Back to where I was")), Choice("menu", _("Main menu"))),
        )
    ]


async def _intercept(tx: Tx, t: Translator, msg: Incoming) -> list[Reply] | None:
    if msg.text and is_crisis(msg.text):
        return await helpline_replies(tx, t)
    return None


INTERCEPTORS.append(_intercept)


@command("/hulp", "/help")
@global_choice("crisis")
async def show_helplines(ctx: Context, msg: Incoming) -> Turn:
    # Stay where the user was: "Back to where I was" asks the same question again.
    return Turn(await helpline_replies(ctx.tx, ctx.t))
