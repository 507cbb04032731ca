"""The code checks CI holds every change to: ruff lint, ruff format and mypy --strict."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY_PATHS = ["kg", "extract", "viz", "tests"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_lint_is_clean():
    done = run(sys.executable, "-m", "ruff", "check", *PY_PATHS)
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format_is_clean():
    done = run(sys.executable, "-m", "ruff", "format", "--check", *PY_PATHS)
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_strict_is_clean():
    sources = [
        "kg",
        "viz",
        *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "extract").glob("*.py")),
    ]
    done = run(sys.executable, "-m", "mypy", "--strict", *sources)
    assert done.returncode == 0, done.stdout + done.stderr
