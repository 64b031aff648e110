"""When the carer support advisers work: a question asked outside these hours is answered later,
and the carer is told from when. Default Monday to Friday 9:00–17:00 in the bot's time zone;
`mantelbot` sets it from `MANTELBOT_OFFICE_HOURS` (e.g. `mon-fri 09:00-17:00`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SPEC = re.compile(r"^\s*([a-z]{3})(?:-([a-z]{3}))?\s+(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class OfficeHours:
    days: frozenset[int]  # 0 is Monday
    opens: time
    closes: time

    @classmethod
    def parse(cls, spec: str) -> OfficeHours:
        found = SPEC.match(spec.lower())
        if not found or found[1] not in DAYS or (found[2] and found[2] not in DAYS):
            raise ValueError(f"office hours must look like 'mon-fri 09:00-17:00', not {spec!r}")
        first = DAYS.index(found[1])
        last = DAYS.index(found[2]) if found[2] else first
        days = frozenset(range(first, last + 1)) if first <= last else frozenset()
        opens, closes = time(int(found[3]), int(found[4])), time(int(found[5]), int(found[6]))
        if not days or opens >= closes:
            raise ValueError(f"office hours must be a range of days and times: {spec!r}")
        return cls(days, opens, closes)

    def is_open(self, when: datetime) -> bool:
        return when.weekday() in self.days and self.opens <= when.time() < self.closes

    def next_opening(self, when: datetime) -> datetime:
        """The next moment the office opens after `when` (in `when`'s time zone)."""
        day = when.date()
        for offset in range(8):
            candidate = datetime.combine(day + timedelta(days=offset), self.opens, when.tzinfo)
            if candidate.weekday() in self.days and candidate > when:
                return candidate
        raise AssertionError("office hours without a day")


DEFAULT = "mon-fri 09:00-17:00"
HOURS = OfficeHours.parse(DEFAULT)


def configure(spec: str | None) -> None:
    """Set the office hours for this process (ValueError on a wrong spec)."""
    global HOURS
    HOURS = OfficeHours.parse(spec or DEFAULT)
