"""The weekly freshness digest: queued through the outbox by the scheduler, with buttons that work
for the coordinator of that resource only."""

from __future__ import annotations

from datetime import timedelta

from bot.i18n import translators
from bot.scheduler import Scheduler
from flows import outgoing
from store import audit, resources, schedule
from store.db import Database
from tests import town
from tests.support import TZ, Chat, dump, make_engine, rows


async def fire_weekly(db: Database) -> None:
    """Run the scheduler at the time the pending freshness timer is due."""
    async with db.read() as tx:
        (pending,) = await schedule.pending(tx, "freshness")
    due = pending.due_at
    scheduler = Scheduler(db, translators(TZ), clock=lambda: due + timedelta(minutes=1))
    assert await scheduler.run_due() == 1


async def queued(db: Database) -> list[tuple[str, list]]:
    found = await rows(db, "SELECT recipient, payload FROM outbox ORDER BY id")
    return [(recipient, outgoing.load(payload)) for recipient, payload in found]


async def test_each_coordinator_gets_their_stale_resources_once_a_week(db: Database):
    await town.build(db)
    await town.add_coordinator(db, "fenna", ["weidebroek"])
    await town.add_coordinator(db, "lotte", ["lindenoord"])  # nothing stale there
    await fire_weekly(db)
    ((recipient, replies),) = await queued(db)
    assert recipient == "fenna"
    assert "180 dagen" in replies[0].text
    (card,) = replies[1:]
    assert card.text.startswith("Logeerhuis De Wilg")  # checked 2025-01-10
    assert "Laatst gecontroleerd: 10 januari 2025" in card.text  # a date as people write it
    assert [c.key for c in card.choices] == [
        "fr:ok:wb-logeerhuis",
        "fr:ed:wb-logeerhuis",
        "fr:ar:wb-logeerhuis",
    ]
    # The shared resource (also Lindenoord) and fresh ones are not in it.
    texts = " ".join(r.text for r in replies)
    assert "Steunpunt" not in texts and "Cursus" not in texts
    # Next week's timer is set; running again does not queue the same digest twice.
    async with db.read() as tx:
        (following,) = await schedule.pending(tx, "freshness")
    await fire_weekly(db)
    assert len(await queued(db)) == 2  # a new week, a new digest
    async with db.read() as tx:
        (after,) = await schedule.pending(tx, "freshness")
    assert after.due_at - following.due_at == timedelta(days=7)
    assert (after.due_at.weekday(), after.due_at.hour) == (0, 8)  # Monday morning, 08:00 UTC


async def test_the_digest_buttons_work_for_the_coordinator_only(db: Database):
    await town.build(db)
    await town.add_coordinator(db, "fenna", ["weidebroek"])
    await town.add_coordinator(db, "lotte", ["lindenoord"])
    engine = make_engine(db)
    carer = Chat(engine, user="carer")
    await carer.onboard("9912 AB")
    lotte = Chat(engine, user="lotte")
    await lotte.send("/beheer")
    before = await dump(db)
    for key in ("fr:ok:wb-logeerhuis", "fr:ar:wb-logeerhuis", "fr:ed:wb-logeerhuis"):
        await carer.press_stale(key)
        assert "Er is niets veranderd" in carer.text
        await lotte.press_stale(key)  # a coordinator, but not of Weidebroek
        assert "Er is niets veranderd" in lotte.text
    assert await dump(db) == before

    fenna = Chat(engine, user="fenna")
    await fenna.send("/menu")
    await fenna.press_stale("fr:ok:wb-logeerhuis")
    assert "Vandaag gecontroleerd" in fenna.text and "Logeerhuis De Wilg" in fenna.text
    await fenna.press_stale("fr:ar:wb-logeerhuis")
    async with db.read() as tx:
        stored = await resources.get(tx, "wb-logeerhuis")
        trail = await audit.entries(tx, "resource", oldest_first=True)
    assert stored.last_verified == "2026-11-23" and stored.active is False
    assert [(e.action, e.detail) for e in trail] == [
        ("update", {"last_verified": ["2025-01-10", "2026-11-23"]}),
        ("archive", {"active": [True, False]}),
    ]
