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

from . import destinations, jobs
from .signing import headers

log = logging.getLogger("q9.outbox")

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"

REGISTRY: dict[str, Outbox] = {}


def lease() -> timedelta:
    """How long a row being delivered is left alone by other workers (longer than an attempt can take)."""
    return timedelta(seconds=settings.CALLBACK_LEASE_SECONDS)


def backoff(attempts: int) -> timedelta:
    """The wait before the next attempt: the base, doubled per failed attempt, at most an hour."""
    base = settings.CALLBACK_BACKOFF_SECONDS
    return timedelta(seconds=min(base * (2 ** max(attempts - 1, 0)), 3600))


def message_id(outbox: str, pk: int) -> str:
    """A row's message id: the same on every attempt, so a receiver can drop a repeat."""
    return f"q9:{outbox}:{pk}"


def post_signed(*, url: str, payload: dict, client, message: str = "") -> tuple[bool, int | None, str]:
    """POST a JSON payload signed with the client's key and secret, through the destination check, no redirect
    followed: (ok, HTTP status, error). ``message`` (the message id) goes in the body as ``message_id`` and in the
    ``X-Message-Id`` header. Of the reply only the status and a short printable excerpt are kept."""
    if message:
        payload = {**payload, "message_id": message}
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
    signed = headers(key=client.key, secret=client.secret, method="POST", path=urlsplit(url).path or "/", body=body)
    if message:
        signed["X-Message-Id"] = message
    timeout = settings.CALLBACK_TIMEOUT_SECONDS
    try:
        with destinations.session() as http:
            response = http.post(
                url, data=body, timeout=(timeout, timeout), headers=signed, allow_redirects=False, stream=True
            )
            reply = response.raw.read(512, decode_content=True).decode("utf-8", "replace") if response.raw else ""
            response.close()
    except requests.Timeout as exc:
        raise TimedOut(f"{type(exc).__name__}: {destinations.excerpt(str(exc), 200)}") from None
    except requests.RequestException as exc:
        return False, None, f"{type(exc).__name__}: {destinations.excerpt(str(exc), 200)}"
    ok = 200 <= response.status_code < 300
    if ok:
        return True, response.status_code, ""
    if 300 <= response.status_code < 400:
        return False, response.status_code, f"HTTP {response.status_code}: redirect not followed"
    return False, response.status_code, f"HTTP {response.status_code}: {destinations.excerpt(reply)}"


class TimedOut(Exception):
    """No answer within the timeout: the receiver may still be working on it."""


@dataclass(frozen=True)
class Outbox:
    name: str
    model: type
    attempts: type
    task: str
    related: tuple[str, ...] = ("client",)
    #: what the owner records once a row is delivered (e.g. the work order's "result sent" event)
    delivered: Callable | None = None
    #: how a row is sent, when not POSTed signed to ``row.url`` with the client's key: ``send(row)`` answers
    #: (ok, HTTP status or None, error) and may raise ``DestinationRefused`` or ``TimedOut`` (the alert channels)
    send: Callable | None = None
    #: how a failure names the row's destination in the log (default: its URL)
    describe: Callable | None = None

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

    def _claim(self, limit: int, now: datetime) -> tuple[list[int], datetime]:
        """Lease up to ``limit`` due rows; the lease's end is this claim's token (``_take``)."""
        table = self.model._meta.db_table
        until = now + lease()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET next_attempt_at = %s WHERE id IN ("  # noqa: S608 - the table is a model's
                f" SELECT id FROM {table} WHERE status = 'pending' AND next_attempt_at <= %s"
                " ORDER BY next_attempt_at LIMIT %s FOR UPDATE SKIP LOCKED) RETURNING id",
                [until, now, limit],
            )
            return [row[0] for row in cursor.fetchall()], until

    def _take(self, pk: int, token: datetime) -> datetime | None:
        """Renew one claimed row's lease right before its attempt, if the claim is still ours (a batch that ran
        long may have lost the rows it had not reached yet to another worker): the new lease's end, or None."""
        until = timezone.now() + lease()
        n = self.model.objects.filter(pk=pk, status=PENDING, next_attempt_at=token).update(next_attempt_at=until)
        return until if n else None

    def deliver_one(self, row, *, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        timed_out = False
        try:
            if self.send:
                ok, code, error = self.send(row)
            else:
                ok, code, error = post_signed(
                    url=row.url, payload=row.payload, client=row.client, message=message_id(self.name, row.pk)
                )
        except destinations.DestinationRefused as exc:
            ok, code, error = False, None, exc.message
            row.attempts = settings.CALLBACK_MAX_ATTEMPTS - 1  # refused by the destination check: never retried
        except TimedOut as exc:
            ok, code, error, timed_out = False, None, str(exc), True
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
                    # a receiver that timed out may still be working on it: not again before the lease is over
                    wait = max(backoff(row.attempts), lease()) if timed_out else backoff(row.attempts)
                    row.next_attempt_at = now + wait
            row.save(update_fields=["status", "attempts", "next_attempt_at", "last_error", "delivered_at"])
            if ok and self.delivered:
                self.delivered(row, now)
        if not ok:
            log.warning(
                "%s: message %s to %s failed (attempt %d%s): %s",
                self.name,
                row.pk,
                self.describe(row) if self.describe else row.url,
                row.attempts,
                ", given up" if row.status == FAILED else "",
                error,
            )
        return ok

    def deliver(self, *, limit: int = 100, rounds: int = 10) -> int:
        """Deliver what is due, in bounded batches; returns how many were delivered."""
        delivered = 0
        for _ in range(rounds):
            ids, token = self._claim(limit, timezone.now())
            if not ids:
                break
            for row in self.model.objects.filter(pk__in=ids).select_related(*self.related).order_by("id"):
                if self._take(row.pk, token) is not None:
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
