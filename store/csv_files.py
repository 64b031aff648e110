"""Resources and areas as CSV files: all-or-nothing imports with a per-row report, a preview that
writes nothing, and exports that Dutch Excel opens and that import again unchanged.

An import never holds the write lock while it thinks. It reads the file as a stream and checks every
row, reads the stored rows it will compare with, and works out what changes, all outside any
transaction and off the event loop. Only then does it take the write lock, make sure nothing changed
meanwhile (the audit log's last id and the row counts), and write in a few batched statements. So a
carer in another process waits for at most that short write.
"""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import io
import itertools
import json
import operator
import re
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

from store import areas, audit, resources
from store.areas import Area
from store.db import Database, Tx
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
    "cost_en",
    "languages",
    "opening_hours",
    "opening_hours_en",
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
KEPT_PROBLEMS = 1000  # a file with more problems is reported with its first ones and a count
COMPARE_BATCH = 5000  # stored rows read and compared at a time
STALE_RETRIES = 3  # plans redone when something changed between planning and writing

Gettext = Callable[[str], str]
Source = bytes | Path  # the file's bytes (an upload) or its path (read as a stream)


@dataclass(frozen=True)
class Problem:
    row: int  # as a spreadsheet numbers it: the header is row 1; 0 is the file as a whole
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
    """Nothing was changed. `problems` are the first ones by row; `total` counts them all."""

    def __init__(self, problems: list[Problem], total: int | None = None) -> None:
        total = len(problems) if total is None else total
        super().__init__(f"{total} problem(s)")
        self.problems = problems
        self.total = total


class _Problems:
    """Collects problems, keeping the first KEPT_PROBLEMS (memory stays bounded on a bad file)."""

    def __init__(self) -> None:
        self.kept: list[Problem] = []
        self.total = 0

    def add(self, row: int, column: str, message: str) -> None:
        self.total += 1
        if len(self.kept) < KEPT_PROBLEMS:
            self.kept.append(Problem(row, column, message))

    def sorted(self) -> list[Problem]:
        return sorted(self.kept, key=lambda p: p.row)

    def refuse(self) -> None:
        if self.total:
            raise ImportRefused(self.sorted(), self.total)


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    lock_seconds: float = 0.0  # how long the write lock was held (0: nothing to write)
    checkpoint_seconds: float = 0.0  # how long the checkpoint after it kept other writers out


@dataclass(frozen=True)
class ImportPreview:
    """What an import of the file would do, without writing anything."""

    created: int
    updated: int
    unchanged: int
    problems: tuple[Problem, ...]  # the first ones, by row
    problem_count: int
    created_ids: tuple[str, ...] = ()
    updated_ids: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.problem_count == 0


# --- Reading a CSV file as a stream ---------------------------------------------------------


def _open_text(source: Source) -> io.TextIOWrapper:
    binary: BinaryIO = io.BytesIO(source) if isinstance(source, bytes) else source.open("rb")
    # Bytes that are not UTF-8 become lone surrogates, so the row and column can be named.
    return io.TextIOWrapper(binary, encoding="utf-8-sig", errors="surrogateescape", newline="")


