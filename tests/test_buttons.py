"""Buttons stay short (at most 30 characters, in both languages): every registered step's question
is asked in several states, and every label the code passes to a button is checked in both
catalogues."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot.i18n import translators
from flows import find_help
from flows.burden_check import RESULT_STEP
from flows.engine import MAIN_MENU, STEPS, Context, Session, _as_list
from store.db import Database
from tests.support import NOW, TZ

MAX_LABEL = 30
LANGUAGES = ("nl", "en")
FLOWS_DIR = Path(__file__).resolve().parent.parent / "flows"
# Step data that makes a step show its other screens: a door's results, each burden band, a
# chosen topic, the district list of a city, a page's last screen, ...
DATA_VARIANTS: list[dict] = [
    {},
    {"door": "peers", "page": 0},
    {"door": "emotional_support", "page": 0},
    {"score": 9, "saved": True},
    {"score": 4},
    {"score": 0},
    {"topic": "respite", "question": "Hoe regel ik logeeropvang?"},
    {"parent": "amsterdam"},
    {"for": "care"},
    {"screen": 99},
]


async def asked_labels(db: Database) -> dict[str, set[tuple[str, str]]]:
    """Every button label each step shows, per language: {label: {(lang, step), ...}}."""
    seen: dict[str, set[tuple[str, str]]] = {}
    tr = translators(TZ)
    for lang in LANGUAGES:
        for name, step in sorted(STEPS.items()):
            for data in DATA_VARIANTS:
                async with db.transaction() as tx:
                    ctx = Context(
                        tx=tx,
                        t=tr(lang),
                        translators=tr,
                        now=NOW,
                        channel="test",
                        external_id="buttons",
                        user=None,
                        session=Session(),
                        data=dict(data),
                        step=name,
                    )
                    try:
                        replies = _as_list(await step.ask(ctx))
                    except Exception:  # a state this step never gets: not a screen a user sees
                        continue
                for reply in replies:
                    for choice in reply.choices:
                        seen.setdefault(choice.label, set()).add((lang, name))
    return seen


async def test_every_button_a_step_shows_is_at_most_30_characters(example_db):
    seen = await asked_labels(example_db)
    assert len(seen) > 100  # the walk reached the steps' buttons in both languages
    assert "Ik wil even vrij" in seen and "Meet other carers" in seen
    too_long = {label: sorted(where) for label, where in seen.items() if len(label) > MAX_LABEL}
    assert too_long == {}


def _button_msgids() -> set[str]:
    """String literals the code puts on buttons: `Choice(key, _("…"))`, menu entries, doors and
    the N_() labels of LINKS-like tables (key, label) pairs."""
    found: set[str] = set()

    def literal(node: ast.AST) -> str | None:
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("_", "N_", "gettext") and isinstance(node.args[0].value, str):
                return node.args[0].value
        return None

    for path in FLOWS_DIR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in ("Choice", "menu_entry") and len(node.args) >= 2:
                    text = literal(node.args[1])
                    if text:
                        found.add(text)
                if name == "Door" and node.args:
                    text = literal(node.args[0])
                    if text:
                        found.add(text)
            if isinstance(node, ast.Tuple) and len(node.elts) == 2:
                key, label = node.elts
                text = literal(label)
                is_key = isinstance(key, ast.Constant) and isinstance(key.value, str)
                if text and is_key and key.value.replace(":", "").replace("_", "").isalnum():
                    found.add(text)
    return found


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_button_label_in_the_catalogue_is_at_most_30_characters(lang):
    msgids = _button_msgids()
    assert "Main menu" in msgids and "Meet other carers" in msgids
    t = translators(TZ)(lang)
    labels = {msgid: t.gettext(msgid) for msgid in msgids}
    labels |= {entry.label: t.gettext(entry.label) for entry in MAIN_MENU}
    labels |= {d.label: t.gettext(d.label) for d in find_help.DOORS.values()}
    too_long = {m: text for m, text in labels.items() if len(text) > MAX_LABEL}
    assert too_long == {}


def test_the_burden_result_step_is_walked_with_every_band():
    assert RESULT_STEP in STEPS
    assert {d["score"] for d in DATA_VARIANTS if "score" in d} >= {0, 4, 9}
