"""/beheer → Resources, as a coordinator of Weidebroek uses it on the real engine and store."""

from __future__ import annotations

from dataclasses import replace

import pytest

from store import areas, audit, resources
from store.areas import Area
from store.db import Database
from store.resources import Resource
from tests import town
from tests.support import Chat, dump, make_engine


@pytest.fixture
async def fenna(db: Database) -> Chat:
    await town.build(db)
    await town.add_coordinator(db, "fenna", ["weidebroek"])
    chat = Chat(make_engine(db), user="fenna")
    await chat.send("/beheer")
    await chat.press("res")
    return chat


async def stored(db: Database, resource_id: str):
    async with db.read() as tx:
        return await resources.get(tx, resource_id)


async def test_search_open_edit_and_still_correct(fenna: Chat, db: Database):
    await fenna.send("wilg")
    assert "Gevonden in jouw gebieden: 1" in fenna.text
    await fenna.press("ro:0")
    assert "Logeerhuis De Wilg" in fenna.text and "0599 100 100" in fenna.text
    assert "Laatst gecontroleerd: 10 januari 2025" in fenna.text
    await fenna.press("edit")
    await fenna.press("ef:phone")
    await fenna.send("0599 200 200")
    assert "Opgeslagen" in fenna.text
    await fenna.press("ok")
    saved = await stored(db, "wb-logeerhuis")
    assert saved.phone == "0599 200 200" and saved.last_verified == "2026-11-23"
    async with db.read() as tx:
        changes = await audit.entries(tx, "resource", areas=["wb-noord"])
    assert [e.detail for e in changes] == [
        {"last_verified": ["2025-01-10", "2026-11-23"]},
        {"phone": ["0599 100 100", "0599 200 200"]},
    ]
    assert {e.actor for e in changes} == {"user:1"}


async def test_archive_hides_and_restore_shows_again(fenna: Chat, db: Database):
    await fenna.press("bycat")
    await fenna.press("rc:course")
    await fenna.press("ro:0")
    await fenna.press("archive")
    assert (await stored(db, "wb-cursus")).active is False
    assert "restore" in fenna.keys
    await fenna.press("restore")
    assert (await stored(db, "wb-cursus")).active is True


async def test_a_resource_shared_with_other_areas_is_read_only(fenna: Chat, db: Database):
    await fenna.send("steunpunt")
    await fenna.press("ro:0")
    assert "edit" not in fenna.keys and "Lindenoord" in fenna.text
    before = await dump(db)
    # A button from another screen, pressed anyway: refused, nothing changes.
    for key in ("edit", "archive", "ok"):
        await fenna.press_stale(key)
    assert await dump(db) == before


async def test_resources_elsewhere_are_not_found(fenna: Chat):
    await fenna.send("maatje")  # Maatje Lindenoord: the next town's, not hers
    assert "Ik vond niets in jouw gebieden" in fenna.text
    assert "ro:0" not in fenna.keys


async def test_a_new_resource_step_by_step(fenna: Chat, db: Database):
    await fenna.press("new")
    await fenna.send("Praatgroep Zuid")
    await fenna.press("rc:peer_group")
    assert "✓" not in fenna.text + "".join(fenna.labels)
    labels = dict(zip(fenna.labels, fenna.keys, strict=False))
    assert "Lindenoord" not in labels  # only areas in her scope
    await fenna.press(labels["Weidebroek-Zuid"])
    await fenna.press("next")
    await fenna.send("Elke maand praten met andere mantelzorgers.")
    await fenna.send("Kom langs, aanmelden hoeft niet.")
    await fenna.press("skip")  # phone
    await fenna.send("weidebroek.example")  # not a web address
    assert "https://" in fenna.text
    await fenna.send("https://weidebroek.example/praatgroep")
    await fenna.send("Gratis")
    await fenna.press("en")
    await fenna.send("Talk with other carers every month.")
    while "skip" in fenna.keys:  # the other English texts
        await fenna.press("skip")
    assert "Praatgroep Zuid" in fenna.text
    assert "Let op: er staat geen" not in fenna.text  # it has a website
    await fenna.press("save")
    new = await stored(db, "praatgroep-zuid")
    assert new.areas == ("wb-zuid",) and new.category == "peer_group"
    assert new.description_en == "Talk with other carers every month."
    assert new.last_verified == "2026-11-23" and new.active
    async with db.read() as tx:
        (entry,) = await audit.entries(tx, "resource")
    assert entry.action == "create" and entry.detail["name"] == [None, "Praatgroep Zuid"]


