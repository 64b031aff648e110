"""Which resources a carer sees, in which order: the routing rules of DESIGN.md in one place.

- Respite and practical help are used where the naaste lives: the naaste's area (zorgpad) first.
  Everything else (courses, peer groups, emotional support, …) is for the carer: their own area
  (leefpad) first.
- Then the other person's area, then the city, then national: district level before city level
  before national, with the preferred side first at each level.
- At the same place, resources for the carer's situation (e.g. dementia) come first.
- A resource that serves both areas appears once, at its best place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from flows.engine import Context
from store import areas, search_index

# Categories used where the naaste lives; all others are searched from the carer's own area.
CARE_SIDE = frozenset({"respite", "practical_help"})

# Profile answers (set by the profile questions, store/profile.py) → resource audiences.
_SITUATION_AUDIENCE = {
    "dementia": "dementia",
    "mental_health": "mental_health",
    "disability": "disability",
    "palliative": "palliative",
}
_WORK_AUDIENCE = {"work": "working_carers", "both": "working_carers"}
_AGE_AUDIENCE = {"under_16": "young_carers", "16_24": "young_carers"}


class Found(NamedTuple):
    """A resource found, where it ranked (a named tuple: a search builds hundreds)."""

    id: str  # the resource: `resources.by_ids` reads the full rows of the cards shown
    area: str  # the matched area code that ranked it
    side: str | None  # "home" or "care" when the area belongs to one person only, else None
    local: bool  # in the carer's or the naaste's own district


@dataclass(frozen=True)
class Search:
    found: list[Found]
    local_areas: tuple[str, ...]  # the districts searched, preferred side first (no national)
    names: dict[str, str]  # the names of the areas searched

    @property
    def has_regional(self) -> bool:
        """Something matched below national: in a district or a city of the carer's or the
        naaste's area tree."""
        return any(f.area != areas.ROOT for f in self.found)


def _profile_value(ctx: Context, name: str) -> Any:
    """A profile answer: from the user row after consent, from memory before (absent: None)."""
    value = getattr(ctx.user, name, None) if ctx.user else None
    if value is None:
        value = ctx.session.profile.get(name)
    return value


def carer_audiences(ctx: Context) -> set[str]:
    """The resource audiences that fit this carer, from whatever profile answers exist."""
    found: set[str] = set()
    situation = _profile_value(ctx, "situation")
    values = situation if isinstance(situation, (list, tuple, set)) else [situation]
    for value in values:
        if isinstance(value, str):
            for part in value.split(";"):
                if part in _SITUATION_AUDIENCE:
                    found.add(_SITUATION_AUDIENCE[part])
    work = _profile_value(ctx, "work")
    if isinstance(work, str) and work in _WORK_AUDIENCE:
        found.add(_WORK_AUDIENCE[work])
    age = _profile_value(ctx, "age_band")
    if isinstance(age, str) and age in _AGE_AUDIENCE:
        found.add(_AGE_AUDIENCE[age])
    return found


def merge_lineages(first: list[str], second: list[str]) -> list[str]:
    """Level by level, `first` before `second` at each level; national last; no repeats.

    [zuidoost, amsterdam, nl] + [west, amsterdam, nl] → [zuidoost, west, amsterdam, nl]
    """
    merged: list[str] = []
    for level in range(max(len(first), len(second))):
        for line in (first, second):
            if level < len(line) and line[level] != areas.ROOT and line[level] not in merged:
                merged.append(line[level])
    return [*merged, areas.ROOT]


def preferred_side(category: str) -> str:
    return "care" if category in CARE_SIDE else "home"


def area_order(category: str, home: list[str], care: list[str]) -> list[str]:
    """The area codes to search for `category`, most relevant first."""
    first, second = (care, home) if preferred_side(category) == "care" else (home, care)
    return merge_lineages(first, second)


async def search(
    ctx: Context, categories: tuple[str, ...], helplines: tuple[str, ...] = ()
) -> Search:
    """Active resources of these categories for the carer, ordered by the routing rules; the
    national `helplines` with these ids come last. Two reads whatever the categories: both
    lineages at once, then the matches per place (from memory, see store/search_index.py, or
    from SQLite while that is being rebuilt).

    The order is (area rank, fits the carer's situation, name, id). Each place comes sorted by
    name and id, and an area has one rank per category, so the order is built by walking the
    areas in rank order: a sort is needed only where two categories share a rank."""
    source = search_index.reader(ctx.tx)
    places = [c for c in dict.fromkeys((ctx.home_area, ctx.care_area)) if c]
    lines, names = await source.lineages(places)
    home = lines.get(ctx.home_area or "", [])
    care = lines.get(ctx.care_area or "", [])
    local = {line[0] for line in (home, care) if line and line[0] != areas.ROOT}
    audiences = carer_audiences(ctx)
    orders = {c: area_order(c, home, care) for c in categories}
    special = bool(helplines) and "helpline" not in orders
    wanted = [*categories, "helpline"] if special else list(categories)
    codes = list(dict.fromkeys(c for order in orders.values() for c in order))
    found_at = await source.places(wanted, codes or [areas.ROOT], ctx.now)
    at_home, at_care = set(home), set(care)
    ranks = len(merge_lineages(home, care))  # every order has these codes, in its own sequence
    fitting: list[list[Found]] = [[] for _ in range(ranks)]
    others: list[list[Found]] = [[] for _ in range(ranks)]
    filled: dict[int, str] = {}
    shared: set[int] = set()  # ranks that two categories fill: only these need sorting
    seen: set[str] = set()  # a resource in several of the areas: once, at its best rank
    new = tuple.__new__  # a Found without NamedTuple's Python-level __new__: hundreds a search
    for category, order in orders.items():
        for rank, code in enumerate(order):
            matches = found_at.get((code, category))
            if not matches:
                continue
            if filled.setdefault(rank, category) != category:
                shared.add(rank)
            side = None
            if (code in at_home) != (code in at_care):
                side = "home" if code in at_home else "care"
            is_local = code in local
            fit, other = fitting[rank], others[rank]
            for rid, _name, _category, audience in matches:
                if rid in seen:
                    continue
                seen.add(rid)
                fits = audiences and not audiences.isdisjoint(audience)
                (fit if fits else other).append(new(Found, (rid, code, side, is_local)))
    found: list[Found] = []
    if shared:  # by name, then id, as within one place (resources.by_name)
        name = {m[0]: m[1].casefold() for matches in found_at.values() for m in matches}
    for rank in range(ranks):
        for group in (fitting[rank], others[rank]):
            if rank in shared:
                group.sort(key=lambda f: (name[f.id], f.id))
            found.extend(group)
    if special:
        national = {m[0] for m in found_at.get((areas.ROOT, "helpline"), ())}
        found.extend(
            Found(i, areas.ROOT, None, False) for i in dict.fromkeys(helplines) if i in national
        )
    preferred = preferred_side(categories[0]) if categories else "home"
    sides = (care, home) if preferred == "care" else (home, care)
    local_order = tuple(c for c in (line[0] for line in sides if line) if c in local)
    return Search(
        found=found,
        local_areas=tuple(dict.fromkeys(local_order)),
        names=names,
    )
