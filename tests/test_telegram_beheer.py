"""Coordinators on Telegram, end to end: the real python-telegram-bot stack against the fake Bot
API server, on a real SQLite file, in the made-up municipality of tests/town.py.

A coordinator of Weidebroek uploads a CSV file as a document, sees the preview and applies it; a
carer in Weidebroek-Noord then finds the new resource and a carer in Lindenoord does not. A file
that touches Lindenoord is refused whole. A carer who tries every coordinator command and replays
the coordinator's buttons changes nothing. The audit log holds every change.
"""

from __future__ import annotations

import asyncio
import itertools
import subprocess
import sys
from collections.abc import AsyncIterator

import pytest

from store import audit, resources
from store.db import Database
from tests import town
from tests.fake_bot_api import FakeBotAPI, keys_of
from tests.support import dump, rows
from tests.test_telegram import Carer, has_keyboard, onboard, running

COORDINATOR = 5001
NOORD, LINDENOORD, OTHER = 6001, 6002, 6003
_files = itertools.count(1)

UPLOAD = (
    b"id;name;category;areas;description_nl;first_step_nl;phone\r\n"
    b"wb-maatje-noord;Maatje Noord;buddy;wb-noord;Een vrijwilliger komt bij je langs.;"
    b"Bel het steunpunt.;0599 300 300\r\n"
    b"wb-logeerhuis;Logeerhuis De Wilg;respite;wb-noord;Je naaste logeert een weekend, jij rust "
    b"uit.;Bel en vraag naar een logeerweekend.;0599 100 199\r\n"
    b"wb-cursus;Cursus Zorgen en Werken;course;weidebroek;Vier avonden over werk en zorg.;;\r\n"
)
OUTSIDE = (
    b"id,name,category,areas\n"
    b"wb-maatje-noord,Maatje Noord,buddy,wb-noord\n"
    b"lo-praatgroep,Praatgroep Lindenoord,peer_group,lindenoord\n"
    b"lo-maatje,Maatje Lindenoord,buddy,wb-zuid\n"
)


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    server = await FakeBotAPI().start()
    yield server
    await server.stop()


def send_document(fake: FakeBotAPI, user_id: int, name: str, content: bytes) -> int:
    """The user sends a file (paperclip → File); the bot fetches it with getFile."""
    file_id = f"doc-{next(_files)}"
    fake.add_file(file_id, f"documents/{file_id}-{name}", content)
    document = {
        "file_id": file_id,
        "file_unique_id": f"u-{file_id}",
        "file_name": name,
        "mime_type": "text/csv",
        "file_size": len(content),
    }
    return fake.push("message", fake.user_message(user_id, document=document))


async def upload(person: Carer, name: str, content: bytes) -> list[dict]:
    return await person._turn(
        lambda: send_document(person.fake, person.user_id, name, content), has_keyboard
    )


async def snapshot(db: Database) -> list[str]:
    return await dump(db, clockless=True)


@pytest.fixture
async def weidebroek(db: Database) -> Database:
    await town.build(db)
    await town.add_coordinator(db, str(COORDINATOR), ["weidebroek"], channel="telegram")
    return db


async def open_upload(fenna: Carer) -> None:
    await fenna.send("/beheer")
    await fenna.press("res")
    await fenna.press("upload")


async def buddies_seen(carer: Carer) -> str:
    await carer.send("/menu")
    await carer.press("find")
    await carer.press("door:peers")
    return carer.text


async def test_upload_preview_apply_then_only_carers_in_the_area_see_it(fake, weidebroek):
    fenna = Carer(fake, user_id=COORDINATOR)
    noord, linden = Carer(fake, user_id=NOORD), Carer(fake, user_id=LINDENOORD)
    async with running(fake, weidebroek.path):
        await onboard(noord, "9912 AB")
        await onboard(linden, "9914 AB")
        await open_upload(fenna)
        count = await resources_count(weidebroek)
        await upload(fenna, "hulpbronnen.csv", UPLOAD)
        preview = fenna.text
        assert "1 nieuw, 1 gewijzigd, 1 hetzelfde" in preview
        assert "wb-maatje-noord" in preview and "wb-logeerhuis" in preview
        assert fenna.keys[:2] == ["apply", "cancel"]
        assert await resources_count(weidebroek) == count  # nothing written before "Toepassen"
        assert "Toepassen" in fenna.labels
        await fenna.press("apply")
        assert "Klaar: 1 nieuw, 1 gewijzigd, 1 hetzelfde" in fenna.text

        assert "Maatje Noord" in await buddies_seen(noord)
        assert "Maatje Lindenoord" in await buddies_seen(linden)
        assert "Maatje Noord" not in linden.text

        # "Download" sends the list of her areas as a CSV document.
        await fenna.press("download")
    (document,) = fake.sent(COORDINATOR, "sendDocument")
    name, content = document.files["document"]
    listed = content.decode("utf-8-sig")
    assert name == "hulpbronnen.csv" and listed.startswith("id;name;category")
    assert "wb-maatje-noord" in listed and "streek-steunpunt" in listed
    assert "lo-maatje" not in listed  # Lindenoord only: not hers

    async with weidebroek.read() as tx:
        changed = await audit.entries(tx, "resource", oldest_first=True)
    coordinator_id = (await rows(weidebroek, "SELECT user_id FROM coordinators"))[0][0]
    assert [(e.action, e.entity_id, e.actor) for e in changed] == [
        ("create", "wb-maatje-noord", f"user:{coordinator_id}"),
        ("update", "wb-logeerhuis", f"user:{coordinator_id}"),
    ]
    assert changed[1].detail == {"phone": ["0599 100 100", "0599 100 199"]}
    assert changed[0].detail["name"] == [None, "Maatje Noord"]
    # `mantelbot audit` prints both changes, old → new.
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot", "audit", "--db", weidebroek.path],
        capture_output=True,
        text=True,
        timeout=60,
    )
    printed = done.stdout
    assert "update resource wb-logeerhuis: phone: 0599 100 100 → 0599 100 199" in printed
    assert "create resource wb-maatje-noord: " in printed


