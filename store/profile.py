"""The carer's short profile: the allowed answers, kept as columns on `users` (migration 0004)."""

from __future__ import annotations

from store import users
from store.db import Tx

# Allowed values per question, in the order they are offered. `situation` values are matched
# against a resource's `audience`. "under_16" is offered but never stored: see `STORABLE`.
OPTIONS: dict[str, tuple[str, ...]] = {
    "relation": ("partner", "parent", "child", "family", "friend"),
    "situation": ("dementia", "physical", "mental_health", "disability", "old_age", "other"),
    "hours_band": ("lt4", "4_8", "8_20", "gt20"),
    "duration_band": ("lt3m", "3_12m", "1_5y", "gt5y"),
    "work": ("work", "study", "both", "none"),
    "age_band": ("under_16", "16_24", "25_49", "50_64", "65_plus"),
}
UNDER_16 = "under_16"
assert tuple(OPTIONS) == users.PROFILE_FIELDS


def storable(field: str, value: str | None) -> bool:
    """A value that may be written to the database (under-16s are never stored)."""
    return value is None or (value in OPTIONS.get(field, ()) and value != UNDER_16)


async def set_answer(tx: Tx, user_id: int, field: str, value: str | None) -> None:
    if not storable(field, value):
        raise ValueError(f"not a storable answer for {field}: {value!r}")
    await users.update(tx, user_id, **{field: value})
