"""The personal-data erasure run (beat, ``manage.py erase_personal_data``): orders closed more than
``PERSONAL_DATA_RETENTION_DAYS`` ago, in batches of ``ERASURE_BATCH`` each in its own transaction, at most
``ERASURE_MAX_BATCHES`` per run, oldest first. An order an open case may need (a violation not final, an appeal
that may still move, a month whose statements and refund are not issued, a work order not closed) is left for a
later run. Each app erases its own tables; this module only decides which orders and records the run."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from complaints.selectors import waybills_with_open_work_orders, work_orders_erasable
from complaints.services import work_orders_erase_personal
from core import locks
from courier.services import courier_acts_erase_personal
from orders.erasure import orders_erasable, orders_erase_personal
from penalties.selectors import held_for_money

from .models import ErasureRun


@dataclass
class _Budget:
    batch: int
    batches: int


def _order_batch(run: ErasureRun, *, after, size: int, at: datetime):
    """One transaction: the next orders due, the held ones left, the rest erased in every app. The key of the last
    order looked at (the next batch starts after it), or None when none was due."""
    with transaction.atomic():
        rows = orders_erasable(closed_before=run.closed_before, after=after, limit=size)
        if not rows:
            return None
        held, _ = held_for_money(order_ids=[r[0] for r in rows], at=at)
        open_cases = waybills_with_open_work_orders(waybills=[r[2] for r in rows])
        ids = [pk for pk, _t, waybill in rows if pk not in held and waybill not in open_cases]
        counts = orders_erase_personal(order_ids=ids, at=at)
        acts, photos = courier_acts_erase_personal(order_ids=ids)
    run.courier_acts += acts
    run.door_photos += photos
    run.orders += counts["orders"]
    run.events += counts["events"]
    run.callbacks += counts["callbacks"]
    run.id_checks += counts["id_checks"]
    run.held += len(rows) - len(ids)
    run.batches += 1
    return rows[-1][1], rows[-1][0]


def _work_orders(run: ErasureRun, *, budget: _Budget, at: datetime) -> bool:
    """Closed work orders' consumers, the same way; True when none is left due."""
    seen: set[int] = set()
    for _ in range(budget.batches):
        with transaction.atomic():
            ids = work_orders_erasable(closed_before=run.closed_before, limit=budget.batch + len(seen))
            ids = [pk for pk in ids if pk not in seen]
            if not ids:
                return True
            _, held = held_for_money(work_order_ids=ids, at=at)
            seen |= held
            run.work_orders += work_orders_erase_personal(work_order_ids=[pk for pk in ids if pk not in held])
    return False


def erasure_run(
    *, at: datetime | None = None, days: int | None = None, batch: int | None = None, max_batches: int | None = None
) -> ErasureRun | None:
    """Erase what is due and record the run; None (nothing done) while another run holds the lock."""
    at = at or timezone.now()
    days = settings.PERSONAL_DATA_RETENTION_DAYS if days is None else days
    budget = _Budget(batch or settings.ERASURE_BATCH, max_batches or settings.ERASURE_MAX_BATCHES)
    run = ErasureRun(started_at=at, closed_before=at - timedelta(days=days))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [locks.PERSONAL_DATA_ERASURE])
        if not cursor.fetchone()[0]:
            return None
    try:
        after, orders_done = None, False
        for _ in range(budget.batches):
            after = _order_batch(run, after=after, size=budget.batch, at=at)
            if after is None:
                orders_done = True
                break
            if settings.ERASURE_PAUSE_SECONDS:  # the desk's polls get the database between batches
                time.sleep(settings.ERASURE_PAUSE_SECONDS)
        run.complete = _work_orders(run, budget=budget, at=at) and orders_done
        run.finished_at = timezone.now()
        run.save()
        return run
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [locks.PERSONAL_DATA_ERASURE])
