"""Resources and areas as CSV files: all-or-nothing imports with a per-row report, and exports
that Dutch Excel opens and that import again unchanged."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from datetime import date, datetime

from store import areas, audit, resources
from store.areas import Area
from store.db import Database
from store.resources import Resource

RESOURCE_COLUMNS = (
    "id",
    "name",
    "category",
    "functions",
    "areas",
    "audience",
    "description_nl",
    "description_en",
    "first_step_nl",
    "first_step_en",
    "phone",
    "email",
    "url",
    "address",
    "cost",
    "languages",
    "opening_hours",
    "starts_at",
    "ends_at",
    "last_verified",
    "source",
    "active",
)
RESOURCE_REQUIRED = ("id", "name", "category", "areas")
AREA_COLUMNS = ("code", "name", "parent", "postcodes")
LIST_COLUMNS = ("functions", "areas", "audience", "languages")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_TEXT = 2000  # longer values are a mistake (a pasted document), not a description

Gettext = Callable[[str], str]


@dataclass(frozen=True)
class Problem:
    row: int  # as a spreadsheet numbers it: the header is row 1
    column: str
    message: str

    def format(self, _: Gettext) -> str:
        if self.row == 0:
            return _("file: {message}").format(message=self.message)
        where = f"{self.column}: " if self.column else ""
        return _("row {row}: {where}{message}").format(
            row=self.row, where=where, message=self.message
        )


class ImportRefused(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


def _read_table(data: bytes, _: Gettext) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Decode, sniff `,` or `;`, and return the header and (row number, row) pairs."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRefused(
            [
                Problem(
                    0,
                    "",
                    _("not UTF-8 (byte {position}); save as 'CSV UTF-8'").format(
                        position=error.start
                    ),
                )
            ]
        ) from None
    if not text.strip():
        raise ImportRefused([Problem(0, "", _("the file is empty"))])
    first_line = text.lstrip().splitlines()[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        rows = list(reader)
    except csv.Error as error:
        raise ImportRefused(
            [Problem(reader.line_num, "", _("broken CSV: {error}").format(error=error))]
        ) from None
    header = [name.strip().lower() for name in rows[0]]
    records = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # blank lines, as spreadsheets leave them
        if len(row) > len(header):
            records.append((number, {"__extra__": "1"}))
            continue
        records.append((number, {k: v.strip() for k, v in zip(header, row, strict=False)}))
    return header, records


def _check_header(
    header: list[str], known: tuple[str, ...], required: tuple[str, ...], _: Gettext
) -> list[Problem]:
    problems = []
    for name in sorted({n for n in header if header.count(n) > 1}):
        problems.append(Problem(1, name, _("column appears more than once")))
    for name in header:
        if name not in known:
            problems.append(Problem(1, name, _("unknown column")))
    for name in required:
        if name not in header:
            problems.append(Problem(1, name, _("required column is missing")))
    return problems


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(";") if part.strip())


def _check_resource_row(
    row: dict[str, str], area_codes: set[str], _: Gettext
) -> list[tuple[str, str]]:
    """(column, reason) for every problem in one row."""
    problems = []
    if not resources.ID_PATTERN.match(row.get("id", "")):
        problems.append(("id", _("must be lower-case letters, digits and dashes")))
    if not row.get("name"):
        problems.append(("name", _("is empty")))
    if row.get("category", "") not in resources.CATEGORIES:
        problems.append(
            ("category", _("unknown category '{value}'").format(value=row.get("category", "")))
        )
    allowed = {"functions": resources.FUNCTIONS, "audience": resources.AUDIENCES}
    for column, values in allowed.items():
        for value in _split(row.get(column, "")):
            if value not in values:
                problems.append((column, _("unknown value '{value}'").format(value=value)))
    codes = _split(row.get("areas", ""))
    if not codes and "areas" in row:
        problems.append(("areas", _("is empty; use nl for national")))
    for code in codes:
        if code not in area_codes:
            problems.append(("areas", _("unknown area code '{value}'").format(value=code)))
    for value in _split(row.get("languages", "")):
        if not _LANGUAGE.match(value):
            problems.append(
                ("languages", _("'{value}' is not a language code").format(value=value))
            )
    if row.get("email") and not _EMAIL.match(row["email"]):
        problems.append(("email", _("is not an e-mail address")))
    if row.get("url") and not row["url"].startswith(("https://", "http://")):
        problems.append(("url", _("must start with https://")))
    moments = {}
    for column in ("starts_at", "ends_at"):
        if row.get(column):
            try:
                moments[column] = datetime.fromisoformat(row[column])
            except ValueError:
                problems.append((column, _("is not an ISO 8601 date and time")))
                continue
            if moments[column].tzinfo is None:
                problems.append((column, _("needs a UTC offset, like 2027-01-14T19:30:00+01:00")))
                del moments[column]
    if len(moments) == 2 and moments["ends_at"] < moments["starts_at"]:
        problems.append(("ends_at", _("is before starts_at")))
    if row.get("last_verified"):
        try:
            date.fromisoformat(row["last_verified"])
        except ValueError:
            problems.append(("last_verified", _("is not an ISO date like 2026-11-23")))
    if row.get("active", "1") not in ("1", "0"):
        problems.append(("active", _("must be 1 or 0")))
    for column, value in row.items():
        if len(value) > MAX_TEXT:
            problems.append((column, _("is longer than {n} characters").format(n=MAX_TEXT)))
    return problems


def _resource_from_row(row: dict[str, str], existing: Resource | None) -> Resource:
    """Columns in the file replace the stored values; columns not in the file keep them."""
    values: dict[str, object] = {}
    for column, raw in row.items():
        if column in LIST_COLUMNS:
            values[column] = _split(raw)
        elif column == "active":
            values[column] = raw != "0"
        elif column in ("starts_at", "ends_at", "last_verified"):
            values[column] = raw or None
        else:
            values[column] = raw
    if existing:
        return replace(existing, **values)
    return Resource(**values)  # type: ignore[arg-type]


async def import_resources(db: Database, data: bytes, _: Gettext, actor: str) -> ImportResult:
    """Upsert every row in one transaction; any problem refuses the whole file."""
    header, records = _read_table(data, _)
    problems = _check_header(header, RESOURCE_COLUMNS, RESOURCE_REQUIRED, _)
    if problems:
        raise ImportRefused(problems)
    created = updated = unchanged = 0
    async with db.transaction() as tx:
        known_areas = await areas.codes(tx)
        seen: dict[str, int] = {}
        parsed: list[tuple[Resource, Resource | None]] = []
        for number, row in records:
            if "__extra__" in row:
                problems.append(Problem(number, "", _("more cells than columns")))
                continue
            row_problems = _check_resource_row(row, known_areas, _)
            problems += [Problem(number, column, reason) for column, reason in row_problems]
            rid = row.get("id", "")
            if rid in seen:
                problems.append(
                    Problem(
                        number,
                        "id",
                        _("'{value}' is also on row {row}").format(value=rid, row=seen[rid]),
                    )
                )
            seen.setdefault(rid, number)
            if not row_problems:
                existing = await resources.get(tx, rid)
                parsed.append((_resource_from_row(row, existing), existing))
        if problems:
            raise ImportRefused(problems)  # rolls the transaction back; nothing was written
        for resource, existing in parsed:
            if resource == existing:
                unchanged += 1
                continue
            await resources.upsert(tx, resource)
            changes = _changes(existing, resource)
            await audit.record(
                tx, actor, "update" if existing else "create", "resource", resource.id, changes
            )
            if existing:
                updated += 1
            else:
                created += 1
    return ImportResult(created, updated, unchanged)


def _changes(old: Resource | None, new: Resource) -> dict[str, object]:
    changed = {}
    for f in fields(Resource):
        before = getattr(old, f.name) if old else None
        after = getattr(new, f.name)
        if before != after:
            changed[f.name] = list(after) if isinstance(after, tuple) else after
    return changed


def _cell(resource: Resource, column: str) -> str:
    value = getattr(resource, column)
    if isinstance(value, tuple):
        return ";".join(value)
    if isinstance(value, bool):
        return "1" if value else "0"
    return value or ""


def resources_csv(items: list[Resource]) -> bytes:
    """`;`-separated with a BOM, so Dutch Excel opens it as columns."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(RESOURCE_COLUMNS)
    for resource in items:
        writer.writerow([_cell(resource, column) for column in RESOURCE_COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


async def export_resources(db: Database) -> bytes:
    async with db.read() as tx:
        return resources_csv(await resources.list_all(tx))


async def import_areas(db: Database, data: bytes, _: Gettext, actor: str) -> ImportResult:
    """Upsert areas in one transaction, parents before children; any problem refuses the file."""
    header, records = _read_table(data, _)
    problems = _check_header(header, AREA_COLUMNS, ("code", "name"), _)
    if problems:
        raise ImportRefused(problems)
    incoming: dict[str, tuple[int, Area]] = {}
    for number, row in records:
        if "__extra__" in row:
            problems.append(Problem(number, "", _("more cells than columns")))
            continue
        code, parent = row.get("code", ""), row.get("parent", "") or None
        if not areas.CODE_PATTERN.match(code):
            problems.append(
                Problem(number, "code", _("must be lower-case letters, digits and dashes"))
            )
        if not row.get("name"):
            problems.append(Problem(number, "name", _("is empty")))
        if code == areas.ROOT and parent:
            problems.append(Problem(number, "parent", _("nl is the root and has no parent")))
        if code != areas.ROOT and parent is None:
            parent = areas.ROOT
        try:
            postcodes = areas.parse_postcodes(row.get("postcodes", ""))
        except ValueError as error:
            problems.append(Problem(number, "postcodes", str(error)))
            postcodes = ()
        if code in incoming:
            problems.append(
                Problem(
                    number,
                    "code",
                    _("'{value}' is also on row {row}").format(value=code, row=incoming[code][0]),
                )
            )
            continue
        incoming[code] = (number, Area(code, row.get("name", ""), parent, postcodes))
    created = updated = unchanged = 0
    async with db.transaction() as tx:
        existing = {a.code: a for a in await areas.list_all(tx)}
        parents = {code: a.parent for code, a in existing.items()}
        parents.update({code: a.parent for code, (_n, a) in incoming.items()})
        for code, (number, area) in incoming.items():
            if area.parent and area.parent not in parents:
                problems.append(
                    Problem(
                        number, "parent", _("unknown area code '{value}'").format(value=area.parent)
                    )
                )
            elif _has_cycle(code, parents):
                problems.append(Problem(number, "parent", _("makes a loop in the area tree")))
        if problems:
            raise ImportRefused(sorted(problems, key=lambda p: p.row))
        for code in _parents_first(list(incoming), parents):
            area = incoming[code][1]
            old = existing.get(code)
            if old == area:
                unchanged += 1
                continue
            await areas.upsert(tx, area)
            await audit.record(
                tx,
                actor,
                "update" if old else "create",
                "area",
                code,
                {
                    "name": area.name,
                    "parent": area.parent,
                    "postcodes": areas.format_postcodes(area.postcodes),
                },
            )
            if old:
                updated += 1
            else:
                created += 1
    return ImportResult(created, updated, unchanged)


def _has_cycle(code: str, parents: dict[str, str | None]) -> bool:
    seen, current = set(), code
    while current is not None:
        if current in seen:
            return True
        seen.add(current)
        current = parents.get(current)
    return False


def _parents_first(codes: list[str], parents: dict[str, str | None]) -> list[str]:
    def depth(code: str) -> int:
        n, current = 0, parents.get(code)
        while current is not None:
            n, current = n + 1, parents.get(current)
        return n

    return sorted(codes, key=depth)


def areas_csv(items: list[Area]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(AREA_COLUMNS)
    for area in items:
        writer.writerow(
            [area.code, area.name, area.parent or "", areas.format_postcodes(area.postcodes)]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