def _table(
    text: io.TextIOWrapper, problems: _Problems, _: Gettext
) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header and a stream of (row number, cells). Sniffs `,` or `;` from the header."""
    first = text.readline()
    while first and not first.strip():
        first = text.readline()
    if not first.strip():
        raise ImportRefused([Problem(0, "", _("the file is empty"))])
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(itertools.chain([first], text), delimiter=delimiter, strict=True)
    header = [name.strip().lower() for name in next(reader)]
    if not _is_utf8("".join(header)):
        raise ImportRefused([Problem(1, "", _("is not UTF-8 text; save the file as 'CSV UTF-8'"))])

    def rows() -> Iterator[tuple[int, list[str]]]:
        number = 1
        try:
            for cells in reader:
                number += 1
                if any(map(str.strip, cells)):  # spreadsheets leave blank lines
                    yield number, cells
        except csv.Error as error:
            problems.add(reader.line_num, "", _("broken CSV: {error}").format(error=error))

    return header, rows()


def _cells(
    number: int, cells: list[str], header: list[str], problems: _Problems, _: Gettext
) -> dict[str, str] | None:
    """The row as column → stripped value, or None (and a problem) when it cannot be read."""
    if len(cells) > len(header):
        problems.add(number, "", _("more cells than columns"))
        return None
    if len(cells) < len(header):
        problems.add(number, "", _("fewer cells than columns"))
        return None
    joined = "".join(cells)
    if not joined.isascii() and not _is_utf8(joined):
        problems.add(number, "", _("is not UTF-8 text; save the file as 'CSV UTF-8'"))
        return None
    return dict(zip(header, map(str.strip, cells), strict=True))


def _is_utf8(text: str) -> bool:
    """False when the file had bytes that are not UTF-8 (read as lone surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_header(
    header: list[str], known: tuple[str, ...], required: tuple[str, ...], _: Gettext
) -> None:
    problems = _Problems()
    for name in sorted({n for n in header if header.count(n) > 1}):
        problems.add(1, name, _("column appears more than once"))
    for name in header:
        if name not in known:
            problems.add(1, name, _("unknown column"))
    for name in required:
        if name not in header:
            problems.add(1, name, _("required column is missing"))
    problems.refuse()


def _split(value: str) -> tuple[str, ...]:
    if ";" not in value:  # the common case, without building a list
        return (value,) if value else ()
    return tuple(part.strip() for part in value.split(";") if part.strip())


def _open_guarded(source: Source, _: Gettext) -> io.TextIOWrapper:
    """The opened file; a file that cannot be opened is one problem."""
    try:
        return _open_text(source)
    except OSError as error:
        raise ImportRefused(
            [
                Problem(
                    0,
                    "",
                    _("cannot read {path}: {error}").format(path=source, error=error.strerror),
                )
            ]
        ) from None


def _read_guarded(source: Source, _: Gettext, parse: Callable[[io.TextIOWrapper], object]):
    """Run `parse` on the opened file."""
    with _open_guarded(source, _) as text:
        return parse(text)


# --- Resources: checking rows ---------------------------------------------------------------


_CATEGORIES = frozenset(resources.CATEGORIES)
_ALLOWED = {"functions": frozenset(resources.FUNCTIONS), "audience": frozenset(resources.AUDIENCES)}
_DATES = ("starts_at", "ends_at", "last_verified")


class _ResourceRows:
    """Checks rows of one file and turns them into stored values. Cells that repeat from row to
    row (lists, areas, dates) are checked once and their stored form is shared, which keeps a
    100,000-row file fast and small in memory."""

    def __init__(self, header: list[str], area_codes: frozenset[str], _: Gettext) -> None:
        self._ = _
        self.area_codes = area_codes
        self.lists = [c for c in header if c in LIST_COLUMNS]
        # Plain text columns are taken as they are, in one step; the others are converted.
        self.plain = [c for c in header if c not in LIST_COLUMNS and c not in _DATES]
        self.plain = [c for c in self.plain if c not in ("category", "active")]
        self.converted = [c for c in header if c not in self.plain and c != "areas"]
        self.take_plain = operator.itemgetter(*self.plain, "id")  # "id" makes it a tuple
        self.columns = tuple(resources.COLUMNS.index(c) for c in self.plain + self.converted)
        self.good: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {c: {} for c in header}

    def read(self, row: dict[str, str]) -> tuple[list[tuple[str, str]], tuple | None, frozenset]:
        """(column, reason) for every problem; the stored values and areas when there is none."""
        _ = self._
        problems: list[tuple[str, str]] = []
        lists: dict[str, tuple[str, tuple[str, ...]]] = {}
        for column in self.lists:
            raw = row[column]
            known = self.good[column].get(raw)
            if known is None:
                parts = _split(raw)
                found = self._check_list(column, parts)
                if found:
                    problems += found
                    continue
                known = self.good[column][raw] = (sys.intern(";".join(parts)), parts)
            lists[column] = known
        if not resources.ID_PATTERN.match(row["id"]):
            problems.append(("id", _("must be lower-case letters, digits and dashes")))
        if not row["name"]:
            problems.append(("name", _("is empty")))
        if row["category"] not in _CATEGORIES:
            problems.append(
                ("category", _("unknown category '{value}'").format(value=row["category"]))
            )
        if row.get("email") and not _EMAIL.match(row["email"]):
            problems.append(("email", _("is not an e-mail address")))
        if row.get("url") and not row["url"].startswith("https://"):
            problems.append(("url", _("must start with https://")))
        if row.get("starts_at") or row.get("ends_at"):
            problems += _check_moments(row, _)
        verified = row.get("last_verified")
        if verified and verified not in self.good["last_verified"]:
            try:
                date.fromisoformat(verified)
                self.good["last_verified"][verified] = (verified, ())
            except ValueError:
                problems.append(("last_verified", _("is not an ISO date like 2026-11-23")))
        if row.get("active", "1") not in ("1", "0", ""):
            problems.append(("active", _("must be 1 or 0")))
        if max(map(len, row.values())) > MAX_TEXT:
            for column, value in row.items():
                if len(value) > MAX_TEXT:
                    problems.append((column, _("is longer than {n} characters").format(n=MAX_TEXT)))
        if problems:
            return problems, None, frozenset()
        values = self.take_plain(row)[:-1] + tuple(
            _stored_value(c, row[c], lists) for c in self.converted
        )
        return problems, values, frozenset(lists["areas"][1])

    def _check_list(self, column: str, parts: tuple[str, ...]) -> list[tuple[str, str]]:
        _ = self._
        if column == "areas":
            if not parts:
                return [("areas", _("is empty; use nl for national"))]
            return [
                ("areas", _("unknown area code '{value}'").format(value=code))
                for code in parts
                if code not in self.area_codes
            ]
        if column == "languages":
            return [
                ("languages", _("'{value}' is not a language code").format(value=value))
                for value in parts
                if not _LANGUAGE.match(value)
            ]
        return [
            (column, _("unknown value '{value}'").format(value=value))
            for value in parts
            if value not in _ALLOWED[column]
        ]


def _check_moments(row: dict[str, str], _: Gettext) -> list[tuple[str, str]]:
    problems = []
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
    return problems


def _stored_value(column: str, raw: str, lists: dict[str, tuple[str, tuple[str, ...]]]) -> object:
    """A checked cell as the database keeps it. Repeated values are interned: a large file then
    holds each of them once."""
    if column in lists:
        return lists[column][0]
    if column == "category":
        return sys.intern(raw)
    if column == "active":
        return 0 if raw == "0" else 1
    return raw or None  # the dates


class _ResourceFile:
    """A resources file read and checked a batch of rows at a time (in a worker thread: no
    database, no event loop). Across batches only the ids seen so far are kept, to find an id
    that is on two rows: memory grows with the batch, not with the file."""

    def __init__(self, source: Source, area_codes: frozenset[str], _: Gettext) -> None:
        self._ = _
        self.problems = _Problems()
        self._text = _open_guarded(source, _)
        try:
            self._header, self._rows = _table(self._text, self.problems, _)
            _check_header(self._header, RESOURCE_COLUMNS, RESOURCE_REQUIRED, _)
        except BaseException:
            self._text.close()
            raise
        self._checker = _ResourceRows(self._header, area_codes, _)
        self.columns = self._checker.columns  # positions in resources.COLUMNS of the values
        self._seen: dict[str, int] = {}

    def batch(self, size: int) -> list[tuple[int, str, tuple, frozenset[str]]] | None:
        """The good rows among the next `size` of the file, as (row number, id, stored values
        of the file's columns, areas); None at the end of the file. Problems are collected."""
        _, problems, seen = self._, self.problems, self._seen
        good: list[tuple[int, str, tuple, frozenset[str]]] = []
        read = 0
        for number, cells in itertools.islice(self._rows, size):
            read += 1
            row = _cells(number, cells, self._header, problems, _)
            if row is None:
                continue
            row_problems, values, areas_ = self._checker.read(row)
            for column, reason in row_problems:
                problems.add(number, column, reason)
            rid = row["id"]
            if rid in seen:
                problems.add(
                    number,
                    "id",
                    _("'{value}' is also on row {row}").format(value=rid, row=seen[rid]),
                )
                continue
            seen[rid] = number
            if values is not None:
                good.append((number, rid, values, areas_))
        return good if read else None

    def close(self) -> None:
        self._text.close()


# --- Resources: planning and writing --------------------------------------------------------

_NEW_ROW = resources.to_row(Resource(id="", name="", category=""))
_LIST_POSITIONS = {resources.COLUMNS.index(c) for c in LIST_COLUMNS if c in resources.COLUMNS}
_ACTIVE = resources.COLUMNS.index("active")
_NAME = resources.COLUMNS.index("name")


def _audit_value(position: int, value: object) -> object:
    if position in _LIST_POSITIONS:
        return [v for v in str(value).split(";") if v]
    if position == _ACTIVE:
        return bool(value)
    return value


@dataclass
class _ResourcePlan:
    """What an import of the file does: the counts and ids, and the problems. The rows to write
    are not kept here but staged a batch at a time (`_Stage`)."""

    fingerprint: tuple
    problems: _Problems
    unchanged: int = 0
    created_ids: list[str] = field(default_factory=list)
    updated_ids: list[str] = field(default_factory=list)
    touched: set[str] = field(default_factory=set)  # areas of changed resources, old and new

    @property
    def changed(self) -> int:
        return len(self.created_ids) + len(self.updated_ids)

    def preview(self) -> ImportPreview:
        return ImportPreview(
            len(self.created_ids),
            len(self.updated_ids),
            self.unchanged,
            tuple(self.problems.sorted()),
            self.problems.total,
            tuple(self.created_ids),
            tuple(self.updated_ids),
        )


@dataclass
class _Changes:
    """One batch's rows to write, as `_Stage.add` takes them."""

    rows: list[tuple] = field(default_factory=list)  # resources.COLUMNS tuples
    areas: list[frozenset[str]] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)  # ids that exist: their areas are replaced
    # action, id, detail JSON, the areas before and after
    audit: list[tuple[str, str, str, frozenset[str]]] = field(default_factory=list)


