"""Forgetting a user: every stored row about them, and what the engine holds in memory."""

from __future__ import annotations

from flows.engine import Context
from store import user_data
from store.profile import UNDER_16


async def forget(ctx: Context, *, keep_in_memory: bool = False) -> bool:
    """Erase everything stored about the user; True when there was a stored row.

    `keep_in_memory` (for an under-16) keeps the language and districts in memory only, so the
    conversation can go on without storing anything; otherwise the session is cleared too.
    """
    user = ctx.user
    session = ctx.session
    if keep_in_memory:
        session.language = ctx.lang
        session.home_area = ctx.home_area
        session.care_area = ctx.care_area
    else:
        session.language = None
        session.home_area = None
        session.care_area = None
    # The session object itself is kept: the engine writes the new conversation state into it.
    session.state = None
    session.profile.clear()
    if user is None:
        return False
    await user_data.erase(ctx.tx, user.id)
    ctx.user = None
    ctx.erased = True  # the engine then cuts the WAL, so the erased text is gone from disk
    return True


def is_young(ctx: Context) -> bool:
    """Told us they are under 16: nothing may be stored (parental consent would be needed)."""
    return ctx.user is None and ctx.session.profile.get("age_band") == UNDER_16
