#!/usr/bin/env python3
"""One command for newcomers. On first use it makes `.venv/` and installs Mantelbot into it.

python3 run.py          start Mantelbot: the terminal chat with example data, or the
                        Telegram bot when TELEGRAM_BOT_TOKEN is set
python3 run.py test     run all tests (pytest) and the style checks (ruff)
python3 run.py ARGS     any mantelbot command, e.g. `python3 run.py resources list`
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def ensure_installed() -> None:
    """(Re)install when pyproject.toml changed since the last install."""
    if sys.version_info < (3, 11):  # noqa: UP036  (run.py may meet an older Python)
        sys.exit("Mantelbot needs Python 3.11 or newer.")
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:16]
    stamp = VENV / f".installed-{digest}"
    if stamp.exists():
        return
    if not (BIN / "python").exists():
        print("Making .venv …", file=sys.stderr)
        venv.create(VENV, with_pip=True)
    print("Installing Mantelbot and its dependencies into .venv …", file=sys.stderr)
    subprocess.run(
        [
            str(BIN / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--editable",
            f"{ROOT}[test]",
        ],
        check=True,
        stdout=sys.stderr,
    )
    for old in VENV.glob(".installed-*"):
        old.unlink()
    stamp.touch()


def main() -> int:
    ensure_installed()
    args = sys.argv[1:]
    python = str(BIN / "python")
    if args[:1] == ["test"]:
        for check in (["ruff", "check", "."], ["ruff", "format", "--check", "."]):
            if subprocess.run([python, "-m", *check], cwd=ROOT).returncode != 0:
                return 1
        return subprocess.run([python, "-m", "pytest", *args[1:]], cwd=ROOT).returncode
    os.execv(python, [python, "-m", "bot", *args])
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