def _compare(
    plan: _ResourcePlan,
    columns: tuple[int, ...],
    batch: list[tuple[int, str, tuple, frozenset[str]]],
    stored_rows: list,
    stored_links: list,
    scope: frozenset[str] | None,
    _: Gettext,
) -> _Changes:
    """Plan one batch: merge each row into its stored values, compare, check the scope."""
    stored = {row[0]: tuple(row) for row in stored_rows}
    linked: dict[str, set[str]] = {}
    for rid, code in stored_links:
        linked.setdefault(rid, set()).add(code)
    changes = _Changes()
    for number, rid, values, new_areas in batch:
        old = stored.get(rid)
        merged = list(old or _NEW_ROW)
        for position, value in zip(columns, values, strict=True):
            merged[position] = value
        row = tuple(merged)
        old_areas = frozenset(linked.get(rid, ()))
        if old is not None and row == old and new_areas == old_areas:
            plan.unchanged += 1
            continue
        if scope is not None and _outside_scope(
            plan.problems, number, rid, new_areas, old_areas, scope, _
        ):
            continue
        if old is None:
            # A new resource is audited by name and areas only: its other values are in the
            # row itself, and every later change keeps the old value (see store/audit.py).
            detail = {"name": [None, row[_NAME]], "areas": [None, sorted(new_areas)]}
            plan.created_ids.append(rid)
        else:
            detail = {
                resources.COLUMNS[i]: [_audit_value(i, old[i]), _audit_value(i, v)]
                for i, v in enumerate(row)
                if v != old[i]
            }
            if new_areas != old_areas:
                detail["areas"] = [sorted(old_areas), sorted(new_areas)]
            plan.updated_ids.append(rid)
            changes.replaced.append(rid)
        plan.touched |= old_areas | new_areas
        changes.rows.append(row)
        changes.areas.append(new_areas)
        action = "update" if old else "create"
        text = json.dumps(detail, ensure_ascii=False, sort_keys=True)
        changes.audit.append((action, rid, text, old_areas | new_areas))
    return changes


