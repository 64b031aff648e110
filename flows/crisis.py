"""The crisis route: crisis and abuse messages, the crisis button and /hulp answer at once.

Nothing of a crisis message is stored, and the route never needs a write transaction: it reads the
user's language and the helplines without one, so another process's long import cannot delay it.
When even that read fails (the database locked or damaged), built-in texts with the national
helplines answer instead. Which screen a message needs is decided by flows/safety_detect.py.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3

from flows import held_text
from flows.engine import (
    GLANCE_WAIT,
    INTERCEPTORS,
    Choice,
    Context,
    Glance,
    Incoming,
    Interceptor,
    Reply,
    Translator,
    Turn,
    command,
    global_choice,
)
from flows.safety_detect import Signal, detect
from store import resources
from store.db import StorageError, Tx
from store.resources import Resource

log = logging.getLogger(__name__)

MORE = "crisis:more"
HELP_COMMANDS = ("/hulp", "/help")
# What a coordinator types at their own steps is work (an answer to a carer, a resource text that
# names suicide or abuse), not their own crisis: /hulp and the button still work there.
STAFF_STEPS = "beheer."
# The short screens: the first line is the one a person in that situation needs most.
CRISIS_SCREEN = ("zelfmoordpreventie-113", "de-luisterlijn")
ABUSE_SCREEN = ("veilig-thuis",)
# "More helplines": everything, in this order; any other helplines follow by name.
HELPLINE_ORDER = (
    "zelfmoordpreventie-113",
    "alarmnummer-112",
    "veilig-thuis",
    "mantelzorglijn",
    "dementielijn",
    "de-luisterlijn",
)


def is_crisis(text: str, language: str | None = None) -> bool:
    """Crisis or abuse: either opens the helplines (see flows/safety_detect.py)."""
    return detect(text, language) is not Signal.NONE


def _claims(msg: Incoming) -> bool:
    if msg.command in HELP_COMMANDS or msg.choice in ("crisis", MORE):
        return True
    hint = (msg.language_hint or "").split("-")[0]
    return bool(msg.text) and msg.command is None and is_crisis(msg.text or "", hint)


async def _answer(glance: Glance, msg: Incoming) -> list[Reply] | None:
    t = glance.t
    if msg.text and not msg.command and (glance.step or "").startswith(STAFF_STEPS):
        return None
    signal = detect(msg.text, t.lang) if msg.text and not msg.command else Signal.CRISIS
    helplines = await _read_helplines(glance) if glance.readable else None
    if msg.choice == MORE:
        return [_more_screen(t, helplines)]
    typed = msg.text if signal is not Signal.NONE and not msg.command else None
    keep = typed is not None and glance.step in held_text.SEND_ANYWAY_AT
    if keep:
        held_text.hold(glance.channel, glance.external_id, typed or "")
    return [screen(t, signal, helplines, offer_send=keep)]


INTERCEPTORS.append(Interceptor(_claims, _answer))


@command(*HELP_COMMANDS)
@global_choice("crisis")
async def show_helplines(ctx: Context, msg: Incoming) -> Turn:
    """Registered so the command menus list /hulp and /help; the interceptor answers them first."""
    return Turn([screen(ctx.t, Signal.CRISIS, await _helplines_in(ctx.tx))])


async def _read_helplines(glance: Glance) -> dict[str, Resource] | None:
    try:
        async with asyncio.timeout(GLANCE_WAIT), glance.db.read() as tx:
            return await _helplines_in(tx)
    except (sqlite3.Error, StorageError, TimeoutError, ValueError):
        log.warning("helplines not readable; built-in texts shown")
        return None


async def _helplines_in(tx: Tx) -> dict[str, Resource] | None:
    found = await resources.for_areas(tx, "helpline", ["nl"])
    return {r.id: r for r in found} or None


def screen(
    t: Translator,
    signal: Signal,
    helplines: dict[str, Resource] | None,
    *,
    offer_send: bool = False,
) -> Reply:
    """The short crisis or abuse screen (under about 600 characters), with "more helplines"."""
    _ = t.gettext
    if signal is Signal.ABUSE:
        lines = [
            _("What you tell me is serious. You may ask for help with it."),
            _(
                "Are you being hurt, or are you afraid of what you do yourself? Veilig Thuis "
                "gives advice. You may call anonymously, and also when you are not sure."
            ),
            "",
        ]
        wanted = ABUSE_SCREEN
    else:
        lines = [_("You don't have to do this alone. Help is there, right now."), ""]
        wanted = CRISIS_SCREEN
    if helplines is None or not all(rid in helplines for rid in wanted):
        entries = _built_in(t, signal)
    else:
        entries = [_line(helplines[rid], t) for rid in wanted]
        entries.insert(1, "• " + _("Danger right now? Call 112."))
    lines += entries
    lines += ["", _("I am a bot, not a care professional. These people can really help you.")]
    choices = [Choice(MORE, _("More helplines"))]
    if offer_send:
        lines += ["", _("What you wrote has not been sent. Do you still want to send it?")]
        choices.append(Choice(held_text.SEND_ANYWAY, _("Send anyway")))
    choices += [Choice("resume", _("Back to where I was")), Choice("menu", _("Main menu"))]
    return Reply("\n".join(lines), tuple(choices))


def _line(r: Resource, t: Translator) -> str:
    hours = r.text("opening_hours", t.lang)
    when = f" ({hours})" if hours else ""
    url = f"\n  {r.url}" if r.url else ""
    return f"• {r.name}{when}: {r.text('first_step', t.lang)}{url}"


def _built_in(t: Translator, signal: Signal) -> list[str]:
    """The national helplines without the database (content/helplines.md)."""
    _ = t.gettext
    suicide = _(
        "113 Zelfmoordpreventie (day and night): call 113 or 0800-0113 (free), or chat on "
        "https://www.113.nl"
    )
    abuse = _("Veilig Thuis, for violence or abuse at home (day and night): call 0800-2000 (free)")
    others = [
        _("Danger right now? Call 112."),
        _("De Luisterlijn (day and night): 088 0767 000"),
        _("Mantelzorglijn (working days): 030 760 60 55"),
    ]
    first = [abuse, suicide] if signal is Signal.ABUSE else [suicide, abuse]
    return ["• " + line for line in [first[0], others[0], first[1], *others[1:]]]


def _more_screen(t: Translator, helplines: dict[str, Resource] | None) -> Reply:
    _ = t.gettext
    lines = [_("All helplines:"), ""]
    if helplines is None:
        lines += _built_in(t, Signal.CRISIS)
    else:
        rank = {rid: i for i, rid in enumerate(HELPLINE_ORDER)}
        for r in sorted(helplines.values(), key=lambda r: (rank.get(r.id, len(rank)), r.name)):
            hours = r.text("opening_hours", t.lang)
            lines.append(f"• {r.name}: {r.phone}" + (f" ({hours})" if hours else ""))
            lines.append(f"  {r.text('description', t.lang)}")
    return Reply(
        "\n".join(lines),
        (Choice("resume", _("Back to where I was")), Choice("menu", _("Main menu"))),
    )