async def test_recent_changes_show_my_areas_only_old_and_new(fenna: Chat, db: Database):
    await town.add_coordinator(db, "lotte", ["lindenoord"])
    lotte = Chat(make_engine(db), user="lotte")
    await lotte.send("/beheer")
    await lotte.press("res")
    await lotte.send("maatje")
    await lotte.press("ro:0")
    await lotte.press("ok")  # a change in Lindenoord: not Fenna's business
    await fenna.send("wilg")
    await fenna.press("ro:0")
    await fenna.press("edit")
    await fenna.press("ef:phone")
    await fenna.send("0599 200 200")
    await fenna.send("/beheer")
    await fenna.press("changes")
    assert "De laatste 2 wijzigingen in jouw gebieden" in fenna.text
    assert "coördinator Fenna de Vries (nieuw)" in fenna.text  # her own role, given by the CLI
    assert "Gebieden: – → weidebroek" in fenna.text
    assert "Fenna de Vries, Steunpunt Weidebroek · wb-logeerhuis (gewijzigd)" in fenna.text
    assert "Telefoon: 0599 100 100 → 0599 200 200" in fenna.text
    assert "lo-maatje" not in fenna.text


async def test_a_website_without_https_is_refused_as_the_csv_import_refuses_it(
    fenna: Chat, db: Database
):
    # Accepted here, an http:// address made the next "Download als CSV" fail to import again.
    await fenna.send("wilg")
    await fenna.press("ro:0")
    await fenna.press("edit")
    await fenna.press("ef:url")
    before = (await stored(db, "wb-logeerhuis")).url
    await fenna.send("http://example.org/wilg")
    assert "https://" in fenna.text and "Opgeslagen" not in fenna.text
    assert (await stored(db, "wb-logeerhuis")).url == before
    await fenna.send("https://example.org/wilg")
    assert "Opgeslagen" in fenna.text
    assert (await stored(db, "wb-logeerhuis")).url == "https://example.org/wilg"


async def test_the_card_of_a_course_shows_its_dates_and_that_carers_no_longer_see_it_when_over(
    fenna: Chat, db: Database
):
    async with db.transaction() as tx:
        for rid, name, starts, ends in (
            (
                "wb-najaar",
                "Cursus Najaar",
                "2026-09-01T19:30:00+02:00",
                "2026-10-15T21:30:00+02:00",
            ),
            ("wb-winter", "Cursus Winter", "2027-01-14T19:30:00+01:00", None),
        ):
            course = Resource(rid, name, "course", areas=("weidebroek",))
            await resources.upsert(tx, replace(course, starts_at=starts, ends_at=ends))
    await fenna.send("najaar")
    await fenna.press("ro:0")
    assert "1 september 2026" in fenna.text and "15 oktober 2026" in fenna.text
    assert "Mantelzorgers zien dit" not in fenna.text and "afgelopen" in fenna.text
    await fenna.press("beheer.res")
    await fenna.send("winter")
    await fenna.press("ro:0")
    assert "14 januari 2027" in fenna.text and "Mantelzorgers zien dit" in fenna.text


async def test_long_names_on_buttons_are_cut_between_words_with_an_ellipsis(
    fenna: Chat, db: Database
):
    async with db.transaction() as tx:
        await areas.upsert(
            tx,
            Area("wb-zuid", "Weidebroek-Zuid en de dorpen langs de rivier", "weidebroek", (9913,)),
        )
        await resources.upsert(
            tx,
            Resource(
                "wb-lang",
                "Steunpunt Mantelzorg en Vrijwilligerswerk Weidebroek",
                "advice",
                description_nl="Advies.",
                areas=("wb-noord",),
            ),
        )
    await fenna.send("vrijwilligers")
    assert "Steunpunt Mantelzorg…" in fenna.labels
    await fenna.press("ro:0")
    await fenna.press("edit")
    await fenna.press("ef:areas")
    assert "Weidebroek-Zuid en de dorpen…" in fenna.labels
    # The carer's list of districts is built from the same names.
    carer = Chat(make_engine(db), user="carer")
    await carer.send("/start")
    await carer.press("yes")
    await carer.press("list")
    await carer.press("area:weidebroek")
    assert "Weidebroek-Zuid en de dorpen…" in carer.labels
    assert all(len(label) <= 30 for chat in (fenna, carer) for label in chat.labels)


async def test_a_new_resource_without_any_contact_is_pointed_out_before_saving(fenna: Chat):
    await fenna.press("new")
    await fenna.send("Inloop Zuid")
    await fenna.press("rc:peer_group")
    labels = dict(zip(fenna.labels, fenna.keys, strict=False))
    await fenna.press(labels["Weidebroek-Zuid"])
    await fenna.press("next")
    await fenna.send("Elke dinsdag koffie met andere mantelzorgers.")
    await fenna.send("Kom langs.")
    await fenna.press("skip")  # phone
    await fenna.press("skip")  # website
    await fenna.press("skip")  # cost
    await fenna.press("noen")
    assert "Let op: er staat geen telefoonnummer, e-mail, website of adres bij." in fenna.text
    assert "save" in fenna.keys  # a warning, not a refusal