def _outside_scope(
    problems: _Problems,
    number: int,
    rid: str,
    new_areas: frozenset[str],
    old_areas: frozenset[str],
    scope: frozenset[str],
    _: Gettext,
) -> bool:
    outside = False
    for code in sorted(new_areas - scope):
        problems.add(
            number, "areas", _("area '{value}' is not one of your areas").format(value=code)
        )
        outside = True
    for code in sorted(old_areas - scope):
        problems.add(
            number,
            "id",
            _("'{id}' now also belongs to area '{value}', which is not one of your areas").format(
                id=rid, value=code
            ),
        )
        outside = True
    return outside


class _Stage:
    """The rows and audit entries of one import, written ahead a batch at a time into this
    connection's private TEMP tables (no write lock needed; a running bot in this process gets
    its turns in between), then copied into the real tables in a few statements.

    Every resources import writes through `apply`: the one place to hook in anything that
    keeps resources in memory."""

    def __init__(self) -> None:
        self.rows, self.log = resources.Stage(), audit.Stage()

    async def create(self, tx: Tx) -> None:
        await self.rows.create(tx)
        await self.log.create(tx)

    async def add(self, tx: Tx, changes: _Changes) -> None:
        await self.rows.add(tx, changes.rows, changes.areas, changes.replaced)
        await self.log.add(tx, "resource", changes.audit)

    async def sort(self, tx: Tx) -> None:
        """Before the write lock: order the rows as the real tables are."""
        await self.rows.sort(tx)

    async def apply(self, tx: Tx, plan: _ResourcePlan, actor: str, file_name: str) -> None:
        """Write the staged rows (`sort` first) and their audit entries, and one entry for the
        import as a whole (so a coordinator sees "file X: N new" before the single resources)."""
        await self.rows.apply(tx)
        await self.log.apply(tx, actor)
        counts = {
            "created": len(plan.created_ids),
            "updated": len(plan.updated_ids),
            "unchanged": plan.unchanged,
        }
        await audit.record(tx, actor, "import", "file", file_name, counts, plan.touched)

    async def drop(self, tx: Tx) -> None:
        await self.rows.drop(tx)
        await self.log.drop(tx)


