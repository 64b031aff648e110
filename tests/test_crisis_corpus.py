"""The crisis detector against the corpus of how carers write (tests/data/crisis_corpus.tsv).

Recall: crisis and abuse messages that get their own screen (the exact label). False alarms:
everyday carer sentences that open a crisis or abuse screen. Both are printed at the end of the
test run (tests/conftest.py), also in CI.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.safety_detect import Signal, detect
from tests.support import CORPUS_FIGURES

CORPUS = Path(__file__).parent / "data" / "crisis_corpus.tsv"
MIN_RECALL = 0.95
MAX_FALSE_ALARMS = 0.05


def load_corpus() -> list[tuple[str, str, Signal]]:
    lines = [line for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [line.split("\t") for line in lines if not line.startswith("#")]
    assert rows[0][:3] == ["text", "language", "expected"]
    return [(text, lang, Signal(expected)) for text, lang, expected, *_ in rows[1:]]


def test_the_corpus_is_big_enough_in_both_languages():
    corpus = load_corpus()
    alarms = [row for row in corpus if row[2] is not Signal.NONE]
    assert len(alarms) >= 80
    assert len(corpus) - len(alarms) >= 60
    for lang in ("nl", "en"):
        for label in Signal:
            assert any(row[1] == lang and row[2] is label for row in corpus), (lang, label)


def test_recall_and_false_alarms(request: pytest.FixtureRequest):
    corpus = load_corpus()
    missed, false_alarms, alarms, ordinary = [], [], 0, 0
    for text, lang, expected in corpus:
        got = detect(text, lang)
        if expected is Signal.NONE:
            ordinary += 1
            if got is not Signal.NONE:
                false_alarms.append(f"{got}: {text}")
        else:
            alarms += 1
            if got is not expected:
                missed.append(f"{expected} → {got}: {text}")
    recall = 1 - len(missed) / alarms
    false_rate = len(false_alarms) / ordinary
    request.config.stash[CORPUS_FIGURES] = [
        f"recall {recall:.1%} ({alarms - len(missed)} of {alarms} crisis/abuse messages on "
        f"the right screen; at least {MIN_RECALL:.0%})",
        f"false alarms {false_rate:.1%} ({len(false_alarms)} of {ordinary} everyday sentences; "
        f"at most {MAX_FALSE_ALARMS:.0%})",
        *(f"  missed  {line}" for line in missed),
        *(f"  alarmed {line}" for line in false_alarms),
    ]
    assert recall >= MIN_RECALL, missed
    assert false_rate <= MAX_FALSE_ALARMS, false_alarms
