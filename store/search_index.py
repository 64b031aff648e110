"""The carer's search from memory: the area tree, and per (area, category) the active resources
sorted by name.

A door press asks for the resources of one or two categories in the five or six areas of the
carer's and the naaste's area trees. From SQLite that is an indexed read of up to a few hundred
rows plus a Python object for each (p99 3-7 ms at 100,000 resources, see bench/store.py); from
this index it is a few dictionary look-ups of lists that are already in the routing order.

The index must never show help that is gone or hide help that was added, so it is used only
while it is known to be current:
- commits by other connections (an import from the command line) change `PRAGMA data_version`;
- commits by this connection do not, so every write to resources or areas marks its
  transaction (`Tx.search_changed`, set by store/resources.py and store/areas.py) and its end
  bumps `Tx.search_commits`;
- inside a transaction that wrote them the search reads SQLite, which sees its own writes.
When either number moved, the search reads SQLite (`areas.lineages` and `resources.places`,
the same answers) while
a new index is built in a worker thread on a connection of its own (100,000 resources take
0.5-1 s on a busy 2-core machine, too long to hold up every carer's message); the searches
after that use it. A full rebuild, not an update in place: resources change a few times a day
(an import, a coordinator's edit), and one way of building is one way to get right.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from store import areas, resources
from store.db import Tx
from store.resources import Match, Places

log = logging.getLogger(__name__)

# One row per link of an active resource: what a `Match` holds and when it is over. It walks
# the covering index resources_search (not the ~700-byte rows) and each resource's links by
# primary key, both in order: the fastest of the ways measured with bench/store.py.
_LINKS = (
    "SELECT ra.area_code, ra.category, r.id, r.name, r.category, r.audience, "
    "coalesce(r.ends_at, r.starts_at) "
    "FROM resources r INDEXED BY resources_search JOIN resource_areas ra ON ra.resource_id = r.id "
    "WHERE r.active = 1"
)


_AREAS = "SELECT code, name, parent FROM areas"


class SearchIndex:
    """The area tree, and the active resources per (area code, category link) in the order
    `resources.places` gives.

    Everything in it is a plain tuple of strings: Python's cycle collector stops tracking
    those, where it would walk 100,000 named tuples at every full collection (pauses of
    50-200 ms, measured). Searches get the index's own tuples, not copies.
    """

    def __init__(self, rows: Iterable[tuple], area_rows: Iterable[tuple] = ()) -> None:
        self.tree = {code: (name, parent) for code, name, parent in area_rows}
        audiences: dict[str, tuple[str, ...]] = {}  # one tuple per distinct audience
        collected: dict[tuple[str, str], list[tuple]] = {}
        dated: dict[str, datetime] = {}
        for code, link, rid, name, category, audience, last in rows:
            listed = audiences.get(audience)
            if listed is None:
                listed = audiences[audience] = tuple(v for v in audience.split(";") if v)
            place = collected.get((code, link))
            if place is None:
                place = collected[(code, link)] = []
            place.append((name.casefold(), rid, name, category, listed))
            if last:  # when it is over (as resources.is_over), parsed once here
                dated[rid] = datetime.fromisoformat(last)
        # Per place: the matches `by_name`, and for places with dated events the moment each
        # is over (None for the others), so a search checks only those.
        self.by_place: dict[tuple[str, str], tuple[tuple[Match, ...], list | None]] = {}
        for key, place in collected.items():
            place.sort()
            matches = tuple(entry[1:] for entry in place)
            overs = [dated.get(entry[1]) for entry in place] if dated else None
            if overs is not None and not any(overs):
                overs = None
            self.by_place[key] = (matches, overs)
        self.links = sum(len(matches) for matches, _ in self.by_place.values())

    async def lineages(self, codes: list[str]) -> tuple[dict[str, list[str]], dict[str, str]]:
        """What `areas.lineages` answers: each known code's lineage up to `nl`, and names."""
        found: dict[str, list[str]] = {}
        names: dict[str, str] = {}
        for start in sorted(set(codes)):
            code: str | None = start
            line: list[str] = []
            # As the recursive query in areas.lineages: at most 32 steps up, whatever the data.
            while code is not None and code in self.tree and len(line) <= 32:
                name, parent = self.tree[code]
                line.append(code)
                names[code] = name
                code = parent
            if line:
                found[start] = line
        return found, names

    async def places(self, categories: list[str], area_codes: list[str], now: datetime) -> Places:
        """What `resources.places` answers for the same question (the index's own tuples)."""
        found: Places = {}
        by_place = self.by_place
        for code in area_codes:
            for category in categories:
                place = by_place.get((code, category))
                if place is None:
                    continue
                matches, overs = place
                if overs is not None:
                    matches = tuple(
                        m
                        for m, over in zip(matches, overs, strict=True)
                        if over is None or over >= now
                    )
                if matches:
                    found[(code, category)] = matches
        return found


