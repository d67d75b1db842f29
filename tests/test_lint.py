"""ruff keeps the house style: its lint rules (pyproject.toml, [tool.ruff.lint]) and the formatter's layout hold on
the whole tree."""

import subprocess
import sys
from pathlib import Path

from django.conf import settings

BASE = Path(settings.BASE_DIR)
RUFF = str(Path(sys.executable).with_name("ruff"))


def _ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([RUFF, *args], cwd=BASE, capture_output=True, text=True)


def test_ruff_lint_is_clean():
    result = _ruff("check", "--no-cache", "--output-format", "concise", ".")
    assert result.returncode == 0, result.stdout[-4000:]


def test_ruff_format_is_kept():
    result = _ruff("format", "--no-cache", "--check", ".")
    assert result.returncode == 0, result.stdout[-4000:]


def test_ruff_catches_a_planted_defect(tmp_path):
    """The check can fail: an unused import and a badly formatted line are both reported."""
    (tmp_path / "pyproject.toml").write_text((BASE / "pyproject.toml").read_text())
    (tmp_path / "planted.py").write_text("import os\nx = {  'a':1 }\n")
    assert subprocess.run([RUFF, "check", "--no-cache", "."], cwd=tmp_path, capture_output=True).returncode == 1
    assert (
        subprocess.run([RUFF, "format", "--no-cache", "--check", "."], cwd=tmp_path, capture_output=True).returncode
        == 1
    )
