"""对账单 files (PDF, Excel), made once per statement and state: two clicks at once (a manager's double click, two
managers of one scope) make one file, and a click on an unchanged statement gets the file already made.

The file is kept in the cache (Redis) under its statement — the kind of file, the scope it covers (the user's unit
and the narrowing asked for), the month, the language — and the statement's state: how many lines it has and the
last one (the ledger is append-only: a new line is a new state, so a running month's next click after a booking
gets a new file) and whether the month is closed. The first click takes a lock (``cache.add``) and makes the
file; the others wait for it (polling the cache) as long as the lock is held, instead of making their own. A running month's file is kept a
few minutes (its 「截至 …」 time stays near the moment it is read), a closed month's a day.

Redis down: every click makes its own file, as before (the cache answers misses and ``add`` lets each caller go on,
``core.rediscache``)."""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.db.models import Count, Max
from django.utils import translation

KEPT_RUNNING_SECONDS = 300  # a running month's file
KEPT_CLOSED_SECONDS = 24 * 3600  # a closed month's (its statement never changes)
MAKING_SECONDS = 300  # the lock's life: a maker that dies frees it by then (a render takes seconds, a minute at worst)
POLL_SECONDS = 0.1
MAX_KEPT_BYTES = 32 * 1024 * 1024  # a bigger file is handed over, not kept


def statement_state(statement: dict) -> str:
    """The state of a statement (``finance.selectors.statement``): its lines' count and last id, and closed or not."""
    agg = statement["entries"].order_by().aggregate(n=Count("id"), last=Max("id"))
    return f"{agg['n']}.{agg['last'] or 0}.{'closed' if statement['closed'] else 'running'}"


def statement_file(*, scope: tuple, state: str, closed: bool, make: Callable[[], bytes]) -> bytes:
    """The file of this statement (``scope``: what names it, ``state``: ``statement_state``), made by ``make()`` at
    most once however many clicks ask at once."""
    name = repr((scope, state, translation.get_language()))
    key = "q9:statement-file:" + hashlib.sha256(name.encode()).hexdigest()[:40]
    made = cache.get(key)
    if made is not None:
        return made
    lock, token = key + ":making", uuid.uuid4().hex
    # another click is making it: wait for its file as long as it holds the lock (a maker that died frees it when
    # the lock expires, and this click makes the file then)
    while not cache.add(lock, token, MAKING_SECONDS):
        time.sleep(POLL_SECONDS)
        made = cache.get(key)
        if made is not None:
            return made
    try:
        made = cache.get(key)  # made while this click took the lock
        if made is None:
            made = make()
            if len(made) <= MAX_KEPT_BYTES:
                cache.set(key, made, KEPT_CLOSED_SECONDS if closed else KEPT_RUNNING_SECONDS)
        return made
    finally:
        if cache.get(lock) == token:
            cache.delete(lock)
