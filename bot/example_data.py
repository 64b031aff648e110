"""The Amsterdam example data (fictional, marked `voorbeelddata`) for demos and tests."""

from __future__ import annotations

from pathlib import Path

from store.csv_files import Gettext, ImportResult, import_areas, import_resources
from store.db import Database

EXAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "example"


async def is_empty(db: Database) -> bool:
    """No areas but the national root, and no resources but the shipped helplines."""
    async with db.read() as tx:
        async with tx.execute("SELECT count(*) FROM areas WHERE code <> 'nl'") as cur:
            own_areas = (await cur.fetchone())[0]
        async with tx.execute("SELECT count(*) FROM resources WHERE category <> 'helpline'") as cur:
            own_resources = (await cur.fetchone())[0]
    return own_areas == 0 and own_resources == 0


async def load(db: Database, _: Gettext) -> tuple[ImportResult, ImportResult]:
    area_result = await import_areas(
        db, (EXAMPLE_DIR / "areas.csv").read_bytes(), _, actor="example-data"
    )
    resource_result = await import_resources(
        db, (EXAMPLE_DIR / "resources.csv").read_bytes(), _, actor="example-data"
    )
    return area_result, resource_result
