"""One way to fail: every refusal is a ``DomainError`` declared in its app's ``exceptions.py`` with its code and HTTP
status; the API answers with the class's status (no comparison of code strings), and no view catches a domain
error by hand — pages go through ``core.view_calls.service_call``."""

import ast
import importlib
from pathlib import Path

import pytest
from django.conf import settings
from django.test import RequestFactory

from config.api import domain_error
from core.exceptions import DomainError, SignatureError

BASE = Path(settings.BASE_DIR)
APPS = "core finance orders dispatch logistics inventory penalties complaints people courier retention".split()


def _project_modules():
    for app in APPS:
        for path in sorted((BASE / app).rglob("*.py")):
            if "migrations" in path.parts or "management" in path.parts:
                continue
            yield ".".join(path.relative_to(BASE).with_suffix("").parts).removesuffix(".__init__")


def _domain_errors() -> set[type]:
    for module in _project_modules():
        importlib.import_module(module)
    found, todo = set(), [DomainError]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub.__module__.split(".")[0] in APPS:
                found.add(sub)
            todo.append(sub)
    return found


def test_every_domain_error_lives_in_its_apps_exceptions_module_with_code_and_status():
    errors = _domain_errors()
    assert len(errors) >= 20
    for cls in errors:
        assert cls.__module__.endswith(".exceptions") and cls.__module__.count(".") == 1, cls
        assert isinstance(cls.code, str) and cls.code != DomainError.code, cls
        assert isinstance(cls.status, int) and 400 <= cls.status < 500, cls
    assert SignatureError.__module__ == "core.exceptions" and SignatureError.status == 401


def test_the_api_status_comes_from_the_class():
    class Teapot(DomainError):
        code = "conflict"  # a code that once chose 409 by its text: the class decides
        status = 418

    request = RequestFactory().post("/api/orders")
    assert domain_error(request, Teapot("x")).status_code == 418
    from orders.exceptions import ClientKindError, ContentConflict, IllegalTransition, OrderConflict, OrderOutOfScope

    statuses = {
        c: domain_error(request, c()).status_code for c in (ClientKindError, ContentConflict, IllegalTransition)
    }
    assert statuses == {ClientKindError: 403, ContentConflict: 409, IllegalTransition: 409}
    assert domain_error(request, OrderConflict()).status_code == 409
    assert domain_error(request, OrderOutOfScope()).status_code == 422


def _view_modules():
    for app in [*APPS, "config"]:
        for path in [BASE / app / "views.py", *sorted((BASE / app / "views").glob("*.py"))]:
            if path.exists():
                yield path


@pytest.mark.parametrize("path", list(_view_modules()), ids=lambda p: str(p.relative_to(BASE)))
def test_no_view_catches_a_domain_error_by_hand(path):
    names = {cls.__name__ for cls in _domain_errors()} | {"DomainError"}
    caught = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ExceptHandler) and node.type is not None:
            types = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
            for t in types:
                name = t.attr if isinstance(t, ast.Attribute) else getattr(t, "id", "")
                if name in names:
                    caught.append(f"{path.name}:{node.lineno} {name}")
    assert not caught, f"use core.view_calls.service_call: {caught}"
