"""Conversation steps commit with synchronous=NORMAL (fast); giving consent, withdrawing it and
erasing commit with FULL, so they survive a power cut the moment the carer is told."""

from __future__ import annotations

from tests.support import Chat


def transactions(statements: list[str]) -> list[tuple[bool, str]]:
    """(synced with FULL, the statements) for every transaction in the trace, in order."""
    found, full, current = [], False, None
    for sql in statements:
        if sql.startswith("PRAGMA synchronous"):
            full = sql.endswith("FULL")
        elif sql == "BEGIN IMMEDIATE":
            current = []
        elif sql in ("COMMIT", "ROLLBACK") and current is not None:
            found.append((full, "\n".join(current)))
            current = None
        elif current is not None:
            current.append(sql)
    return found


async def test_consent_and_erasure_are_durable_and_ordinary_steps_are_not(chat: Chat, example_db):
    statements: list[str] = []
    await example_db._conn.set_trace_callback(statements.append)
    await chat.onboard("1055 AB")
    await chat.press("find")
    await chat.send("/vergeetmij")
    await chat.press("yes")
    await example_db._conn.set_trace_callback(None)

    done = transactions(statements)
    consent = [full for full, sql in done if "INSERT INTO users" in sql]
    erasure = [full for full, sql in done if "DELETE FROM users" in sql]
    postcode = [
        full
        for full, sql in done
        if "UPDATE users SET home_area" in sql and "INSERT INTO users" not in sql
    ]
    assert consent == [True] and erasure == [True]
    assert postcode and not any(postcode)
    assert sum(full for full, _ in done) < len(done) / 2  # most steps are not synced
