"""Who may write which table: every INSERT, UPDATE, DELETE and COPY the suite sends is mapped to its table and to the
module that sent it (the innermost frame of the project's code); a module outside the table's owner fails the test.

Owners: each table belongs to the app of its model, and any module of that app may write it, except the tables
below, which one module each writes (the event logs and the ledger). Migrations and the tests' own set-up (factories,
fixtures, a test arranging rows) write anything; so does the framework (sessions, last_login, django-axes).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

from django.apps import apps

from core.outbox import REGISTRY

PROJECT = {
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
}

# tables written by exactly these modules (the rest: any module of the owning app)
MODULE_OWNERS = {
    "orders_orderevent": {"orders.events"},
    "finance_ledgerentry": {"finance.services"},
    "penalties_violationevent": {"penalties.events"},
    "complaints_workorderevent": {"complaints.events"},
}
# writes still made outside their owner, each to be moved behind the owner's service (the list only shrinks)
KNOWN_STRAYS: set[tuple[str, str]] = set()
# tables whose rows two apps write: the ground floor's models that HQ administers in the app (``people``: accounts,
# service areas), besides the ground floor's own services
SHARED_OWNERS = {"core_user": {"core", "people"}, "core_servicearea": {"core", "people"}}
# libraries' tables one app of ours writes through its services: the second factor's devices and codes (core/twofactor.py)
ADOPTED = {
    "otp_totp_totpdevice": "core",
    "otp_static_staticdevice": "core",
    "otp_static_statictoken": "core",
}
TEST_WRITERS = ("tests.",)  # factories, fixtures and a test's own set-up rows

_WRITE = re.compile(
    r'\b(?:INSERT\s+INTO|DELETE\s+FROM|COPY|TRUNCATE(?:\s+TABLE)?)\s+"?(\w+)"?|\bUPDATE\s+"?(\w+)"?\s+SET\b',
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Stray:
    table: str
    writer: str
    owner: str
    sql: str

    def __str__(self):
        return f"{self.writer} wrote {self.table} (owner: {self.owner}): {self.sql[:160]}"


def table_owners() -> dict[str, str]:
    owners = {}
    for model in apps.get_models(include_auto_created=True):
        owners[model._meta.db_table] = model._meta.app_label
    return owners


def written_tables(sql: str) -> set[str]:
    return {a or b for a, b in _WRITE.findall(sql or "")}


def writer_module(frame) -> str | None:
    """The innermost module of the project (or of the tests) on the stack, or None for framework-only calls."""
    while frame is not None:
        name = frame.f_globals.get("__name__", "")
        root = name.split(".", 1)[0]
        if root == "factory":  # factory_boy building a row for a test: the factories' business
            return "tests.factories"
        if name.startswith(("django.contrib.", "axes.", "simple_history.")):  # the framework's own writes
            # (last_login, sessions, login throttling, the history rows django-simple-history keeps)
            return None
        if root in PROJECT or root == "tests":
            return name
        frame = frame.f_back
    return None


def _outbox_tables() -> set[str]:
    """The row and attempt tables of the outboxes their owners declared with the ground floor's outbox kit."""
    return set().union(*(outbox.tables() for outbox in REGISTRY.values()))


def allowed(table: str, writer: str, owners: dict[str, str]) -> str | None:
    """None when ``writer`` may write ``table``; else the owner's name."""
    owner_app = ADOPTED.get(table) or owners.get(table)
    if (
        owner_app is None or "_historical" in table
    ):  # not a model's table, or django-simple-history's record  # not a model's table (staging tables, Django's own, sequences)
        return None
    if ".migrations." in writer or writer.startswith(TEST_WRITERS) or (writer, table) in KNOWN_STRAYS:
        return None
    if writer == "core.outbox" and table in _outbox_tables():  # the outbox kit, on its owner's behalf
        return None
    modules = MODULE_OWNERS.get(table)
    if modules:
        return None if writer in modules else " or ".join(sorted(modules))
    if table in SHARED_OWNERS:
        return None if writer.split(".", 1)[0] in SHARED_OWNERS[table] else " or ".join(sorted(SHARED_OWNERS[table]))
    if owner_app not in PROJECT:  # Django's and libraries' tables (sessions, auth, axes): their own business
        return None
    return None if writer.split(".", 1)[0] == owner_app else owner_app


class Guard:
    def __init__(self):
        self.owners = table_owners()
        self.strays: list[Stray] = []

    def check(self, sql: str, frame) -> None:
        tables = written_tables(sql)
        if not tables:
            return
        writer = writer_module(frame)
        if writer is None:
            return
        for table in tables:
            owner = allowed(table, writer, self.owners)
            if owner:
                self.strays.append(Stray(table, writer, owner, " ".join(str(sql).split())))

    def execute_wrapper(self, execute, sql, params, many, context):
        self.check(str(sql), sys._getframe(1))
        return execute(sql, params, many, context)
