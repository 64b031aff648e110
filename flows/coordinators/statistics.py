"""/beheer → Figures: anonymous counts for my areas. Every count from 1 to 4 shows as "<5"
(store/stats.py), so no single carer can be picked out."""

from __future__ import annotations

from flows.bands import STAT_BANDS
from flows.coordinators.access import beheer_entry, coordinator_step, scope
from flows.engine import N_, Choice, Context, Incoming, Reply, Turn, goto, not_understood
from flows.find_help import category_labels
from store import areas, needs, stats
from store.coordinators import Coordinator

BAND_LABELS = {"low": N_("low"), "medium": N_("medium"), "high": N_("high")}
STATUS_LABELS = {"open": N_("waiting for an answer"), "answered": N_("answered")}
TOP = 5  # categories shown

beheer_entry("stats", N_("Figures for my areas"), "beheer.stats", order=60)


async def figures(ctx: Context, me: Coordinator) -> str:
    _ = ctx._
    allowed = await scope(ctx, me)
    report = await stats.report(ctx.tx, allowed, STAT_BANDS)
    names = await areas.names(ctx.tx) | {needs.OUTSIDE: _("Outside every area")}
    labels = category_labels(ctx)
    lines = [_("Figures for your areas. Anonymous: a number from 1 to 4 shows as <5."), ""]
    lines.append(_("Carers per area:"))
    lines += [
        f"• {names.get(code, code)}: {stats.shown(n)}" for code, n in sorted(report.carers.items())
    ] or ["• -"]
    lines += ["", _("Burden (latest check):")]
    lines += [f"• {_(BAND_LABELS.get(b, b))}: {stats.shown(n)}" for b, n in report.bands.items()]
    lines += ["", _("Asked for most:")]
    lines += [f"• {labels.get(c, c)}: {stats.shown(n)}" for c, n in report.asked[:TOP]] or ["• -"]
    lines += ["", _("Asked, but nothing in the area itself:")]
    lines += [
        f"• {names.get(code, code)}, {labels.get(c, c)}: {stats.shown(n)}"
        for code, c, n in report.unmet[:10]
    ] or ["• -"]
    lines += ["", _("Questions for an adviser:")]
    lines += [
        f"• {_(label)}: {stats.shown(report.handovers.get(status, 0))}"
        for status, label in STATUS_LABELS.items()
    ]
    return "\n".join(lines)


async def ask_stats(ctx: Context, me: Coordinator) -> Reply:
    return Reply(await figures(ctx, me), (Choice("beheer", ctx._("Management menu")),))


@coordinator_step("beheer.stats", ask=ask_stats)
async def show(ctx: Context, msg: Incoming, me: Coordinator) -> Turn:
    if msg.choice == "beheer":
        return goto("beheer.menu")
    return not_understood()