async def _fingerprint(tx: Tx) -> tuple:
    """Changes since the plan: every change to resources and areas writes an audit row, and the
    counts catch what came in another way (a migration)."""
    async with tx.execute(
        "SELECT (SELECT coalesce(max(id), 0) FROM audit_log), (SELECT count(*) FROM resources), "
        "(SELECT count(*) FROM areas), (SELECT count(*) FROM area_postcodes)"
    ) as cur:
        return tuple(await cur.fetchone())


Reader = Callable[[], AbstractAsyncContextManager[Tx]]


def _held(tx: Tx) -> Reader:
    """Reads inside a transaction that is already open."""

    @asynccontextmanager
    async def read() -> AsyncIterator[Tx]:
        yield tx

    return read


async def _plan_resources(
    read: Reader,
    source: Source,
    _: Gettext,
    scope: frozenset[str] | None,
    stage: _Stage | None = None,
) -> _ResourcePlan:
    """Read the file a batch at a time, compare each batch with the stored rows, and stage what
    changes (once a problem is found nothing more is staged: the file will be refused)."""
    async with read() as tx:
        fingerprint = await _fingerprint(tx)
        known = frozenset(await areas.codes(tx))
    file = await asyncio.to_thread(_ResourceFile, source, known, _)
    plan = _ResourcePlan(fingerprint, file.problems)
    try:
        while (batch := await asyncio.to_thread(file.batch, COMPARE_BATCH)) is not None:
            if not batch:
                continue
            async with read() as tx:
                stored, links = await resources.stored_rows(tx, [row[1] for row in batch])
            changes = await asyncio.to_thread(
                _compare, plan, file.columns, batch, stored, links, scope, _
            )
            if stage is not None and changes.rows and not plan.problems.total:
                async with read() as tx:
                    await stage.add(tx, changes)
    finally:
        file.close()
    return plan


