"""Every repository path and every project module that README.md and docs/*.md name exists: a renamed or removed
file fails here, not in a newcomer's afternoon.

A name is taken from inline code (between backticks): a path with a slash (`dispatch/views/`, `.ci/run`), a file
name with a known extension (`money.py`: some file of that name exists), or a dotted name that starts with one of
the project's packages (`dispatch.services`, `core.view_calls.service_call`, `finance.LedgerEntry`, `core.0003`: a
module, an attribute of one, a model, or a migration). URLs (`/api/orders`), placeholders (`<kind>`, `…`) and what `make run` writes
at run time under `var/` are not repository paths."""

import importlib
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

BASE = Path(settings.BASE_DIR)
DOCUMENTS = [BASE / "README.md", *sorted((BASE / "docs").glob("*.md"))]
PACKAGES = (
    "core finance orders dispatch logistics inventory penalties complaints people courier retention config devtools bench tests"
).split()
EXTENSIONS = ("py", "html", "js", "css", "md", "toml", "yml", "yaml", "txt", "wav", "ttc", "po", "mo", "json", "sh")
RUN_TIME = ("var/", ".venv/")
CODE = re.compile(r"`([^`\n]+)`")
FILE_NAME = re.compile(r"^[\w.-]+\.(?:" + "|".join(EXTENSIONS) + r")$")
DOTTED = re.compile(r"^(?:" + "|".join(PACKAGES) + r")(?:\.\w+)+$")
MIGRATION = re.compile(r"^(\w+)\.(\d{4})$")


def _names(text: str) -> set[str]:
    names = set()
    for code in CODE.findall(text):
        for token in code.split():
            token = token.strip(",;:()'\"")
            if not token or token.startswith(("/", "../")) or "://" in token or any(c in token for c in "<>{}…*|=$"):
                continue
            names.add(token)
    return names


def _exists(name: str) -> bool:
    name = name.removeprefix("./")
    if name.startswith(RUN_TIME) or name.rstrip("/") + "/" in RUN_TIME:
        return True
    if "/" in name:
        return (BASE / name).exists()
    if FILE_NAME.match(name):
        return any(BASE.glob(f"[!.]*/**/{name}")) or (BASE / name).exists()
    if migration := MIGRATION.match(name):
        return any((BASE / migration[1] / "migrations").glob(f"{migration[2]}_*.py"))
    if DOTTED.match(name):
        return _resolves(name)
    return True  # not a repository name (a setting, a word of code, a command)


def _resolves(dotted: str) -> bool:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for attribute in parts[cut:]:
                target = getattr(target, attribute)
        except AttributeError:
            break
        return True
    if len(parts) == 2:
        try:
            apps.get_model(parts[0], parts[1])
            return True
        except LookupError:
            pass
    return False


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(BASE)))
def test_every_named_path_exists(document):
    missing = sorted(name for name in _names(document.read_text(encoding="utf-8")) if not _exists(name))
    assert not missing, f"{document.name} names what does not exist: {missing}"


def test_the_check_finds_a_stale_path():
    assert not _exists("dispatch/clock.py") and not _exists("dispatch.plain") and not _exists("plain.py")
    assert (
        _exists("dispatch/services.py") and _exists("core.view_calls.service_call") and _exists("finance.LedgerEntry")
    )
    assert _exists("core.0003") and not _exists("core.0099")
    assert _names("see `dispatch/clock.py`, `/api/orders` and `/hq/imports/template/<kind>/`") == {"dispatch/clock.py"}
