"""The carer's search from memory (store/search_index.py) shows exactly what SQLite holds: the
same resources in the same order as the reference search on SQLite, on the Zwolle data and on
random municipalities, and after edits, archives and imports by this process or another one."""

from __future__ import annotations

import csv
import io
import random
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from bot.i18n import translators
from flows import find_help, routing
from flows.engine import Context, Session
from store import areas, managed_resources, resources, search_index
from store.areas import Area
from store.db import Database, Tx
from store.resources import Resource
from tests.conftest import ZWOLLE_RESOURCES
from tests.support import NOW, TZ, Chat, make_engine, start_mantelbot

PROFILES = (
    {},
    {"situation": "dementia"},
    {"situation": "mental_health;disability", "work": "work"},
    {"age_band": "under_16"},
)


def context(tx: Tx, home: str | None, care: str | None, profile: dict, now=NOW) -> Context:
    session = Session(home_area=home, care_area=care, profile=dict(profile))
    return Context(tx, translators(TZ)("nl"), translators(TZ), now, "test", "t", None, session)


def reference(
    found_at: resources.Places,
    categories: tuple[str, ...],
    helplines: tuple[str, ...],
    home: list[str],
    care: list[str],
    audiences: set[str],
) -> list[tuple]:
    """The routing rules written as plainly as possible, on what SQLite answers: each resource
    at its best area, ordered by (area rank, fits the carer, name, id); the door's national
    helplines last."""
    orders = {c: routing.area_order(c, home, care) for c in categories}
    local = {line[0] for line in (home, care) if line and line[0] != areas.ROOT}
    best: dict[str, tuple] = {}
    for (code, link), matches in found_at.items():
        for rid, name, _category, audience in matches:
            if link in orders:
                fits = not audiences.isdisjoint(audience)
                key = (orders[link].index(code), not fits, name.casefold(), rid)
            elif rid in helplines and code == areas.ROOT:
                key = (len(orders[categories[0]]), helplines.index(rid), "", "")
            else:
                continue
            if rid not in best or key < best[rid][0]:
                side = None
                if link in orders and (code in home) != (code in care):
                    side = "home" if code in home else "care"
                best[rid] = (key, (rid, code, side, code in local))
    return [found for _key, found in sorted(best.values())]


async def compare_everywhere(db: Database, now=NOW) -> int:
    """Every door (and every category) for every pair of places and every profile: the index
    answers what SQLite answers, and the search ranks it as the plain reference does. Returns
    how many searches found something."""
    async with db.read() as tx:
        index = await search_index.ready(tx)
        codes = sorted(await areas.codes(tx))
        places = [None, *codes]
        pairs = [(h, c) for h in places for c in places]
        doors = [*find_help.DOORS, *resources.CATEGORIES]
        nonempty = 0
        for home, care in pairs:
            asked = [c for c in (home, care) if c]
            lines, names = await areas.lineages(tx, asked)
            assert await index.lineages(asked) == (lines, names)
            home_line, care_line = lines.get(home or "", []), lines.get(care or "", [])
            for door in doors:
                categories = find_help.door_categories(door)
                helplines = find_help.door_helplines(door)
                wanted = [*categories, "helpline"] if helplines else list(categories)
                searched = routing.merge_lineages(home_line, care_line)
                from_sql = await resources.places(tx, wanted, searched, now)
                assert await index.places(wanted, searched, now) == from_sql, (home, care, door)
                for profile in PROFILES:
                    ctx = context(tx, home, care, profile, now)
                    assert search_index.current(tx) is index  # the search reads memory
                    search = await routing.search(ctx, categories, helplines)
                    got = [(f.id, f.area, f.side, f.local) for f in search.found]
                    audiences = routing.carer_audiences(ctx)
                    expected = reference(
                        from_sql, categories, helplines, home_line, care_line, audiences
                    )
                    assert got == expected, (home, care, door, profile)
                    nonempty += bool(got)
    return nonempty


async def test_zwolle_searches_match_sqlite(zwolle_db: Database) -> None:
    assert await compare_everywhere(zwolle_db) > 100
    # A week after the dementia course ended (2027-03-01) it is gone from both.
    later = NOW.replace(year=2027, month=3, day=8)
    assert await compare_everywhere(zwolle_db, later) > 100


async def random_municipality(db: Database, seed: int) -> None:
    """Two cities with districts; resources of every category in one or more areas, a few of
    them national, some dated (some of those over), some archived, names that collide when
    case is ignored."""
    rng = random.Random(seed)
    made = [Area("stad-a", "Stad A", "nl", ()), Area("stad-b", "Stad B", "nl", ())]
    made += [Area(f"wijk-{i}", f"Wijk {i}", rng.choice(["stad-a", "stad-b"]), ()) for i in range(6)]
    codes = [a.code for a in made] + ["nl"]
    names = ["Cursus", "cursus", "Logeerhuis", "Maatje", "Praatgroep", "Ééntje", "eentje"]
    audiences = [*resources.AUDIENCES, "", ""]
    async with db.transaction() as tx:
        for area in made:
            await areas.upsert(tx, area)
        for i in range(300):
            starts = ends = None
            if rng.random() < 0.3:
                starts = NOW + timedelta(days=rng.randint(-90, 90))
                ends = starts + timedelta(days=rng.randint(0, 30)) if rng.random() < 0.7 else None
            await resources.upsert(
                tx,
                Resource(
                    id=f"r-{i:03d}",
                    name=f"{rng.choice(names)} {rng.randint(1, 4)}",
                    category=rng.choice(resources.CATEGORIES),
                    audience=tuple(sorted({rng.choice(audiences) for _ in range(2)} - {""})),
                    starts_at=starts.isoformat() if starts else None,
                    ends_at=ends.isoformat() if ends else None,
                    active=rng.random() > 0.1,
                    areas=tuple(sorted({rng.choice(codes) for _ in range(rng.choice([1, 1, 2]))})),
                ),
            )


