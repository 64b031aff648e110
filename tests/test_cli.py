"""The command line as coordinators and newcomers use it: real processes on a real file."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import env_without_our_settings, start_mantelbot

EXAMPLE = Path(__file__).resolve().parent.parent / "data" / "example"


def clean_env(tmp_path: Path) -> dict[str, str]:
    """This machine's environment without our own settings, and a database in `tmp_path`."""
    return env_without_our_settings(MANTELBOT_DB=str(tmp_path / "cli.sqlite3"))


def mantelbot(
    tmp_path: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=clean_env(tmp_path) | (env or {}),
        timeout=60,
    )


def test_piped_chat_lists_west_resources_local_before_national(tmp_path):
    lines = ["/start", "1", "1055 AB", "Overslaan", "Ik zoek hulp", "Een cursus", "Meer"]
    done = mantelbot(tmp_path, "chat", stdin="\n".join(lines) + "\n")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "voorbeelddata" in done.stderr  # the demo says it loaded example data
    assert "Ik ben Mantelbot" in out
    courses = out[out.index("Cursussen en trainingen:") :]
    assert "Waar: West" in courses and "Waar: Heel Nederland" in courses
    assert courses.index("Waar: West") < courses.index("Waar: Heel Nederland")
    assert "Zuidoost" not in courses
    # "Meer" is still offered; dated courses may put "Herinner me" buttons before it.
    assert re.search(r"\[\d+\] Meer", courses)


def test_chat_on_a_fresh_database_shows_the_welcome_without_input(tmp_path):
    done = mantelbot(tmp_path)  # the README's start command, no token set
    assert done.returncode == 0, done.stderr
    assert "Ik ben Mantelbot" in done.stdout
    assert "[1] Ja, dat is goed" in done.stdout


async def test_killed_chat_continues_at_the_same_step(tmp_path):
    db = str(tmp_path / "cli.sqlite3")  # the file `mantelbot()` below opens again
    proc = await start_mantelbot(tmp_path, "chat", "--user", "anna", env={"MANTELBOT_DB": db})
    proc.stdin.write(b"1\n1055 AB\nOverslaan\nIk zoek hulp\n")
    await proc.stdin.drain()
    seen = b""
    while b"Wat voor hulp zoek je?" not in seen:
        line = await asyncio.wait_for(proc.stdout.readline(), 30)
        assert line, seen.decode()
        seen += line
    proc.kill()
    await proc.wait()

    again = mantelbot(tmp_path, "chat", "--user", "anna", stdin="1\n")
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("Wat voor hulp zoek je?")
    assert "Even vrij (respijtzorg): " in again.stdout  # "1" picked respite at once
    other = mantelbot(tmp_path, "chat", "--user", "bob")
    assert "Ik ben Mantelbot" in other.stdout  # another user starts fresh


def test_my_data_file_from_the_terminal_chat_is_readable_by_its_owner_only(tmp_path):
    # The file holds a carer's districts and burden scores: others on the machine may not read it.
    old = os.umask(0o022)
    try:
        done = mantelbot(tmp_path, "chat", stdin="1\n1055 AB\n1\n/mijngegevens\n")
    finally:
        os.umask(old)
    assert done.returncode == 0, done.stderr
    saved = tmp_path / "mantelbot-gegevens.json"
    assert "[mantelbot-gegevens.json" in done.stdout and '"home_area": "west"' in saved.read_text()
    assert saved.stat().st_mode & 0o777 == 0o600


def test_run_without_token_names_the_variable_and_points_to_chat(tmp_path):
    done = mantelbot(tmp_path, "run")
    assert done.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in done.stderr and "mantelbot chat" in done.stderr
    assert done.stderr.count("\n") == 1


@pytest.fixture
def loaded(tmp_path: Path) -> Path:
    done = mantelbot(tmp_path, "db", "load-example")
    assert done.returncode == 0, done.stderr
    return tmp_path


BAD_ROWS = {
    "unknown category": ("category", "holiday", "onbekende categorie 'holiday'"),
    "bad area code": ("areas", "west;atlantis", "onbekende gebiedscode 'atlantis'"),
    "missing name": ("name", "", "name: is leeg"),
}


