"""A made-up municipality for the coordinators' tests: Weidebroek, with two districts, and the
town of Lindenoord next to it. Postcodes 9911-9914 are invented for these tests."""

from __future__ import annotations

from store import areas, resources
from store.areas import Area
from store.db import Database
from store.resources import Resource
from tests.support import make_coordinator

AREAS = (
    Area("weidebroek", "Weidebroek", "nl", (9911,)),
    Area("wb-noord", "Weidebroek-Noord", "weidebroek", (9912,)),
    Area("wb-zuid", "Weidebroek-Zuid", "weidebroek", (9913,)),
    Area("lindenoord", "Lindenoord", "nl", (9914,)),
)
RESOURCES = (
    Resource(
        "wb-logeerhuis",
        "Logeerhuis De Wilg",
        "respite",
        description_nl="Je naaste logeert een weekend, jij rust uit.",
        first_step_nl="Bel en vraag naar een logeerweekend.",
        phone="0599 100 100",
        last_verified="2025-01-10",
        areas=("wb-noord",),
    ),
    Resource(
        "wb-cursus",
        "Cursus Zorgen en Werken",
        "course",
        description_nl="Vier avonden over werk en zorg.",
        last_verified="2026-10-01",
        areas=("weidebroek",),
    ),
    Resource(
        "lo-maatje",
        "Maatje Lindenoord",
        "buddy",
        description_nl="Een vrijwilliger die met je meedenkt.",
        last_verified="2026-10-01",
        areas=("lindenoord",),
    ),
    Resource(
        "streek-steunpunt",
        "Steunpunt Mantelzorg De Streek",
        "advice",
        description_nl="Advies voor mantelzorgers in de hele streek.",
        last_verified="2026-10-01",
        areas=("weidebroek", "lindenoord"),
    ),
)


async def build(db: Database) -> None:
    async with db.transaction() as tx:
        for area in AREAS:
            await areas.upsert(tx, area)
        for resource in RESOURCES:
            await resources.upsert(tx, resource)


async def add_coordinator(
    db: Database, external_id: str, area_codes: list[str], *, role="coordinator", channel="test"
) -> int:
    """Fenna, of the town's own steunpunt."""
    return await make_coordinator(
        db,
        external_id,
        area_codes,
        role=role,
        channel=channel,
        name="Fenna de Vries",
        org="Steunpunt Weidebroek",
    )
