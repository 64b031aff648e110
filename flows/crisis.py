"""The crisis route: crisis words, the crisis button and /hulp answer at once with the helplines.

Nothing of a crisis message is stored: the check runs before any state is loaded or written.
"""

from __future__ import annotations

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
from flows.safety_detect import Signal, detect
from store import resources
from store.db import Tx

# Helplines in the order a person in crisis needs them; any others follow by name.
HELPLINE_ORDER = (
    "alarmnummer-112",
    "zelfmoordpreventie-113",
    "mantelzorglijn",
    "dementielijn",
    "de-luisterlijn",
    "veilig-thuis",
)


def is_crisis(text: str, language: str | None = None) -> bool:
    """Crisis or abuse: either opens the helplines (see flows/safety_detect.py)."""
    return detect(text, language) is not Signal.NONE


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
    if msg.text and is_crisis(msg.text, t.lang):
        return await helpline_replies(tx, t)
    return None


INTERCEPTORS.append(_intercept)


@command("/hulp", "/help")
@global_choice("crisis")
async def show_helplines(ctx: Context, msg: Incoming) -> Turn:
    # Stay where the user was: "Back to where I was" asks the same question again.
    return Turn(await helpline_replies(ctx.tx, ctx.t))
