"""The burden bands the bot routes by, in one place.

The EDIZ (Pot, van Dyck & Deeg, 1995) gives a total score of 0-9 but NO clinical cut-off. These
bands are our own routing choices, not a diagnosis, and the bot says so. Change them here only:
the burden check and its tests read them from this module.
"""

from __future__ import annotations

from dataclasses import dataclass

from store import stats

HANDOVER = "consult"


@dataclass(frozen=True)
class Band:
    name: str  # "low", "medium", "high"
    lowest: int  # inclusive
    highest: int  # inclusive
    # Help offered after the check, in this order: find_help.DOORS, or HANDOVER for the warm
    # handover to a human carer support adviser (flows/consult.py).
    doors: tuple[str, ...]


BANDS = (
    Band("low", 0, 3, doors=("information", "appreciation")),
    Band("medium", 4, 6, doors=("course", "peers", "practical_help")),
    Band("high", 7, 9, doors=("respite", "consult", "emotional_support")),
)


# The same bands for the statistics, which the store counts (it does not import flows).
STAT_BANDS = tuple(stats.Band(b.name, b.lowest, b.highest) for b in BANDS)


def band_for(score: int) -> Band:
    for band in BANDS:
        if band.lowest <= score <= band.highest:
            return band
    raise ValueError(f"no band for score {score}")