async def _scope_codes(db: Database, scope: set[str] | frozenset[str] | None):
    if scope is None:
        return None
    async with db.read() as tx:
        return await areas.with_descendants(tx, scope)


def _file_name(source: Source) -> str:
    return source.name if isinstance(source, Path) else "upload"


async def preview_resources(
    db: Database, source: Source, _: Gettext, scope: set[str] | frozenset[str] | None = None
) -> ImportPreview:
    """What `import_resources` would do with this file: counts, the ids, and every problem with
    its row number. Writes nothing. `scope`: the area codes a coordinator manages (their
    descendants included); a row that would change a resource in any other area is a problem."""
    try:
        plan = await _plan_resources(db.read, source, _, await _scope_codes(db, scope))
    except ImportRefused as refused:  # the file as a whole cannot be read
        return ImportPreview(0, 0, 0, tuple(refused.problems), refused.total)
    return plan.preview()


async def import_resources(
    db: Database,
    source: Source,
    _: Gettext,
    actor: str,
    scope: set[str] | frozenset[str] | None = None,
) -> ImportResult:
    """Upsert every row in one short transaction; any problem refuses the whole file (raises
    ImportRefused, nothing written). `scope` as in `preview_resources`.

    The file is read, checked, compared and staged before the write lock is taken; the lock is
    held only to copy the staged rows in. Afterwards the WAL is checkpointed (see
    `Database.checkpoint`), so a large import does not leave a large WAL behind."""
    codes = await _scope_codes(db, scope)
    result = None
    for attempt in range(STALE_RETRIES + 1):
        # Busy coordinators kept changing things: the last attempt plans inside the lock.
        result = await _import_once(db, source, _, actor, codes, attempt == STALE_RETRIES)
        if result is not None:
            break
    assert result is not None
    if result.lock_seconds:
        blocked = await db.checkpoint()
        result = dataclasses.replace(result, checkpoint_seconds=blocked)
    return result


async def _import_once(
    db: Database,
    source: Source,
    _: Gettext,
    actor: str,
    codes: frozenset[str] | None,
    inside_lock: bool,
) -> ImportResult | None:
    """Plan and stage, then write in one transaction. None: something changed between the
    plan and the write lock; nothing was written."""
    stage = _Stage()
    async with db.read() as tx:
        await stage.create(tx)
    try:
        if inside_lock:
            async with db.transaction() as tx:
                started = time.monotonic()
                plan = await _plan_resources(_held(tx), source, _, codes, stage)
                plan.problems.refuse()
                if plan.changed:
                    await stage.sort(tx)
                    await stage.apply(tx, plan, actor, _file_name(source))
            return _result(plan, time.monotonic() - started)
        plan = await _plan_resources(db.read, source, _, codes, stage)
        plan.problems.refuse()
        if not plan.changed:
            return _result(plan, 0.0)
        async with db.read() as tx:
            await stage.sort(tx)
        async with db.transaction(bulk=True) as tx:
            started = time.monotonic()  # BEGIN IMMEDIATE is done: we hold the write lock
            if await _fingerprint(tx) != plan.fingerprint:
                return None
            await stage.apply(tx, plan, actor, _file_name(source))
        return _result(plan, time.monotonic() - started)
    finally:
        async with db.read() as tx:
            await stage.drop(tx)


