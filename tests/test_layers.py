"""The layers are a contract (pyproject.toml, import-linter): the tree keeps it, and a lower floor importing a
higher one breaks it."""

import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings

BASE = Path(settings.BASE_DIR)
LINT = str(Path(sys.executable).with_name("lint-imports"))
PACKAGES = [
    "core",
    "finance",
    "orders",
    "dispatch",
    "logistics",
    "inventory",
    "penalties",
    "complaints",
    "people",
    "courier",
    "retention",
    "config",
]


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [LINT, "--config", str(cwd / "pyproject.toml"), "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
    )


def test_the_tree_keeps_its_layers():
    done = _lint(BASE)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    for package in PACKAGES:
        shutil.copytree(
            BASE / package, root / package, ignore=shutil.ignore_patterns("*.pyc", "__pycache__", "migrations")
        )
    shutil.copy(BASE / "pyproject.toml", root / "pyproject.toml")
    return root


def test_a_lower_floor_importing_a_higher_one_breaks_the_contract(tmp_path):
    root = _copy(tmp_path)
    clock = root / "core" / "clock.py"
    clock.write_text(clock.read_text() + "\nfrom penalties import models as _stray  # noqa\n")
    done = _lint(root)
    assert done.returncode == 1
    assert "BROKEN" in done.stdout and "core.clock -> penalties.models" in done.stdout


def test_logistics_and_inventory_stay_independent(tmp_path):
    root = _copy(tmp_path)
    services = root / "inventory" / "services.py"
    services.write_text(services.read_text() + "\nfrom logistics import models as _stray  # noqa\n")
    done = _lint(root)
    assert done.returncode == 1 and "inventory.services -> logistics.models" in done.stdout
