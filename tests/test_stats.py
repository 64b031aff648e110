"""Anonymous statistics per area: counts from 1 to 4 never shown exactly, 0 as 0;
`mantelbot stats`."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

from flows.bands import STAT_BANDS
from store import stats
from store.db import Database

AREAS = [("ijsselland", "IJsselland", "nl"), ("kampen", "Kampen", "ijsselland")]
AREAS += [("kampen-zuid", "Kampen-Zuid", "kampen"), ("zwolle", "Zwolle", "ijsselland")]


async def make_town(db: Database) -> None:
    """Kampen-Zuid: 6 carers (one check each: 5 high, 1 low); Zwolle: 2 carers."""
    async with db.transaction() as tx:
        for code, name, parent in AREAS:
            await tx.execute(
                "INSERT INTO areas (code, name, parent) VALUES (?, ?, ?)", (code, name, parent)
            )
        for n, area in enumerate(["kampen-zuid"] * 6 + ["zwolle"] * 2):
            await tx.execute(
                "INSERT INTO users (channel, external_id, consent_at, created_at, home_area) "
                "VALUES ('test', ?, '2026-01-01', '2026-01-01', ?)",
                (f"c{n}", area),
            )
        for user_id, score in zip(range(1, 7), (8, 8, 9, 7, 8, 1), strict=True):
            await tx.execute(
                "INSERT INTO burden_results (user_id, score, taken_at) VALUES (?, ?, ?)",
                (user_id, score, "2026-03-01T10:00:00+01:00"),
            )
        # A later check moves carer 6 from low to medium: only the latest check counts.
        await tx.execute(
            "INSERT INTO burden_results (user_id, score, taken_at) VALUES (6, 5, ?)",
            ("2026-06-01T10:00:00+01:00",),
        )
        for _ in range(7):
            await stats.note_asked(tx, "kampen-zuid", "respite", date(2026, 5, 1))
        await stats.note_asked(tx, "kampen-zuid", "course", date(2025, 5, 1))
        for _ in range(5):
            await tx.execute(
                "INSERT INTO unmet_needs (area_code, category, noted_on) "
                "VALUES ('kampen-zuid', 'respite', '2026-05-01')"
            )


def test_counts_from_one_to_four_are_hidden_and_zero_stays_zero():
    assert [stats.shown(n) for n in (0, 1, 4, 5, 12)] == ["0", "<5", "<5", "5", "12"]


async def test_a_report_counts_the_areas_below(db: Database):
    await make_town(db)
    async with db.read() as tx:
        kampen = await stats.report(tx, ["kampen"], STAT_BANDS)
        recent = await stats.report(tx, ["kampen"], STAT_BANDS, date(2026, 1, 1))
        zwolle = await stats.report(tx, ["zwolle"], STAT_BANDS)
    assert kampen.carers == {"kampen-zuid": 6}
    assert kampen.bands == {"low": 0, "medium": 1, "high": 5}
    assert kampen.asked == [("respite", 7), ("course", 1)]
    assert recent.asked == [("respite", 7)]
    assert kampen.unmet == [("kampen-zuid", "respite", 5)]
    assert zwolle.carers == {"zwolle": 2} and zwolle.asked == []


async def test_stats_command_prints_a_table_and_csv(db: Database):
    await make_town(db)

    def stats_cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", "stats", "--db", db.path, *args],
            capture_output=True,
            text=True,
            timeout=60,
        )

    csv_out = stats_cli("--areas", "ijsselland", "--csv")
    lines = csv_out.stdout.splitlines()
    assert csv_out.returncode == 0 and lines[0] == "section,area,what,count"
    assert "carers,kampen-zuid,,6" in lines and "carers,zwolle,,<5" in lines
    assert "burden,,high,5" in lines and "burden,,medium,<5" in lines
    assert "burden,,low,0" in lines  # nobody: 0 singles out no one
    assert "unmet,kampen-zuid,respite,5" in lines
    table = stats_cli("--since", "2026-01-01")
    assert table.returncode == 0
    assert "respite" in table.stdout and "course" not in table.stdout
    unknown = stats_cli("--areas", "atlantis")
    assert unknown.returncode == 1 and "atlantis" in unknown.stderr


async def test_questions_for_an_adviser_open_and_answered(db: Database):
    await make_town(db)
    async with db.transaction() as tx:
        for n, (status, answered) in enumerate(
            [("open", None)] * 5
            + [("claimed", None)]
            + [("claimed", "2026-05-02")] * 2
            + [("closed", "2026-05-03"), ("closed", None)]
        ):
            await tx.execute(
                "INSERT INTO handovers (user_id, area_code, topic, question, language, status, "
                "created_at, due_at, answered_at) VALUES (?, 'kampen-zuid', 'other', 'Vraag?', "
                "'nl', ?, '2026-05-01', '2026-05-05', ?)",
                (n % 6 + 1, status, answered),
            )
        report = await stats.report(tx, ["kampen"], STAT_BANDS)
    assert report.handovers == {"open": 6, "answered": 3}


async def test_coordinators_are_not_counted_as_carers(db: Database):
    await make_town(db)
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO coordinators (user_id, role, name, org, created_at) "
            "VALUES (1, 'coordinator', 'Fenna', 'Steunpunt', '2026-01-01')"
        )
        report = await stats.report(tx, ["kampen"], STAT_BANDS)
    assert report.carers == {"kampen-zuid": 5}  # user 1 lives there but is staff