async def resources_count(db: Database) -> int:
    return (await rows(db, "SELECT count(*) FROM resources"))[0][0]


async def test_a_file_that_touches_another_area_is_refused_whole(fake, weidebroek):
    fenna = Carer(fake, user_id=COORDINATOR)
    async with running(fake, weidebroek.path):
        await open_upload(fenna)
        before = await snapshot(weidebroek)
        await upload(fenna, "lijst.csv", OUTSIDE)
    text = fenna.text
    assert "Ik kan het bestand niet gebruiken. Er is niets veranderd." in text
    assert "rij 3: areas: gebied 'lindenoord' is niet een van jouw gebieden" in text
    assert "rij 4: id: 'lo-maatje'" in text  # it serves Lindenoord now: moving it is not hers
    assert "apply" not in fenna.keys
    async with weidebroek.read() as tx:
        assert await resources.get(tx, "wb-maatje-noord") is None  # the good row is not kept
        assert await resources.get(tx, "lo-praatgroep") is None
    after = await snapshot(weidebroek)
    assert [line for line in after if not line.startswith("conversation_state")] == [
        line for line in before if not line.startswith("conversation_state")
    ]


async def test_a_bad_row_is_reported_by_number_and_nothing_changes(fake, weidebroek):
    fenna = Carer(fake, user_id=COORDINATOR)
    bad = UPLOAD + b"wb-fout;Zonder soort;gezelligheid;wb-zuid;;;\r\n"
    count = await resources_count(weidebroek)
    async with running(fake, weidebroek.path):
        await open_upload(fenna)
        await upload(fenna, "lijst.csv", bad)
    assert "rij 5: category: onbekende categorie 'gezelligheid'" in fenna.text
    assert "apply" not in fenna.keys
    assert await resources_count(weidebroek) == count


async def test_a_carer_with_every_coordinator_command_and_button_changes_nothing(fake, weidebroek):
    fenna = Carer(fake, user_id=COORDINATOR)
    carer = Carer(fake, user_id=OTHER)
    async with running(fake, weidebroek.path):
        # The coordinator walks through her screens; every button she is offered is collected.
        await fenna.send("/beheer")
        await fenna.press("res")
        await fenna.send("wilg")
        await fenna.press("ro:0")
        await fenna.press("edit")
        await fenna.press("ef:phone")
        await fenna.send("/beheer")
        await fenna.press("stats")
        await fenna.send("/beheer")
        await fenna.press("changes")
        await fenna.send("/beheer")
        await fenna.press("res")
        await fenna.press("upload")
        await upload(fenna, "hulpbronnen.csv", UPLOAD)
        await fenna.send("/beheer")  # a news message, up to its preview (not sent)
        await fenna.press("news")
        await fenna.press("new")
        await fenna.press("ba:wb-noord")
        await fenna.press("next")
        await fenna.press("cat:course")
        # The preview is two messages: the carer's message, then the question.
        await fenna.send("Nieuw: een cursus in Noord.", until=lambda sent: len(sent) >= 2)
        seen = [
            key
            for call in fake.sent(COORDINATOR)
            if call.method in ("sendMessage", "sendDocument")
            for key in keys_of(call.result)
        ]
        assert {"ok", "archive", "edit", "apply", "ef:phone", "ro:0"} <= set(seen)
        assert {"news", "ba:*", "ba:wb-noord", "next", "cat:*", "areas", "cancel"} <= set(seen)

        await onboard(carer, "9912 AB")
        before = await snapshot(weidebroek)
        for command in ("/beheer", "/manage", "/coordinator ABCD-EFGH"):
            await carer.send(command)
            assert "Er is niets veranderd" in carer.text
        await carer.send("/coordinator")
        assert "Stuur /coordinator met daarachter de code" in carer.text
        # The buttons of the weekly digest too (they work from any step, for coordinators).
        seen += ["fr:ok:wb-logeerhuis", "fr:ed:wb-logeerhuis", "fr:ar:wb-logeerhuis"]
        seen += ["send:1", "send:0"]  # "Send to N carers" (nobody was in Noord at the preview)
        # The preview shows the carers' own button to stop news: a carer may press that one.
        seen.remove("news.off")
        for key in dict.fromkeys(seen):  # replayed callback data, each once
            own = carer.menu()
            await carer._turn(lambda k=key, m=own: fake.press(OTHER, m, k), has_keyboard)
            assert "Logeerhuis" not in carer.text and "Toepassen" not in carer.labels
        await upload(carer, "hulpbronnen.csv", UPLOAD)  # a file: only text and buttons
        assert "Ik kan alleen tekst en knoppen lezen" in carer.text
        after = await snapshot(weidebroek)
    assert after == before
