"""Small tables read often and changed rarely (closure days, rule versions, API clients), cached per process.

A ``ProcessCache`` loads its table at most every ``ttl`` seconds. The service that changes the table calls
``changed()``: this process forgets the table at once (reads later in the same transaction see the change) and
again when the transaction commits (reads elsewhere in this process do not keep a table loaded mid-transaction);
other processes see the change within ``ttl``. Tests reset every cache with ``ProcessCache.reset_all()``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Generic, TypeVar

from django.db import transaction

T = TypeVar("T")


class ProcessCache(Generic[T]):
    _all: list[ProcessCache] = []

    def __init__(self, name: str, load: Callable[[], T], *, ttl: float = 30.0):
        self.name, self.load, self.ttl = name, load, ttl
        self._value: tuple[float, T] | None = None
        ProcessCache._all.append(self)

    def get(self) -> T:
        now = time.monotonic()
        if self._value is None or now - self._value[0] > self.ttl:
            self._value = (now, self.load())
        return self._value[1]

    def reset(self) -> None:
        self._value = None

    def changed(self) -> None:
        self.reset()
        transaction.on_commit(self.reset)

    @classmethod
    def reset_all(cls) -> None:
        for cache in cls._all:
            cache.reset()
