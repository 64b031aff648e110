"""The carer's search from memory: per (area, category) the active resources, sorted by name.

A door press asks for the resources of one or two categories in the five or six areas of the
carer's and the naaste's area trees. From SQLite that is an indexed read of up to a few hundred
rows plus a Python object for each (p99 3-7 ms at 100,000 resources, see bench/store.py); from
this index it is a few dictionary look-ups of lists that are already in the routing order.

The index must never show help that is gone or hide help that was added, so it is used only
while it is known to be current:
- commits by other connections (an import from the command line) change `PRAGMA data_version`;
- commits by this connection do not, so every write to resources marks its transaction
  (`Tx.resources_changed`, set by store/resources.py) and its end bumps `Tx.resource_commits`;
- inside a transaction that wrote resources the search reads SQLite, which sees its own writes.
When either number moved, the search reads SQLite (`resources.places`, the same answer) while
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

from store import resources
from store.db import Tx
from store.resources import Match, Places

log = logging.getLogger(__name__)

# One row per link of an active resource: what a `Match` holds and when it is over. One
# statement, so every row comes from the same snapshot; it walks the covering index
# resources_search (not the ~700-byte rows) and each resource's links by primary key, both in
# order: the fastest of the ways measured with bench/store.py.
_ROWS = (
    "SELECT ra.area_code, ra.category, r.id, r.name, r.category, r.audience, "
    "coalesce(r.ends_at, r.starts_at) "
    "FROM resources r INDEXED BY resources_search JOIN resource_areas ra ON ra.resource_id = r.id "
    "WHERE r.active = 1"
)


class SearchIndex:
    """Active resources per (area code, category link), in the order `resources.places` gives.

    A place holds plain tuples, not `Match`es: Python's cycle collector stops tracking a
    plain tuple of strings, but would walk 100,000 named tuples at every full collection
    (pauses of 50-200 ms, measured). A search turns the few hundred it returns into `Match`es.
    """

    def __init__(self, rows: Iterable[tuple]) -> None:
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
        self.places: dict[tuple[str, str], tuple[list[tuple], list | None]] = {}
        for key, place in collected.items():
            place.sort()
            matches = [entry[1:] for entry in place]
            overs = [dated.get(entry[1]) for entry in place] if dated else None
            if overs is not None and not any(overs):
                overs = None
            self.places[key] = (matches, overs)
        self.links = sum(len(matches) for matches, _ in self.places.values())

    def places_for(self, categories: list[str], area_codes: list[str], now: datetime) -> Places:
        """What `resources.places` answers for the same question."""
        found: Places = {}
        new = tuple.__new__  # a Match from a plain tuple, skipping NamedTuple's own __new__
        places = self.places
        for code in area_codes:
            for category in categories:
                place = places.get((code, category))
                if place is None:
                    continue
                matches, overs = place
                if overs is None:
                    found[(code, category)] = [new(Match, m) for m in matches]
                    continue
                kept = [
                    new(Match, m)
                    for m, over in zip(matches, overs, strict=True)
                    if over is None or over >= now
                ]
                if kept:
                    found[(code, category)] = kept
        return found


@dataclass
class _State:
    """The index of one connection and what it was built from."""

    index: SearchIndex | None = None  # None: not built yet, or the build failed
    version: tuple[int, int] | None = None  # (data_version, resource_commits) it reflects
    building: asyncio.Task | None = None


_states: weakref.WeakKeyDictionary[Tx, _State] = weakref.WeakKeyDictionary()


async def places(tx: Tx, categories: list[str], area_codes: list[str], now: datetime) -> Places:
    """Active resources of any of `categories` for any of `area_codes`, per place (like
    `resources.places`): from the index when it is current, else from SQLite."""
    index = current(tx)
    if index is not None:
        return index.places_for(categories, area_codes, now)
    return await resources.places(tx, categories, area_codes, now)


def current(tx: Tx) -> SearchIndex | None:
    """The index if it reflects every commit; otherwise None, and a new one is on its way."""
    if tx.resources_changed or tx.path == ":memory:":
        return None  # own uncommitted writes, or a database no other connection can read
    state = _states.get(tx)
    if state is None:
        state = _states[tx] = _State()
    # A pragma that reads no table, run on the loop: about a microsecond.
    version = (tx.execute_here("PRAGMA data_version")[0][0], tx.resource_commits)
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
    """Build in a worker thread, on a connection of its own: 100,000 resources take 0.3-1 s
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
    """Read every active link from the database file at `path`, on a read-only connection."""
    conn = sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True)
    try:
        return SearchIndex(conn.execute(_ROWS))
    finally:
        conn.close()
