"""Identical requests arriving at the same moment (a channel's retries, a CRM pushing twice): the first insert
wins and every other copy answers as the repeat it is — never a unique-key error. Order intake and the CRM's work
orders take their rows in this one way."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, transaction

T = TypeVar("T")


def insert_once(insert: Callable[[], T], existing: Callable[[], T | None]) -> tuple[T, bool]:
    """``insert()`` in a savepoint: (its row, True). If a concurrent request inserted the same key first (the
    unique index made this insert wait for it, then refused it), (``existing()``, False). An integrity error with
    no existing row (another key, another constraint) is raised for the caller to answer."""
    try:
        with transaction.atomic():
            return insert(), True
    except IntegrityError:
        found = existing()
        if found is None:
            raise
        return found, False
