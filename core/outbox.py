"""The transactional outbox, once for every app: a row per message owed to a partner (a channel's status callback,
a work order's result for Cainiao) is written by its owner in the transaction of the change it reports; this kit
delivers due rows — leased with SKIP LOCKED so two workers never send the same one, POSTed signed like our API
requests, each attempt recorded in the owner's attempt table, retried with exponential back-off, given up after
``CALLBACK_MAX_ATTEMPTS`` — and logs every failure. A broker outage only delays delivery: rows wait in
PostgreSQL and beat's next run picks them up.

An owner declares its outbox once (``Outbox(...)``): the row model (``client``, ``url``, ``payload``, ``status``,
``attempts``, ``next_attempt_at``, ``last_error``, ``delivered_at``), the attempt model (``message``, ``at``,
``status_code``, ``error``, ``ok``), the task that delivers it, and optional hooks. The kit writes those tables on
the owner's behalf (the ownership check knows them from ``REGISTRY``)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from . import jobs
from .signing import headers

log = logging.getLogger("q9.outbox")

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
LEASE = timedelta(seconds=60)

REGISTRY: dict[str, Outbox] = {}


def backoff(attempts: int) -> timedelta:
    """The wait before the next attempt: the base, doubled per failed attempt, at most an hour."""
    base = settings.CALLBACK_BACKOFF_SECONDS
    return timedelta(seconds=min(base * (2 ** max(attempts - 1, 0)), 3600))


def post_signed(*, url: str, payload: dict, client) -> tuple[bool, int | None, str]:
    """POST a JSON payload signed with the client's key and secret: (ok, HTTP status, error)."""
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
    try:
        response = requests.post(
            url,
            data=body,
            timeout=settings.CALLBACK_TIMEOUT_SECONDS,
            headers=headers(
                key=client.key, secret=client.secret, method="POST", path=urlsplit(url).path or "/", body=body
            ),
        )
    except requests.RequestException as exc:
        return False, None, f"{type(exc).__name__}: {exc}"[:300]
    ok = 200 <= response.status_code < 300
    return ok, response.status_code, "" if ok else f"HTTP {response.status_code}: {response.text[:200]}"


@dataclass(frozen=True)
class Outbox:
    name: str
    model: type
    attempts: type
    task: str
    related: tuple[str, ...] = ("client",)
    #: a reason not to send a row at all (e.g. its address no longer passes the check), or ""
    refuse: Callable | None = None
    #: what the owner records once a row is delivered (e.g. the work order's "result sent" event)
    delivered: Callable | None = None

    def __post_init__(self):
        REGISTRY[self.name] = self

    def tables(self) -> set[str]:
        return {self.model._meta.db_table, self.attempts._meta.db_table}

    def queue(self, rows: list) -> int:
        """Write the rows (in the caller's transaction) and kick the delivery after commit."""
        if rows:
            self.model.objects.bulk_create(rows, batch_size=1000)
            jobs.publish_on_commit(self.task)
        return len(rows)

    def _claim(self, limit: int, now: datetime) -> list[int]:
        table = self.model._meta.db_table
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET next_attempt_at = %s WHERE id IN ("  # noqa: S608 - the table is a model's
                f" SELECT id FROM {table} WHERE status = 'pending' AND next_attempt_at <= %s"
                " ORDER BY next_attempt_at LIMIT %s FOR UPDATE SKIP LOCKED) RETURNING id",
                [now + LEASE, now, limit],
            )
            return [row[0] for row in cursor.fetchall()]

    def deliver_one(self, row, *, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        refused = self.refuse(row) if self.refuse else ""
        if refused:
            ok, code, error = False, None, refused
            row.attempts = settings.CALLBACK_MAX_ATTEMPTS - 1  # never worth another try
        else:
            ok, code, error = post_signed(url=row.url, payload=row.payload, client=row.client)
        with transaction.atomic():
            self.attempts.objects.create(message=row, at=now, status_code=code, error=error[:300], ok=ok)
            row.attempts += 1
            if ok:
                row.status, row.delivered_at, row.last_error = DELIVERED, now, ""
            else:
                row.last_error = error[:300]
                if row.attempts >= settings.CALLBACK_MAX_ATTEMPTS:
                    row.status = FAILED
                else:
                    row.next_attempt_at = now + backoff(row.attempts)
            row.save(update_fields=["status", "attempts", "next_attempt_at", "last_error", "delivered_at"])
            if ok and self.delivered:
                self.delivered(row, now)
        if not ok:
            log.warning(
                "%s: message %s to %s failed (attempt %d%s): %s",
                self.name,
                row.pk,
                row.url,
                row.attempts,
                ", given up" if row.status == FAILED else "",
                error,
            )
        return ok

    def deliver(self, *, limit: int = 100, rounds: int = 10) -> int:
        """Deliver what is due, in bounded batches; returns how many were delivered."""
        delivered = 0
        for _ in range(rounds):
            ids = self._claim(limit, timezone.now())
            if not ids:
                break
            for row in self.model.objects.filter(pk__in=ids).select_related(*self.related).order_by("id"):
                delivered += self.deliver_one(row)
        return delivered

    def retry(self, ids) -> int:
        """Failed rows sent again (from now, with a fresh count)."""
        with transaction.atomic():
            n = self.model.objects.filter(pk__in=list(ids), status=FAILED).update(
                status=PENDING, attempts=0, next_attempt_at=timezone.now()
            )
            if n:
                jobs.publish_on_commit(self.task)
        return n
