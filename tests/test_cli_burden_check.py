"""The whole carer journey through the real `mantelbot chat` process on a fresh database: where
the carer and their mother live, the burden check (with a crisis message in the middle), then
respite near the mother and a course and peer group near the carer."""

from __future__ import annotations

import sqlite3

from tests.test_cli import mantelbot

JOURNEY = [
    "/start",
    "Ja, dat is goed",
    "1055 AB",  # the carer: West
    "1102 AB",  # the mother: Zuidoost
    "Hoe gaat het met jou?",
    "Beginnen",
    "Ja!",
    "Ja!",
    "ik kan niet meer",  # in the middle of the questions
    "Terug naar waar ik was",
    *["Ja!"] * 7,
    "Ik wil even vrij",
    "Meer",
    "Hoofdmenu",
    "Ik zoek hulp",
    "Een cursus",
    "Ander soort hulp",
    "Andere mantelzorgers ontmoeten",
]


def test_high_burden_routes_to_respite_near_the_mother_and_a_course_near_the_carer(tmp_path):
    done = mantelbot(tmp_path, "chat", stdin="\n".join(JOURNEY) + "\n")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Je naaste woont in Zuidoost." in out
    # The crisis message got the helplines at once, then the same question again.
    crisis = out.index("Nu direct gevaar? Bel 112.")
    assert "Vraag 3 van 9" in out[:crisis]
    assert out[crisis:].index("Vraag 3 van 9") < out[crisis:].index("Vraag 4 van 9")
    assert "Je score is 9 van de 9. Dat is hoog." in out
    assert "geen diagnose" in out

    respite = out[out.index("Even vrij (respijtzorg): ") : out.index("Wat wil je doen?", crisis)]
    zuidoost = respite.index("Waar: Zuidoost (waar je naaste woont)")
    west = respite.index("Waar: West (waar jij woont)")
    assert zuidoost < west
    assert "Respijt aan huis Zuidoost (voorbeeld)" in respite[:west]

    courses = out[out.index("Cursussen en trainingen: ") :]
    first_card = courses[: courses.index("\n\n", courses.index("Waar: "))]
    assert "Waar: West (waar jij woont)" in first_card
    peers = out[out.index("Andere mantelzorgers en maatjes: ") :]
    assert "Groep voor jonge mantelzorgers (voorbeeld)" in peers
    assert peers.index("Waar: West (waar jij woont)") < peers.index("Waar: Heel Nederland")

    db = sqlite3.connect(tmp_path / "cli.sqlite3")
    try:
        assert db.execute("SELECT home_area, care_area FROM users").fetchall() == [
            ("west", "zuidoost")
        ]
        assert [r[0] for r in db.execute("SELECT score FROM burden_results")] == [9]
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            rows = str(db.execute(f'SELECT * FROM "{table}"').fetchall()).casefold()
            assert "kan niet meer" not in rows, table
        about_the_user = str(db.execute("SELECT * FROM users").fetchall())
        about_the_user += str(db.execute("SELECT * FROM conversation_state").fetchall())
        assert "1055" not in about_the_user and "1102" not in about_the_user
    finally:
        db.close()