@pytest.mark.parametrize("case", BAD_ROWS)
def test_an_import_with_one_bad_row_changes_nothing(loaded: Path, case: str):
    column, value, reason = BAD_ROWS[case]
    before = mantelbot(loaded, "resources", "export").stdout
    lines = (EXAMPLE / "resources.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    rows = [
        "vb-nieuw-1,Nieuw een (voorbeeld),course,,west",
        "vb-nieuw-2,Nieuw twee (voorbeeld),course,,west",
        "vb-nieuw-3,Nieuw drie (voorbeeld),course,,west",
    ]
    cells = rows[1].split(",")
    cells[["id", "name", "category", "functions", "areas"].index(column)] = value
    rows[1] = ",".join(cells)
    (loaded / "bad.csv").write_text(
        "id,name,category,functions,areas\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )
    done = mantelbot(loaded, "resources", "import", "bad.csv")
    assert done.returncode == 1
    assert "rij 3" in done.stderr and reason in done.stderr, done.stderr
    assert "niets veranderd" in done.stderr
    assert mantelbot(loaded, "resources", "export").stdout == before
    assert len(header) == 24


def test_export_import_export_gives_the_same_file(loaded: Path):
    first = loaded / "first.csv"
    assert mantelbot(loaded, "resources", "export", "first.csv").returncode == 0
    data = first.read_bytes()
    assert data.startswith("\ufeff".encode()) and b";" in data.splitlines()[0]
    done = mantelbot(loaded, "resources", "import", "first.csv")
    assert done.returncode == 0, done.stderr
    assert "0 nieuw, 0 gewijzigd" in done.stdout
    assert mantelbot(loaded, "resources", "export", "second.csv").returncode == 0
    assert (loaded / "second.csv").read_bytes() == data


def test_import_accepts_comma_or_semicolon_and_updates_by_id(loaded: Path):
    (loaded / "semi.csv").write_text(
        "\ufeffid;name;category;areas;description_nl\n"
        "vb-respijthuis-west;Respijthuis De Wilg;respite;west;Nieuwe tekst; met puntkomma\n",
        encoding="utf-8",
    )
    done = mantelbot(loaded, "resources", "import", "semi.csv")
    assert done.returncode == 1  # the unquoted ';' in the text makes an extra cell
    assert "rij 2" in done.stderr and "meer cellen dan kolommen" in done.stderr
    (loaded / "semi.csv").write_text(
        "\ufeffid;name;category;areas;description_nl\n"
        'vb-respijthuis-west;Respijthuis De Wilg (voorbeeld);respite;west;"Nieuwe tekst; ok"\n',
        encoding="utf-8",
    )
    done = mantelbot(loaded, "resources", "import", "semi.csv")
    assert done.returncode == 0, done.stderr
    assert "0 nieuw, 1 gewijzigd" in done.stdout
    listed = mantelbot(loaded, "resources", "export").stdout
    row = next(line for line in listed.splitlines() if line.startswith("vb-respijthuis-west"))
    assert "Nieuwe tekst; ok" in row and "020 000 00 01" in row  # other columns kept


def test_non_utf8_and_unknown_columns_are_refused_precisely(loaded: Path):
    (loaded / "latin1.csv").write_bytes(
        "id,name,category,areas\nx,Zoë,course,west\n".encode("latin-1")
    )
    done = mantelbot(loaded, "resources", "import", "latin1.csv")
    assert done.returncode == 1 and "UTF-8" in done.stderr
    (loaded / "cols.csv").write_text("id,name,category,areas,colour\n", encoding="utf-8")
    done = mantelbot(loaded, "resources", "import", "cols.csv")
    assert done.returncode == 1 and "colour: onbekende kolom" in done.stderr
    done = mantelbot(loaded, "resources", "import", "missing.csv")
    assert done.returncode == 1 and "missing.csv" in done.stderr


def test_areas_import_refuses_loops_and_lists_the_tree(loaded: Path):
    (loaded / "areas.csv").write_text(
        "code,name,parent,postcodes\nbuurt-a,Buurt A,buurt-b,\nbuurt-b,Buurt B,buurt-a,\n",
        encoding="utf-8",
    )
    done = mantelbot(loaded, "areas", "import", "areas.csv")
    assert done.returncode == 1 and "kring" in done.stderr
    listed = mantelbot(loaded, "areas", "list").stdout
    assert "buurt-a" not in listed
    assert "  west" in listed and "1051-1058" in listed


def test_backup_and_check(loaded: Path):
    done = mantelbot(loaded, "db", "backup", "backups/copy.sqlite3")
    assert done.returncode == 0, done.stderr
    assert (loaded / "backups" / "copy.sqlite3").stat().st_size > 0
    check = mantelbot(loaded, "db", "check", env={"MANTELBOT_DB": "backups/copy.sqlite3"})
    assert check.returncode == 0 and "in orde" in check.stdout


ZWOLLE_AREAS = """code,name,parent,postcodes
zwolle,Zwolle,nl,8000-8049
zwolle-centrum,Zwolle Centrum,zwolle,8011
zwolle-zuid,Zwolle Zuid,zwolle,8017-8019
kampen,Kampen,nl,8260-8267
"""
ZWOLLE_RESOURCES = """id,name,category,areas,phone,url
zw-respijt,Logeerhuis De IJssel,respite,zwolle-zuid,038 000 00 01,https://example.org/ijssel
zw-cursus,Cursus Omgaan met dementie,course,zwolle,,
"""


def with_db(position: str, db: str, *command: str) -> list[str]:
    """`--db` before the command, after it, or between the command and its action."""
    if position == "before":
        return ["--db", db, *command]
    if position == "after":
        return [*command, "--db", db]
    return [command[0], "--db", db, *command[1:]]


@pytest.mark.parametrize("position", ["before", "between", "after"])
def test_db_option_wins_over_the_environment_in_every_position(tmp_path: Path, position: str):
    (tmp_path / "areas.csv").write_text(ZWOLLE_AREAS, encoding="utf-8")
    (tmp_path / "resources.csv").write_text(ZWOLLE_RESOURCES, encoding="utf-8")
    env = {"MANTELBOT_DB": str(tmp_path / "env.sqlite3")}

    def run(*command: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        done = mantelbot(
            tmp_path, *with_db(position, "chosen.sqlite3", *command), stdin=stdin, env=env
        )
        assert not (tmp_path / "env.sqlite3").exists(), (command, done.stderr)
        return done

    assert "4 nieuw" in run("areas", "import", "areas.csv").stdout
    assert "zwolle-zuid" in run("areas", "list").stdout
    assert "zwolle-zuid;Zwolle Zuid;zwolle;8017-8019" in run("areas", "export").stdout
    assert run("areas", "export", "areas-out.csv").returncode == 0
    assert "zwolle-zuid" in (tmp_path / "areas-out.csv").read_text(encoding="utf-8-sig")
    assert "2 nieuw" in run("resources", "import", "resources.csv").stdout
    assert "zw-respijt" in run("resources", "list").stdout
    assert "zw-cursus;Cursus Omgaan" in run("resources", "export").stdout
    assert run("resources", "export", "out.csv").returncode == 0
    assert "zw-cursus" in (tmp_path / "out.csv").read_text(encoding="utf-8-sig")
    assert run("db", "backup", "copy.sqlite3").returncode == 0
    assert mantelbot(tmp_path, "--db", "copy.sqlite3", "resources", "list").stdout.count("zw-") == 2
    assert "in orde" in run("db", "check").stdout
    refused = run("db", "load-example")  # chosen.sqlite3 has Zwolle: the example is refused
    assert refused.returncode == 1 and "chosen.sqlite3" in refused.stderr
    chat = run("chat", stdin="/start\n")
    assert chat.returncode == 0 and "voorbeelddata" not in chat.stderr  # not the empty env db
    no_token = run("run")
    assert no_token.returncode == 2 and "TELEGRAM_BOT_TOKEN" in no_token.stderr


@pytest.fixture
def zwolle(tmp_path: Path) -> Path:
    """A made-up municipality, loaded as a coordinator would: through the CLI."""
    (tmp_path / "areas.csv").write_text(ZWOLLE_AREAS, encoding="utf-8")
    (tmp_path / "resources.csv").write_text(ZWOLLE_RESOURCES, encoding="utf-8")
    assert mantelbot(tmp_path, "areas", "import", "areas.csv").returncode == 0
    assert mantelbot(tmp_path, "resources", "import", "resources.csv").returncode == 0
    return tmp_path


def test_a_long_report_shows_the_first_50_problems_and_how_many_more(zwolle: Path):
    rows = [f"zw-fout-{i},Fout {i},holiday,zwolle" for i in range(60)]
    (zwolle / "bad.csv").write_text("id,name,category,areas\n" + "\n".join(rows) + "\n")
    done = mantelbot(zwolle, "resources", "import", "bad.csv")
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert sum(1 for line in lines if line.startswith("  rij ")) == 50
    assert lines[1].startswith("  rij 2:") and "  rij 51:" in done.stderr
    assert lines[-1] == "  en nog 10"


def test_every_bad_postcode_is_reported_in_dutch_and_siblings_cannot_share(zwolle: Path):
    (zwolle / "bad-areas.csv").write_text(
        "code,name,parent,postcodes\n"
        "zwolle-noord,Zwolle Noord,zwolle,8021;80AB;8030-8025;812\n"  # three bad parts
        "zwolle-west,Zwolle West,zwolle,8016-8018\n"  # 8017-8018 are Zwolle Zuid's
        "ijsselmuiden,IJsselmuiden,kampen,8271\n",  # fine: a district of Kampen
        encoding="utf-8",
    )
    done = mantelbot(zwolle, "areas", "import", "bad-areas.csv")
    assert done.returncode == 1
    for part in ("80AB", "8030-8025", "812"):
        assert f"rij 2: postcodes: '{part}' is geen postcode" in done.stderr, done.stderr
    assert (
        "rij 3: postcodes: postcodes 8017-8018 staan in 'zwolle-west' en ook in 'zwolle-zuid'"
        in done.stderr
    )
    assert "ijsselmuiden" not in mantelbot(zwolle, "areas", "list").stdout  # nothing changed

    (zwolle / "good-areas.csv").write_text(
        "code,name,parent,postcodes\nzwolle-west,Zwolle West,zwolle,8016\n", encoding="utf-8"
    )  # Zwolle itself lists 8016 too: a parent and its child may share
    assert "1 nieuw" in mantelbot(zwolle, "areas", "import", "good-areas.csv").stdout


def test_http_short_rows_and_rows_without_areas_are_refused(zwolle: Path):
    (zwolle / "bad.csv").write_text(
        "id,name,category,areas,url\n"
        "zw-http,Onveilig,advice,zwolle,http://example.org\n"
        "zw-kort,Te kort,advice\n"
        "zw-leeg,Geen gebied,advice, ; ,\n"
        "zw-goed,Goed,advice,zwolle,https://example.org\n",
        encoding="utf-8",
    )
    done = mantelbot(zwolle, "resources", "import", "bad.csv")
    assert done.returncode == 1
    assert "rij 2: url: moet beginnen met https://" in done.stderr, done.stderr
    assert "rij 3: minder cellen dan kolommen" in done.stderr
    assert "rij 4: areas: is leeg; gebruik nl voor landelijk" in done.stderr
    assert "zw-goed" not in mantelbot(zwolle, "resources", "list").stdout


def test_load_example_refuses_a_database_with_data_unless_forced(zwolle: Path):
    refused = mantelbot(zwolle, "db", "load-example")
    assert refused.returncode == 1 and "--force" in refused.stderr
    assert "vb-" not in mantelbot(zwolle, "resources", "list").stdout
    forced = mantelbot(zwolle, "db", "load-example", "--force")
    assert forced.returncode == 0, forced.stderr
    listed = mantelbot(zwolle, "resources", "list").stdout
    assert "vb-respijthuis-west" in listed and "zw-respijt" in listed


def test_areas_export_imports_again_unchanged(zwolle: Path):
    assert mantelbot(zwolle, "areas", "export", "first.csv").returncode == 0
    other = {"MANTELBOT_DB": str(zwolle / "other.sqlite3")}
    done = mantelbot(zwolle, "areas", "import", "first.csv", env=other)
    assert "4 nieuw" in done.stdout, done.stderr
    again = mantelbot(zwolle, "areas", "import", "first.csv")
    assert "0 nieuw, 0 gewijzigd, 4 ongewijzigd" in again.stdout
    assert mantelbot(zwolle, "areas", "export", "second.csv", env=other).returncode == 0
    assert (zwolle / "second.csv").read_bytes() == (zwolle / "first.csv").read_bytes()


def test_resources_list_shows_checks_events_that_are_over_and_no_contact(zwolle: Path):
    (zwolle / "more.csv").write_text(
        "id,name,category,areas,phone,ends_at,starts_at,last_verified,cost,cost_en\n"
        "zw-oud,Cursus van vorig jaar,course,zwolle,038 1,2025-03-01T21:00:00+01:00,"
        "2025-03-01T19:00:00+01:00,2025-01-10,gratis,free\n"
        "zw-stil,Zonder contact,advice,zwolle,,,,2026-11-01,,\n",
        encoding="utf-8",
    )
    assert mantelbot(zwolle, "resources", "import", "more.csv").returncode == 0
    listed = mantelbot(zwolle, "resources", "list").stdout.splitlines()
    old = next(line for line in listed if line.startswith("zw-oud"))
    quiet = next(line for line in listed if line.startswith("zw-stil"))
    assert "2025-01-10" in old and old.endswith("(afgelopen)")
    assert "2026-11-01" in quiet and quiet.endswith("(geen contact)")
    respite = next(line for line in listed if line.startswith("zw-respijt"))
    assert respite.endswith("Logeerhuis De IJssel")  # a phone and a website: no marks
    exported = mantelbot(zwolle, "resources", "export").stdout
    header = exported.splitlines()[0].lstrip("\ufeff").split(";")
    row = next(line for line in exported.splitlines() if line.startswith("zw-oud")).split(";")
    assert row[header.index("cost")] == "gratis" and row[header.index("cost_en")] == "free"
