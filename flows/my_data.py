"""See and erase your data: /mijngegevens shows everything stored in plain words and as a JSON file;
/vergeetmij, after a confirmation, erases every row about the user (and what is held in memory)."""

from __future__ import annotations

import json
from datetime import datetime

from flows import erasure, profile
from flows.consult import TOPIC_LABELS
from flows.engine import (
    N_,
    Choice,
    Context,
    Document,
    Incoming,
    Reply,
    Turn,
    command,
    goto,
    not_understood,
    step,
)
from flows.find_help import category_labels
from flows.language import LANGUAGE_NAMES
from flows.places import HOME_POSTCODE_STEP, first_time
from store import areas, user_data

# The file is named in the carer's language (Dutch: mantelbot-gegevens.json).
EXPORT_FILENAME = N_("mantelbot-data.json")
# Plain words for the tables this project knows; any other table is named as it is.
TABLE_LABELS = {
    "conversation_state": N_("Where we are in our conversation, so I can go on after a break"),
    "handovers": N_("Your questions for a carer support adviser"),
    "handover_messages": N_("Your messages with a carer support adviser"),
    "burden_results": N_("Your results of the burden check (only the score and the date)"),
    "reminders": N_("Your reminders"),
    "notification_settings": N_("Your quiet hours and whether you get news messages"),
    "news_categories": N_("The subjects you want news about"),
    "broadcasts": N_("News messages you sent to carers"),
}


@command("/mijngegevens", "/mydata")
async def show_command(ctx: Context, msg: Incoming) -> Turn:
    return goto("mydata.show")


@command("/vergeetmij", "/forgetme")
async def forget_command(ctx: Context, msg: Incoming) -> Turn:
    return goto("mydata.erase")


async def _area_name(ctx: Context, code: str | None) -> str:
    if not code:
        return ctx._("not given")
    if code == areas.ROOT:
        return ctx._("not known (outside the areas I know)")
    area = await areas.get(ctx.tx, code)
    return area.name if area else code


def _date(ctx: Context, stamp: str) -> str:
    try:
        return ctx.t.format_date(datetime.fromisoformat(stamp))
    except (TypeError, ValueError):
        return str(stamp)


async def _stored_text(ctx: Context, tables: dict[str, list[dict]]) -> str:
    _ = ctx._
    user = ctx.user
    assert user is not None
    lines = [
        _("This is everything I have stored about you:"),
        "",
        "• " + _("You gave consent on {date}.").format(date=_date(ctx, user.consent_at)),
        "• "
        + _("Language: {language}").format(
            language=LANGUAGE_NAMES.get(user.language or "", user.language or "-")
        ),
        "• "
        + _("Where you live: {area} (only the district, never your postcode)").format(
            area=await _area_name(ctx, user.home_area)
        ),
        "• "
        + _("Where the person you care for lives: {area}").format(
            area=await _area_name(ctx, user.care_area)
        ),
        *profile.overview_lines(ctx),
    ]
    for table, rows in tables.items():
        if table == "users":
            continue
        if table == "handovers":
            lines.append("• " + _(TABLE_LABELS[table]) + ":")
            for row in rows[-10:]:
                if row.get("status") == "closed":
                    status = _("closed")
                elif row.get("answered_at"):
                    status = _("answered")
                else:
                    status = _("waiting for answer")
                topic = _(TOPIC_LABELS.get(row.get("topic"), TOPIC_LABELS["other"]))
                lines.append(f"  – {_date(ctx, row.get('created_at'))}: {topic} ({status})")
        elif table == "reminders":
            lines.append("• " + _(TABLE_LABELS[table]) + ":")
            for row in rows:
                what = row.get("text") or _("Check-in: how are you doing?")
                lines.append(f"  – {what} ({_date(ctx, row.get('next_at'))})")
        elif table == "news_categories":
            labels = category_labels(ctx)
            subjects = [labels.get(row.get("category"), row.get("category")) for row in rows]
            lines.append("• " + _(TABLE_LABELS[table]) + ": " + ", ".join(map(str, subjects)))
        elif table == "conversation_state":
            lines.append("• " + _(TABLE_LABELS[table]))
        elif table in TABLE_LABELS:
            lines.append("• " + _(TABLE_LABELS[table]) + f" ({ctx.t.format_number(len(rows))})")
        else:
            lines.append(
                "• "
                + _("Other records ({table}): {count}").format(
                    table=table, count=ctx.t.format_number(len(rows))
                )
            )
    lines += [
        "",
        _("I never store your name, your postcode or messages about a crisis."),
        _("You get all of it as a file too: {filename}.").format(filename=_(EXPORT_FILENAME)),
    ]
    return "\n".join(lines)


