"""/beheer → Resources → the whole list as a CSV file: upload one (preview, then "Apply") and
download the current list of my areas.

An upload is checked completely before anything is written: new, changed and unchanged rows, and
every problem with its row number. A row that would touch an area outside the coordinator's own
refuses the whole file. "Apply" runs the import once more, all or nothing, within the same
scope; the file waits in the step data until then.
"""

from __future__ import annotations

import base64
import binascii

from flows.coordinators.access import coordinator_step, scope
from flows.coordinators.resource_fields import my_areas
from flows.coordinators.resource_manage import MENU, actor
from flows.engine import (
    DOCUMENT_STEPS,
    Choice,
    Context,
    Document,
    Incoming,
    Reply,
    Turn,
    goto,
    not_understood,
    stay,
)
from store import csv_files, managed_resources
from store.coordinators import Coordinator

UPLOAD = "beheer.csv.upload"
PREVIEW = "beheer.csv.preview"
MAX_FILE = 2_000_000  # bytes: thousands of resources; a larger file is a mistake
SHOWN_PROBLEMS = 15  # a chat message lists the first ones; the count says how many there are
SHOWN_IDS = 10
CSV_MIME = "text/csv"


async def ask_upload(ctx: Context, me: Coordinator) -> Reply:
    _ = ctx._
    return Reply(
        _(
            "Send the CSV file as a document (paperclip, then File). Tip: first download the "
            "list, change it in Excel, and save it as 'CSV UTF-8'. I show what would change "
            "before anything is saved."
        ),
        (Choice("download", _("Download as CSV")), Choice("beheer.res", _("Resources menu"))),
    )


@coordinator_step(UPLOAD, ask=ask_upload)
async def upload(ctx: Context, msg: Incoming, me: Coordinator) -> Turn:
    _ = ctx._
    if msg.choice == "download":
        return goto("beheer.csv.download")
    if msg.choice == "beheer.res":
        return goto(MENU)
    if msg.document is None:
        return not_understood()
    if len(msg.document.content) > MAX_FILE:
        return stay(Reply(_("This file is too large (at most 2 MB). Nothing has changed.")))
    preview = await csv_files.preview_resources_in(
        ctx.tx, msg.document.content, _, await scope(ctx, me)
    )
    if not preview.ok:
        lines = [_("The file cannot be used. Nothing has changed.")]
        lines += [problem.format(_) for problem in preview.problems[:SHOWN_PROBLEMS]]
        if preview.problem_count > SHOWN_PROBLEMS:
            lines.append(
                _("… and {n} more problems.").format(n=preview.problem_count - SHOWN_PROBLEMS)
            )
        lines += ["", _("Fix the file and send it again.")]
        return stay(Reply("\n".join(lines)))
    lines = [
        _("What this file would do in your areas:"),
        _("{created} new, {updated} changed, {unchanged} unchanged.").format(
            created=preview.created, updated=preview.updated, unchanged=preview.unchanged
        ),
    ]
    for title, ids in ((_("New:"), preview.created_ids), (_("Changed:"), preview.updated_ids)):
        if ids:
            more = f" (+{len(ids) - SHOWN_IDS})" if len(ids) > SHOWN_IDS else ""
            lines.append(f"{title} {', '.join(ids[:SHOWN_IDS])}{more}")
    if not preview.created and not preview.updated:
        return stay(Reply("\n".join([*lines, "", _("There is nothing to change.")])))
    content = base64.b64encode(msg.document.content).decode("ascii")
    return goto(PREVIEW, Reply("\n".join(lines)), data={"file": content})


DOCUMENT_STEPS.add(UPLOAD)


async def ask_preview(ctx: Context, me: Coordinator) -> Reply:
    _ = ctx._
    return Reply(
        _("Apply these changes? All of them are saved, or none."),
        (Choice("apply", _("Apply")), Choice("cancel", _("Cancel, change nothing"))),
    )


@coordinator_step(PREVIEW, ask=ask_preview)
async def apply(ctx: Context, msg: Incoming, me: Coordinator) -> Turn:
    _ = ctx._
    if msg.choice == "cancel":
        return goto(MENU, Reply(_("Nothing has changed.")))
    if msg.choice != "apply":
        return not_understood()
    try:
        content = base64.b64decode(str(ctx.data.get("file", "")), validate=True)
    except (binascii.Error, ValueError):
        content = b""
    if not content:
        return goto(UPLOAD, Reply(_("I no longer have that file. Please send it again.")))
    try:
        # Checked again as a whole: someone may have changed resources since the preview.
        result = await csv_files.import_resources_in(
            ctx.tx, content, _, actor(me), await scope(ctx, me)
        )
    except csv_files.ImportRefused as refused:
        problems = "\n".join(p.format(_) for p in refused.problems[:SHOWN_PROBLEMS])
        return goto(
            UPLOAD,
            Reply(_("The file cannot be used any more. Nothing has changed.") + "\n" + problems),
        )
    return goto(
        MENU,
        Reply(
            _("Done: {created} new, {updated} changed, {unchanged} unchanged.").format(
                created=result.created, updated=result.updated, unchanged=result.unchanged
            )
        ),
    )


async def ask_download(ctx: Context, me: Coordinator) -> Reply:
    _ = ctx._
    found = await managed_resources.in_scope(ctx.tx, await my_areas(ctx, me))
    document = Document("hulpbronnen.csv", csv_files.resources_csv(found), CSV_MIME)
    return Reply(
        _("All {n} resources in your areas, archived ones too (active 0).").format(n=len(found)),
        (Choice("upload", _("Upload a CSV file")), Choice("beheer.res", _("Resources menu"))),
        document,
    )


@coordinator_step("beheer.csv.download", ask=ask_download)
async def download(ctx: Context, msg: Incoming, me: Coordinator) -> Turn:
    if msg.choice == "upload":
        return goto(UPLOAD)
    if msg.choice == "beheer.res":
        return goto(MENU)
    return not_understood()
