"""Coordinators: roles by internal user id, invite codes, /beheer, and carers who try it."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta

from store import audit, coordinators, users
from tests.support import NOW, Chat, dump, make_coordinator, make_engine, rows
from tests.test_cli import mantelbot


async def test_a_coordinator_opens_beheer_and_sees_their_areas(example_db):
    await make_coordinator(example_db, "fatima", ["west"])
    fatima = Chat(make_engine(example_db), user="fatima")
    await fatima.send("/beheer")
    assert "Beheer (Fatima Amrani, Steunpunt Mantelzorg West)" in fatima.text
    assert "Jouw gebieden: West" in fatima.text
    assert "invite" not in fatima.keys  # only admins invite


async def test_a_carer_who_types_coordinator_commands_changes_nothing(chat: Chat, example_db):
    await make_coordinator(example_db, "fatima", ["west"])
    await chat.onboard("1055 AB")
    menu = chat.last[-1].text
    before = await dump(example_db)
    for command in ("/beheer", "/manage", "/coordinator ABCD-EFGH"):
        await chat.send(command)
        assert "Er is niets veranderd" in chat.text
        assert menu in chat.text  # the question they were at, asked again
    # Keys a coordinator's screens offer, pressed by a carer.
    for key in ("invite", "make", "ia:west", "beheer"):
        await chat.press_stale(key)
    assert await dump(example_db) == before


async def test_scope_includes_the_areas_below(example_db):
    city = await make_coordinator(example_db, "city", ["amsterdam"])
    west = await make_coordinator(example_db, "west", ["west"])
    admin = await make_coordinator(example_db, "admin", [], role="admin")
    async with example_db.read() as tx:
        city_c, west_c, admin_c = [await coordinators.get(tx, i) for i in (city, west, admin)]
        assert await coordinators.in_scope(tx, city_c, ["west", "zuidoost"])
        assert await coordinators.in_scope(tx, west_c, ["west"])
        assert not await coordinators.in_scope(tx, west_c, ["west", "oost"])
        assert not await coordinators.in_scope(tx, west_c, ["nl"])
        assert not await coordinators.in_scope(tx, city_c, [])
        assert await coordinators.in_scope(tx, admin_c, ["nl"])
        # Who answers for a carer in West: West's, the city's, and the admins.
        answering = {item.coordinator.user_id for item in await coordinators.for_area(tx, "west")}
        assert answering == {city, west, admin}
        only_admins = await coordinators.for_area(tx, None)
        assert {item.coordinator.user_id for item in only_admins} == {admin}


async def test_an_admin_invites_and_the_code_works_once_within_48_hours(example_db):
    await make_coordinator(example_db, "boss", [], role="admin")
    boss = Chat(make_engine(example_db), user="boss")
    await boss.send("/beheer")
    await boss.press("invite")
    await boss.press("make")
    assert "Kies eerst minstens één gebied" in boss.text
    await boss.press("ia:noord")
    await boss.press("ia:west")
    await boss.press("ia:noord")  # tapped again: off
    await boss.press("make")
    code = boss.text.split("/coordinator ")[1].split()[0]
    assert "woensdag 25 november 2026" in boss.text  # valid until, 48 hours later

    newcomer = Chat(make_engine(example_db), user="newcomer")
    await newcomer.send(f"/coordinator {code.lower()}")
    assert "coördinator voor: West" in newcomer.text
    await newcomer.send("Karim")
    await newcomer.send("Buurtteam West")
    await newcomer.send("/beheer")
    assert "Beheer (Karim, Buurtteam West)" in newcomer.text

    other = Chat(make_engine(example_db), user="other")
    await other.send(f"/coordinator {code}")
    assert "niet (meer) geldig" in other.text
    assert await rows(example_db, "SELECT * FROM users WHERE external_id = 'other'") == []

    async with example_db.transaction() as tx:
        late = await coordinators.create_invite(tx, ["oost"], actor="test", now=NOW)
    later = NOW + timedelta(hours=48, minutes=1)
    late_engine = make_engine(example_db)
    late_engine.clock = lambda: later
    too_late = Chat(late_engine, user="other")
    await too_late.send(f"/coordinator {late}")
    assert "niet (meer) geldig" in too_late.text
    async with example_db.read() as tx:
        assert await users.get(tx, "test", "other") is None


def test_the_command_line_adds_lists_and_removes_with_an_audit_trail(tmp_path):
    assert mantelbot(tmp_path, "db", "load-example").returncode == 0
    added = mantelbot(
        tmp_path,
        "coordinators",
        "add",
        "console:fatima",
        "--areas",
        "west,nieuw-west",
        "--name",
        "Fatima",
        "--org",
        "Steunpunt Mantelzorg West",
    )
    assert added.returncode == 0, added.stderr
    assert mantelbot(tmp_path, "coordinators", "add", "telegram:42", "--admin").returncode == 0
    changed = mantelbot(tmp_path, "coordinators", "add", "console:fatima", "--areas", "oost")
    assert changed.returncode == 0
    # --db before the subcommand counts too (the environment points elsewhere here).
    listed = mantelbot(
        tmp_path,
        "--db",
        str(tmp_path / "cli.sqlite3"),
        "coordinators",
        "list",
        env={"MANTELBOT_DB": str(tmp_path / "elsewhere.sqlite3")},
    ).stdout
    assert "console:fatima" in listed and "oost" in listed and "nieuw-west" not in listed
    assert "telegram:42" in listed and "admin" in listed
    wrong = mantelbot(tmp_path, "coordinators", "add", "console:x", "--areas", "atlantis")
    assert wrong.returncode == 1 and "atlantis" in wrong.stderr
    assert mantelbot(tmp_path, "coordinators", "add", "fatima").returncode == 2
    assert mantelbot(tmp_path, "coordinators", "remove", "console:fatima").returncode == 0
    assert mantelbot(tmp_path, "coordinators", "remove", "console:fatima").returncode == 1
    assert "console:fatima" not in mantelbot(tmp_path, "coordinators", "list").stdout

    with sqlite3.connect(tmp_path / "cli.sqlite3") as conn:
        trail = conn.execute(
            "SELECT actor, action, detail FROM audit_log WHERE entity = 'coordinator' ORDER BY id"
        ).fetchall()
    actions = [action for _, action, _ in trail]
    assert actions == ["create", "create", "update", "delete"]
    assert all(actor.startswith("cli:") for actor, _, _ in trail)
    update = json.loads(trail[2][2])
    assert update["old"]["areas"] == ["nieuw-west", "west"]
    assert update["new"]["areas"] == ["oost"]
    assert update["new"]["name"] == "Fatima"  # kept when not given again


async def test_changes_made_in_the_chat_are_audited(example_db):
    user_id = await make_coordinator(example_db, "fatima", ["west"])
    async with example_db.read() as tx:
        trail = await audit.entries(tx, "coordinator")
    assert trail[0].entity_id == str(user_id)
    assert trail[0].detail["new"]["areas"] == ["west"]