async def preview_resources_in(
    tx: Tx, source: Source, _: Gettext, scope: set[str] | frozenset[str] | None = None
) -> ImportPreview:
    """`preview_resources` inside a transaction the caller holds (a coordinator's chat step)."""
    codes = None if scope is None else await areas.with_descendants(tx, scope)
    try:
        plan = await _plan_resources(_held(tx), source, _, codes)
    except ImportRefused as refused:
        return ImportPreview(0, 0, 0, tuple(refused.problems), refused.total)
    return plan.preview()


async def import_resources_in(
    tx: Tx,
    source: Source,
    _: Gettext,
    actor: str,
    scope: set[str] | frozenset[str] | None = None,
) -> ImportResult:
    """`import_resources` inside a transaction the caller holds: all or nothing with it."""
    codes = None if scope is None else await areas.with_descendants(tx, scope)
    stage = _Stage()
    await stage.create(tx)
    try:
        plan = await _plan_resources(_held(tx), source, _, codes, stage)
        plan.problems.refuse()
        if plan.changed:
            await stage.sort(tx)
            await stage.apply(tx, plan, actor, _file_name(source))
    finally:
        await stage.drop(tx)
    return _result(plan, 0.0)


def _result(plan: _ResourcePlan, lock_seconds: float) -> ImportResult:
    return ImportResult(len(plan.created_ids), len(plan.updated_ids), plan.unchanged, lock_seconds)


def _cell(resource: Resource, column: str) -> str:
    value = getattr(resource, column)
    if isinstance(value, tuple):
        return ";".join(value)
    if isinstance(value, bool):
        return "1" if value else "0"
    return value or ""


