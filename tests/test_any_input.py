"""Any input in any state gets a useful answer: random text, stale buttons and commands."""

from __future__ import annotations

import asyncio
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import example_data
from flows import Incoming
from flows.engine import COMMANDS, GLOBAL_CHOICES, MAX_KEY_BYTES, STEPS
from store.db import Database
from tests.support import make_engine

EXAMPLES = int(os.environ.get("MANTELBOT_PROPERTY_EXAMPLES", "500"))
FAILURE_TEXTS = (
    "Sorry, something went wrong on our side. Please try again.",
    "Sorry, er ging bij ons iets mis. Probeer het nog een keer.",
)
KNOWN_KEYS = ["yes", "no", "lang:en", "lang:nl", "skip", "find", "cat:respite", "more", "cats"]

texts = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        ["1055 AB", "1102ab", "9999", "ja", "nee", "terug", "meer", "ik kan niet meer"]
    ),
)
actions = st.one_of(
    st.tuples(st.just("text"), texts),
    st.tuples(st.just("command"), st.sampled_from(sorted(COMMANDS) + ["/onbekend", "/"])),
    st.tuples(st.just("offered"), st.integers(min_value=0, max_value=20)),
    st.tuples(
        st.just("key"),
        st.one_of(
            st.sampled_from(KNOWN_KEYS + sorted(GLOBAL_CHOICES)), st.text(min_size=1, max_size=80)
        ),
    ),
    st.tuples(st.just("unsupported"), st.sampled_from(["photo", "sticker", "voice", "location"])),
    # Any state: a consented user put at any step, with no step data (as after an upgrade).
    st.tuples(st.just("jump"), st.sampled_from(sorted(STEPS))),
)


@pytest.fixture(scope="module")
def loop_and_db(tmp_path_factory):
    """One event loop and one example database for all examples (a fresh one each is slow)."""
    loop = asyncio.new_event_loop()
    path = tmp_path_factory.mktemp("property") / "property.sqlite3"
    db = loop.run_until_complete(Database.open(path))
    loop.run_until_complete(example_data.load(db, lambda s: s))
    yield loop, db
    loop.run_until_complete(db.close())
    loop.close()


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    script=st.lists(actions, min_size=1, max_size=12),
    lang=st.sampled_from(["nl", "en", None, "de"]),
    user=st.sampled_from(["a", "b", "c"]),
)
def test_every_message_gets_a_reply_within_telegrams_limits(loop_and_db, script, lang, user):
    loop, db = loop_and_db
    engine = make_engine(db)

    async def run() -> None:
        offered: list[str] = []
        for kind, value in script:
            if kind in ("text", "command"):
                msg = Incoming("prop", user, text=value, language_hint=lang)
            elif kind == "offered":
                if not offered:
                    continue
                msg = Incoming(
                    "prop", user, choice=offered[value % len(offered)], language_hint=lang
                )
            elif kind == "jump":
                await engine.handle(Incoming("prop", user, text="/start"))
                await engine.handle(Incoming("prop", user, choice="yes"))
                async with db.transaction() as tx:
                    await tx.execute(
                        "UPDATE conversation_state SET step = ?, data = '{}', offered = '[]', "
                        "history = '[]' WHERE user_id IN "
                        "(SELECT id FROM users WHERE channel = 'prop' AND external_id = ?)",
                        (value, user),
                    )
                msg = Incoming("prop", user, choice="resume", language_hint=lang)
            elif kind == "key":
                msg = Incoming("prop", user, choice=value, language_hint=lang)
            else:
                msg = Incoming("prop", user, unsupported=value, language_hint=lang)
            replies = await engine.handle(msg)
            assert replies, f"no reply to {kind}"
            for reply in replies:
                assert 0 < len(reply.text) <= 4096
                assert reply.text not in FAILURE_TEXTS, f"a step failed on {kind} {value!r}"
                for choice in reply.choices:
                    assert len(choice.key.encode()) <= MAX_KEY_BYTES
                    assert choice.label
            offered = [c.key for r in replies for c in r.choices]

    loop.run_until_complete(run())