class _FromSQLite:
    """The same questions answered by SQLite, while the index is not current."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def lineages(self, codes: list[str]) -> tuple[dict[str, list[str]], dict[str, str]]:
        return await areas.lineages(self.tx, codes)

    async def places(self, categories: list[str], area_codes: list[str], now: datetime) -> Places:
        return await resources.places(self.tx, categories, area_codes, now)


@dataclass
class _State:
    """The index of one connection and what it was built from."""

    index: SearchIndex | None = None  # None: not built yet, or the build failed
    version: tuple[int, int] | None = None  # (data_version, search_commits) it reflects
    building: asyncio.Task | None = None


_states: weakref.WeakKeyDictionary[Tx, _State] = weakref.WeakKeyDictionary()


def reader(tx: Tx) -> SearchIndex | _FromSQLite:
    """Where the carer's search reads lineages and places: the index when it is current, else
    SQLite (and a new index is on its way)."""
    index = current(tx)
    return _FromSQLite(tx) if index is None else index


def current(tx: Tx) -> SearchIndex | None:
    """The index if it reflects every commit; otherwise None, and a new one is on its way."""
    if tx.search_changed or tx.path == ":memory:":
        return None  # own uncommitted writes, or a database no other connection can read
    state = _states.get(tx)
    if state is None:
        state = _states[tx] = _State()
    # A pragma that reads no table, run on the loop: about a microsecond.
    version = (tx.execute_here("PRAGMA data_version")[0][0], tx.search_commits)
    if state.version == version:
        return state.index
    if state.building is None:
        state.building = asyncio.get_running_loop().create_task(_rebuild(tx, state, version))
    return None


async def ready(tx: Tx) -> SearchIndex:
    """The current index, waiting for it to be built (tests, benches). Raises RuntimeError
    when it cannot be built (the searches then read SQLite)."""
    while True:
        index = current(tx)
        if index is not None:
            return index
        state = _states.get(tx)
        if state is None or state.building is None:
            raise RuntimeError("no search index for this database")
        await asyncio.shield(state.building)


async def _rebuild(tx: Tx, state: _State, version: tuple[int, int]) -> None:
    """Build in a worker thread, on a connection of its own: 100,000 resources take 0.5-1 s
    (bench/store.py), too long to keep every carer waiting. `version` was read before that
    connection takes its snapshot, so the index holds at least every commit it stands for;
    a later commit moves the version on and the next search starts another build."""
    try:
        index = await asyncio.to_thread(build, tx.path)
    except Exception:  # a search must keep working: it reads SQLite until the next change
        log.exception("search index not built")
        index = None
    finally:
        state.building = None
    state.index, state.version = index, version


def build(path: str) -> SearchIndex:
    """Read the areas and every active link from the database file at `path`, on a read-only
    connection, in one read transaction (one snapshot for both)."""
    conn = sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True, isolation_level=None)
    try:
        conn.execute("BEGIN")
        area_rows = conn.execute(_AREAS).fetchall()
        return SearchIndex(conn.execute(_LINKS), area_rows)
    finally:
        conn.close()