async def test_random_municipalities_match_sqlite(tmp_path: Path) -> None:
    for seed in range(3):
        db = await Database.open(tmp_path / f"random-{seed}.sqlite3")
        try:
            await random_municipality(db, seed)
            assert await compare_everywhere(db) > 500
        finally:
            await db.close()


COURSES_HOLTENBROEK = ("Cursus Minder stress", "Cursus Omgaan met dementie", "Online cursus")


async def courses_seen(chat: Chat) -> str:
    """What a carer sees behind the door "A course", from wherever they are."""
    if "menu" in chat.keys:
        await chat.press("menu")
    await chat.press("find")
    await chat.press("cat:course")
    return chat.text


async def test_changes_by_another_process_reach_the_next_search(
    zwolle_db: Database, tmp_path: Path
) -> None:
    chat = Chat(make_engine(zwolle_db))
    await chat.onboard("8032 AB")  # Holtenbroek
    before = await courses_seen(chat)
    assert all(name in before for name in COURSES_HOLTENBROEK)
    async with zwolle_db.read() as tx:
        await search_index.ready(tx)
    # A coordinator's import from the command line: one course renamed, one archived, one new.
    rows = list(csv.DictReader(io.StringIO(ZWOLLE_RESOURCES)))
    for row in rows:
        row["active"] = "0" if row["id"] == "zw-cursus-dementie" else "1"
        if row["id"] == "zw-cursus-stress":
            row["name"] = "Cursus Rustig aan"
    new = dict.fromkeys(rows[0], "") | {"id": "zw-cursus-nieuw", "category": "course"}
    rows.append(new | {"name": "Cursus Nieuw in Holtenbroek", "areas": "holtenbroek"})
    changes = tmp_path / "changes.csv"
    with changes.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    process = await start_mantelbot(
        tmp_path, "--db", zwolle_db.path, "resources", "import", str(changes)
    )
    assert await process.wait() == 0

    for _twice in ("from SQLite while the index is rebuilt", "from the new index"):
        seen = await courses_seen(chat)
        assert "Cursus Rustig aan" in seen and "Cursus Nieuw in Holtenbroek" in seen
        assert "Cursus Minder stress" not in seen
        assert "Cursus Omgaan met dementie" not in seen
        async with zwolle_db.read() as tx:
            await search_index.ready(tx)
    await compare_everywhere(zwolle_db)


async def test_changes_in_this_process_reach_the_next_search(zwolle_db: Database) -> None:
    chat = Chat(make_engine(zwolle_db))
    await chat.onboard("8032 AB")
    await courses_seen(chat)
    async with zwolle_db.read() as tx:
        await search_index.ready(tx)

    # A coordinator renames a course in /beheer (this process's own connection).
    async with zwolle_db.transaction() as tx:
        old = await resources.get(tx, "zw-cursus-stress")
        new = replace(old, name="Cursus Adem in")
        await managed_resources.save(tx, "coordinator", old, new)
        # Inside the same transaction the search sees the change already.
        found = await search_index.reader(tx).places(["course"], ["holtenbroek"], NOW)
        assert [m[1] for m in found[("holtenbroek", "course")]] == ["Cursus Adem in"]
    assert "Cursus Adem in" in await courses_seen(chat)

    # An archive that fails halfway is rolled back: the course stays visible.
    try:
        async with zwolle_db.transaction() as tx:
            old = await resources.get(tx, "zw-cursus-stress")
            await managed_resources.save(tx, "coordinator", old, replace(old, active=False))
            raise RuntimeError("the coordinator's connection broke")
    except RuntimeError:
        pass
    async with zwolle_db.read() as tx:
        await search_index.ready(tx)
    assert "Cursus Adem in" in await courses_seen(chat)

    # An archive that goes through: gone at the next door press.
    async with zwolle_db.transaction() as tx:
        old = await resources.get(tx, "zw-cursus-stress")
        await managed_resources.save(tx, "coordinator", old, replace(old, active=False))
    seen = await courses_seen(chat)
    assert "Cursus Adem in" not in seen and "Omgaan met dementie" in seen
    await compare_everywhere(zwolle_db)


async def test_an_area_moved_in_this_process_reaches_the_next_search(zwolle_db: Database) -> None:
    chat = Chat(make_engine(zwolle_db))
    await chat.onboard("8032 AB")  # Holtenbroek, in Zwolle
    await chat.press("find")
    await chat.press("door:peers")
    assert "Praatgroep Kampen" not in chat.text
    async with zwolle_db.read() as tx:
        await search_index.ready(tx)
    # The areas file is corrected: Holtenbroek belongs to Kampen (the area tree is in memory).
    async with zwolle_db.transaction() as tx:
        moved = await areas.get(tx, "holtenbroek")
        await areas.upsert(tx, replace(moved, parent="kampen"))
    await chat.press("menu")
    await chat.press("find")
    await chat.press("door:peers")
    assert "Praatgroep Kampen" in chat.text
    await compare_everywhere(zwolle_db)