def _excel_csv(header: tuple[str, ...], rows: Iterator[list[str]] | list[list[str]]) -> bytes:
    """`;`-separated with a BOM, so Dutch Excel opens it as columns."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def resources_csv(items: list[Resource]) -> bytes:
    return _excel_csv(
        RESOURCE_COLUMNS, ([_cell(r, column) for column in RESOURCE_COLUMNS] for r in items)
    )


async def export_resources(db: Database) -> bytes:
    async with db.read() as tx:
        items = await resources.list_all(tx)
    return await asyncio.to_thread(resources_csv, items)


# --- Areas ----------------------------------------------------------------------------------


def _parse_areas(source: Source, _: Gettext) -> tuple[dict[str, tuple[int, Area]], _Problems]:
    def parse(text: io.TextIOWrapper) -> tuple[dict[str, tuple[int, Area]], _Problems]:
        problems = _Problems()
        header, rows = _table(text, problems, _)
        _check_header(header, AREA_COLUMNS, ("code", "name"), _)
        incoming: dict[str, tuple[int, Area]] = {}
        for number, cells in rows:
            row = _cells(number, cells, header, problems, _)
            if row is None:
                continue
            code, parent = row["code"], row.get("parent", "") or None
            if not areas.CODE_PATTERN.match(code):
                problems.add(number, "code", _("must be lower-case letters, digits and dashes"))
            if not row["name"]:
                problems.add(number, "name", _("is empty"))
            if code == areas.ROOT and parent:
                problems.add(number, "parent", _("nl is the root and has no parent"))
            if code != areas.ROOT and parent is None:
                parent = areas.ROOT
            postcodes, bad = areas.split_postcodes(row.get("postcodes", ""))
            for part in bad:
                problems.add(
                    number,
                    "postcodes",
                    _("'{value}' is not a postcode (1000-9999) or a range like 1051-1058").format(
                        value=part
                    ),
                )
            if code in incoming:
                problems.add(
                    number,
                    "code",
                    _("'{value}' is also on row {row}").format(value=code, row=incoming[code][0]),
                )
                continue
            incoming[code] = (number, Area(code, row["name"], parent, postcodes))
        return incoming, problems

    return _read_guarded(source, _, parse)


def _check_tree(
    incoming: dict[str, tuple[int, Area]],
    existing: dict[str, Area],
    problems: _Problems,
    _: Gettext,
) -> None:
    """Parents exist, no loops, and areas with the same parent share no postcode."""
    parents = {code: a.parent for code, a in existing.items()}
    parents.update({code: a.parent for code, (_n, a) in incoming.items()})
    for code, (number, area) in incoming.items():
        if area.parent and area.parent not in parents:
            problems.add(
                number, "parent", _("unknown area code '{value}'").format(value=area.parent)
            )
        elif _has_cycle(code, parents):
            problems.add(number, "parent", _("makes a loop in the area tree"))
    tree = existing | {code: area for code, (_n, area) in incoming.items()}
    owner: dict[tuple[str | None, int], str] = {}
    shared: dict[tuple[str, str], list[int]] = {}
    for code in sorted(tree, key=lambda c: (c in incoming, incoming.get(c, (0,))[0], c)):
        area = tree[code]
        for pc4 in area.postcodes:
            other = owner.setdefault((area.parent, pc4), code)
            if other != code:
                shared.setdefault((code, other), []).append(pc4)
    for (code, other), postcodes in shared.items():
        if code in incoming:  # overlaps the file did not make are not its problem
            problems.add(
                incoming[code][0],
                "postcodes",
                _(
                    "postcodes {postcodes} are in '{area}' and also in '{other}'; areas with "
                    "the same parent cannot share postcodes"
                ).format(postcodes=areas.format_postcodes(postcodes), other=other, area=code),
            )


async def import_areas(db: Database, source: Source, _: Gettext, actor: str) -> ImportResult:
    """Upsert areas in one transaction, parents before children; any problem refuses the file."""
    for _attempt in range(STALE_RETRIES + 1):
        async with db.read() as tx:
            fingerprint = await _fingerprint(tx)
            existing = {a.code: a for a in await areas.list_all(tx)}
        incoming, problems = await asyncio.to_thread(_parse_areas, source, _)
        _check_tree(incoming, existing, problems, _)
        problems.refuse()
        parents = {code: a.parent for code, a in existing.items()}
        parents.update({code: a.parent for code, (_n, a) in incoming.items()})
        changed = [
            code
            for code in _parents_first(list(incoming), parents)
            if existing.get(code) != incoming[code][1]
        ]
        unchanged = len(incoming) - len(changed)
        if not changed:
            return ImportResult(0, 0, unchanged)
        async with db.transaction() as tx:
            started = time.monotonic()
            fresh = await _fingerprint(tx) == fingerprint
            for code in changed if fresh else ():  # else: changed meanwhile, check again
                area = incoming[code][1]
                await areas.upsert(tx, area)
                await audit.record(
                    tx,
                    actor,
                    "update" if code in existing else "create",
                    "area",
                    code,
                    {
                        "name": area.name,
                        "parent": area.parent,
                        "postcodes": areas.format_postcodes(area.postcodes),
                    },
                    areas=[code],
                )
        if fresh:
            created = sum(1 for code in changed if code not in existing)
            return ImportResult(
                created, len(changed) - created, unchanged, time.monotonic() - started
            )
    raise ImportRefused([Problem(0, "", _("the areas kept changing meanwhile; try again"))])


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
        while current is not None and n < len(parents):
            n, current = n + 1, parents.get(current)
        return n

    return sorted(codes, key=depth)


def areas_csv(items: list[Area]) -> bytes:
    return _excel_csv(
        AREA_COLUMNS,
        (
            [a.code, a.name, a.parent or "", areas.format_postcodes(a.postcodes)]
            for a in items
            if a.code != areas.ROOT
        ),
    )


async def export_areas(db: Database) -> bytes:
    async with db.read() as tx:
        return areas_csv(await areas.list_all(tx))
