"""`mantelbot stats` and `mantelbot audit`: the coordinators' figures and the audit log on the
command line, as a table or as CSV."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Callable
from datetime import date
from typing import Any, TextIO

from flows.bands import STAT_BANDS
from store import audit, coordinators, stats
from store.db import Database

Gettext = Callable[[str], str]


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date like 2026-01-31: {value!r}") from None


def area_list(value: str) -> list[str]:
    """`--areas a, b,c` as codes."""
    return [code.strip() for code in value.split(",") if code.strip()]


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    st = sub.add_parser(
        "stats", parents=[common], help="anonymous figures per area (counts from 1 to 4 as <5)"
    )
    st.add_argument("--areas", help="area codes, comma-separated (with the areas below them)")
    st.add_argument("--since", type=iso_date, help="only events on or after this date")
    st.add_argument("--csv", action="store_true", help="CSV instead of a table")
    au = sub.add_parser("audit", parents=[common], help="the audit log, oldest first")
    au.add_argument("--since", type=iso_date, help="only changes on or after this date (UTC)")


def stat_rows(report: stats.Report) -> list[tuple[str, str, str, str]]:
    """(section, area, what, count) rows; every count as a coordinator may see it."""
    rows = [("carers", area, "", stats.shown(n)) for area, n in sorted(report.carers.items())]
    rows += [("burden", "", band, stats.shown(n)) for band, n in report.bands.items()]
    rows += [("asked", "", category, stats.shown(n)) for category, n in report.asked]
    rows += [("unmet", area, category, stats.shown(n)) for area, category, n in report.unmet]
    rows += [("handovers", "", status, stats.shown(n)) for status, n in report.handovers.items()]
    return rows


async def stats_command(db: Database, args: argparse.Namespace, _: Gettext, out: TextIO) -> int:
    wanted = area_list(args.areas) if args.areas else None
    async with db.read() as tx:
        if wanted:
            unknown = await coordinators.unknown_areas(tx, wanted)
            if unknown:
                print(
                    _("Unknown area codes: {codes}").format(codes=", ".join(unknown)),
                    file=sys.stderr,
                )
                return 1
        report = await stats.report(tx, wanted, STAT_BANDS, args.since)
    rows = stat_rows(report)
    if args.csv:
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(("section", "area", "what", "count"))
        writer.writerows(rows)
        out.write(buffer.getvalue())
        return 0
    scope = ", ".join(wanted) if wanted else _("all areas")
    title = _("Statistics for {areas}").format(areas=scope)
    if args.since:
        title += " " + _("since {date}").format(date=args.since.isoformat())
    out.write(title + "\n" + _("Counts from 1 to 4 are shown as <5.") + "\n")
    headings = {
        "carers": _("Carers by area"),
        "burden": _("Burden band (latest check)"),
        "asked": _("Asked for most"),
        "unmet": _("Unmet needs (asked, nothing local)"),
        "handovers": _("Questions for an adviser"),
    }
    for section, heading in headings.items():
        out.write(f"\n{heading}\n")
        lines = [r for r in rows if r[0] == section]
        if not lines:
            out.write("  -\n")
        for _section, area, what, count in lines:
            label = " ".join(part for part in (area, what) if part)
            out.write(f"  {label:40} {count:>5}\n")
    return 0


def _value(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        return value if value else '""'
    return json.dumps(value, ensure_ascii=False)


def describe(detail: dict[str, Any]) -> str:
    """`field: old → new; …`; the JSON for entries that are not changes of fields."""
    changes = audit.as_changes(detail)
    if changes is None:
        return json.dumps(detail, ensure_ascii=False, sort_keys=True)
    return "; ".join(
        f"{name}: {_value(old)} → {_value(new)}" for name, (old, new) in changes.items()
    )


async def audit_command(db: Database, args: argparse.Namespace, _: Gettext, out: TextIO) -> int:
    async with db.read() as tx:
        found = await audit.entries(tx, limit=None, since=args.since, oldest_first=True)
    for entry in found:
        out.write(
            f"{entry.at}  {entry.actor}  {entry.action} {entry.entity} {entry.entity_id}: "
            f"{describe(entry.detail)}\n"
        )
    out.write(_("{n} changes").format(n=len(found)) + "\n")
    return 0
