"""A made-up sociale kaart for the benches: realistic rows (~700 bytes) over uneven districts.

20 cities under `nl` (half the areas when there are fewer than 40), the other areas districts of
them. How many resources a district has follows a lognormal spread (a few districts hold many
times the median), as real municipalities do; about 5 % of resources serve a whole city and
0.1 % the whole country.
"""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

from store import resources

# Every kind of help a municipality maps; the helplines are national and ship with the bot.
CATEGORIES = tuple(c for c in resources.CATEGORIES if c != "helpline")
_AUDIENCES = ("dementia", "young_carers", "working_carers", "mental_health", "", "", "", "")
_WORDS = (
    "mantelzorg",
    "ondersteuning",
    "buurt",
    "vrijwilliger",
    "gesprek",
    "samen",
    "rust",
    "hulp",
    "thuis",
    "dagbesteding",
    "cursus",
    "avond",
    "informatie",
    "advies",
    "naaste",
    "familie",
    "zorg",
    "contact",
    "wijk",
    "centrum",
    "praktisch",
    "luisteren",
    "ontmoeten",
    "respijt",
    "logeren",
    "boodschappen",
    "vervoer",
)


def _text(rng: random.Random, length: int) -> str:
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < length:
        words.append(rng.choice(_WORDS))
    return " ".join(words).capitalize() + "."


def postcode(district: int) -> int:
    """The PC4 postcode of the `district`-th district."""
    return 1000 + district


def fill(path: str | Path, n_resources: int, n_areas: int, seed: int = 42) -> list[str]:
    """Fill a migrated, empty database at `path`; the district codes, in order."""
    rng = random.Random(seed)
    cities = [f"city-{i}" for i in range(max(1, min(20, n_areas // 2)))]
    districts = [f"district-{i}" for i in range(n_areas - len(cities))]
    parent_of = {d: cities[i % len(cities)] for i, d in enumerate(districts)}
    weights = [rng.lognormvariate(0, 1.0) for _ in districts]
    conn = sqlite3.connect(path)
    with conn:
        conn.executemany(
            "INSERT INTO areas (code, name, parent) VALUES (?, ?, ?)",
            [(c, f"Stad {c}", "nl") for c in cities]
            + [(d, f"Wijk {d}", parent_of[d]) for d in districts],
        )
        # One postcode per district (1000, 1001, …), so a carer can be placed by postcode.
        conn.executemany(
            "INSERT INTO area_postcodes (area_code, pc4) VALUES (?, ?)",
            [(d, postcode(i)) for i, d in enumerate(districts)],
        )
        local = rng.choices(districts, weights, k=n_resources)
        rows, links = [], []
        for i in range(n_resources):
            roll = rng.random()
            area = "nl" if roll < 0.001 else rng.choice(cities) if roll < 0.05 else local[i]
            category = rng.choice(CATEGORIES)
            # Some courses and groups are dated events, a few of them already over.
            starts = ends = None
            if category in ("course", "peer_group") and rng.random() < 0.3:
                month = rng.randint(1, 12)
                starts = f"2026-{month:02d}-10T19:00:00+01:00"
                ends = f"2026-{month:02d}-28T21:00:00+01:00"
            rows.append(
                (
                    f"r-{i}",
                    f"{_text(rng, 20)[:-1]} {i}",
                    category,
                    rng.choice(_AUDIENCES),
                    _text(rng, 220),
                    _text(rng, 200),
                    _text(rng, 60),
                    _text(rng, 55),
                    f"020 {rng.randint(1000000, 9999999)}",
                    f"info{i}@voorbeeld.nl",
                    f"https://www.voorbeeld.nl/hulp/{i}",
                    f"Dorpsstraat {rng.randint(1, 300)}, {rng.randint(1000, 9999)} AB",
                    "Gratis",
                    "Free",
                    "ma-vr 9:00-17:00",
                    "Mon-Fri 9am-5pm",
                    starts,
                    ends,
                    "2026-09-01",
                )
            )
            links.append((f"r-{i}", area, category))
        conn.executemany(
            "INSERT INTO resources (id, name, category, audience, description_nl, "
            "description_en, first_step_nl, first_step_en, phone, email, url, address, cost, "
            "cost_en, opening_hours, opening_hours_en, starts_at, ends_at, last_verified) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        conn.executemany(
            "INSERT INTO resource_areas (resource_id, area_code, category) VALUES (?, ?, ?)",
            links,
        )
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return districts