async def ask_show(ctx: Context) -> list[Reply]:
    _ = ctx._
    if ctx.user is None:
        text = _(
            "I have stored nothing about you, because you did not give consent for storing. "
            "During this chat I only remember your answers in memory."
        )
        remembered = profile.overview_lines(ctx)
        if ctx.home_area:
            remembered.insert(
                0,
                "• "
                + _("Where you live: {area} (only the district, never your postcode)").format(
                    area=await _area_name(ctx, ctx.home_area)
                ),
            )
        if remembered:
            text += "\n\n" + _("What I remember now:") + "\n" + "\n".join(remembered)
        return [
            Reply(
                text,
                (
                    Choice("erase", _("Forget it now")),
                    Choice("settings", _("My data and settings")),
                    Choice("menu", _("Main menu")),
                ),
            )
        ]
    tables = await user_data.export(ctx.tx, ctx.user.id)
    export = {"exported_at": ctx.now.isoformat(timespec="seconds"), "tables": tables}
    document = Document(
        ctx._(EXPORT_FILENAME),
        json.dumps(export, ensure_ascii=False, indent=2, default=str).encode("utf-8"),
        "application/json",
    )
    text = await _stored_text(ctx, tables)
    return [
        Reply(text[:4000]),
        Reply(
            _("Here is the file with all your data."),
            (
                Choice("erase", _("Erase my data")),
                Choice("settings", _("My data and settings")),
                Choice("menu", _("Main menu")),
            ),
            document,
        ),
    ]


@step("mydata.show", ask=ask_show)
async def show(ctx: Context, msg: Incoming) -> Turn:
    if msg.choice == "erase":
        return goto("mydata.erase")
    if msg.choice == "settings":
        return goto("settings.main")
    return not_understood()


async def ask_erase(ctx: Context) -> Reply:
    _ = ctx._
    if ctx.user is None:
        text = _(
            "I have stored nothing about you. Shall I also forget what you told me during this "
            "chat?"
        )
    else:
        text = ""
        if ctx.data.get("withdraw"):
            text = _("If you withdraw your consent, I erase everything I stored about you.") + " "
        text += _(
            "Do you want me to erase everything I have stored about you? That is your language, "
            "your districts, your answers, your questions to an adviser and where we are in our "
            "conversation. This cannot be undone."
        )
    return Reply(
        text,
        (
            Choice("yes", _("Yes, erase everything")),
            Choice("no", _("No, keep it")),
        ),
    )


@step("mydata.erase", ask=ask_erase, durable=True)
async def erase(ctx: Context, msg: Incoming) -> Turn:
    _ = ctx._
    if msg.choice == "no":
        return goto("menu.main", Reply(_("OK, I have not erased anything.")))
    if msg.choice != "yes":
        return not_understood()
    had_data = await erasure.forget(ctx)
    if had_data:
        done = _(
            "Done. I have erased everything I had stored about you, and I do not remember you "
            "anymore. You can still use me without storing anything."
        )
    else:
        done = _("Done. I have forgotten what you told me during this chat.")
    # The districts are forgotten too: ask for them again, or help would silently be national.
    return Turn([Reply(done)], next=HOME_POSTCODE_STEP, data=first_time(), remember=False)
