"""Users a channel saw leave (blocked the bot on Telegram, unregistered from Signal).

They are marked inactive in the database, so nothing the bot sends on its own goes to them. When
one writes again they are back, and marked active. The inactive ones are kept in memory (read
once, at the first message after a start, since another process may have marked them): an
ordinary message costs no database access.
"""

from __future__ import annotations

import logging

from store import users
from store.db import Database

log = logging.getLogger(__name__)


class InactiveUsers:
    def __init__(self, db: Database, channel: str) -> None:
        self._db = db
        self._channel = channel
        self._gone: set[str] = set()
        self._read = False

    def saw_leave(self, external_id: str) -> None:
        """Someone else (the outbox sender) stores it; their next message undoes it."""
        self._gone.add(external_id)

    async def set_active(self, external_id: str, ref: str, active: bool) -> None:
        async with self._db.transaction() as tx:
            changed = await users.set_active(tx, self._channel, external_id, active)
        if active:
            self._gone.discard(external_id)
        else:
            self._gone.add(external_id)
        log.info("user=%s active=%s stored=%s", ref, active, changed)

    async def wrote(self, external_id: str, ref: str) -> None:
        """A user marked inactive writes again: they are back."""
        if not self._read:
            async with self._db.read() as tx:
                self._gone |= await users.inactive(tx, self._channel)
            self._read = True
        if external_id in self._gone:
            await self.set_active(external_id, ref, True)
