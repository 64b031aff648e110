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
from typing import Any

from flows.engine import Context
from store import areas, resources
from store.resources import Resource

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


@dataclass(frozen=True)
class Found:
    resource: Resource
    area: str  # the matched area code that ranked it
    side: str | None  # "home" or "care" when the area belongs to one person only, else None
    local: bool  # in the carer's or the naaste's own district


@dataclass(frozen=True)
class Search:
    found: list[Found]
    local_areas: tuple[str, ...]  # the districts searched, preferred side first (no national)

    @property
    def has_local(self) -> bool:
        return any(f.local for f in self.found)

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


async def _lineage(ctx: Context, code: str | None) -> list[str]:
    return await areas.lineage(ctx.tx, code) if code else []


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


async def area_order(ctx: Context, category: str) -> list[str]:
    """The area codes to search for `category`, most relevant first."""
    home = await _lineage(ctx, ctx.home_area)
    care = await _lineage(ctx, ctx.care_area)
    first, second = (care, home) if preferred_side(category) == "care" else (home, care)
    return merge_lineages(first, second)


async def search(
    ctx: Context, categories: tuple[str, ...], helplines: tuple[str, ...] = ()
) -> Search:
    """Active resources of these categories for the carer, ordered by the routing rules; the
    national `helplines` with these ids come last."""
    home = await _lineage(ctx, ctx.home_area)
    care = await _lineage(ctx, ctx.care_area)
    local = {line[0] for line in (home, care) if line and line[0] != areas.ROOT}
    audiences = carer_audiences(ctx)
    ranked: dict[str, tuple[tuple[int, int, str], Found]] = {}
    for category in categories:
        order = await area_order(ctx, category)
        for resource in await resources.for_areas(ctx.tx, category, order, ctx.now):
            matched = min(
                (c for c in resource.areas if c in order), key=order.index, default=areas.ROOT
            )
            fits = bool(audiences & set(resource.audience))
            key = (order.index(matched), 0 if fits else 1, resource.name.casefold())
            side = None
            if (matched in home) != (matched in care):
                side = "home" if matched in home else "care"
            found = Found(resource, matched, side, matched in local)
            if resource.id not in ranked or key < ranked[resource.id][0]:
                ranked[resource.id] = (key, found)
    if helplines:
        last = len(await area_order(ctx, "helpline"))  # after everything else
        for resource in await resources.for_areas(ctx.tx, "helpline", [areas.ROOT], ctx.now):
            if resource.id in helplines and resource.id not in ranked:
                key = (last, helplines.index(resource.id), "")
                ranked[resource.id] = (key, Found(resource, areas.ROOT, None, False))
    preferred = preferred_side(categories[0]) if categories else "home"
    sides = (care, home) if preferred == "care" else (home, care)
    local_order = tuple(c for c in (line[0] for line in sides if line) if c in local)
    return Search(
        found=[found for _key, found in sorted(ranked.values(), key=lambda item: item[0])],
        local_areas=tuple(dict.fromkeys(local_order)),
    )
