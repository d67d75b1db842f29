"""Import jobs: a file of one kind of the import kit (``core.imports``) — orders, sites, tracking scans and service
areas uploaded by HQ on /hq/imports/, accounts by HQ or a province's LCS on /people/import/. The web request only stores the file (an upload over the limit is refused before it
is written, ``core.uploads``); a Celery task reads and checks it — every row, every problem listed, nothing
imported while any row is wrong — and, once HQ confirms, another imports it in one transaction (all or nothing),
its progress counted in Redis for the page. The job reports the rows read, imported and refused.

A job that fails for any reason says so and can be retried; a redelivered task after a worker died re-runs the
import (nothing of the dead run was committed) and a duplicate delivery while it runs does nothing."""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import jobs
from core.exceptions import ImportFileError
from core.imports import Checked, Refused, check, importer_for, read_rows
from core.validators import attachment_name

from .models import Channel, ImportJob

logger = logging.getLogger(__name__)

PREVIEW_ROWS = 20
ERRORS_KEPT = 1000
S = ImportJob.Status
#: the kinds of HQ's import page; accounts have their own page, open to a province's LCS for its own province
HQ_KINDS = tuple(k for k in ImportJob.Kind.values if k != ImportJob.Kind.ACCOUNTS)


def job_create(*, kind: str, upload, actor, channel: Channel | None = None) -> ImportJob:
    """Store the file and queue its check (a worker reads it; the page shows "checking" meanwhile)."""
    channel = channel if kind == ImportJob.Kind.ORDERS else None  # only orders come from a channel
    job = ImportJob(
        kind=kind,
        channel=channel,
        name=attachment_name(upload.name),
        created_by=actor,
        created_at=timezone.now(),
        status=S.CHECKING,
    )
    job.file.save(upload.name, upload, save=False)
    job.save()
    if not jobs.publish("orders.tasks.import_check", job.pk):
        message = _("The task queue is unavailable: the file was not checked. Retry in a minute.")
        _failed(job.pk, [{"row": 0, "column": "", "message": message}], message)
    return job


def _check_file(job: ImportJob) -> tuple[list[str], list[list[str]], Checked]:
    """The job's file read and checked; a file that cannot be read is one problem of row 0."""
    try:
        with job.file.open("rb") as fh:
            header, rows = read_rows(job.name, fh.read())
    except ImportFileError as exc:
        return [], [], Checked([], [{"row": 0, "column": "", "message": str(exc.message)}], read=0, refused=0)
    # checked in the scope of whoever uploaded it (an LCS's accounts file: its own province's units only)
    checked = check(importer_for(job.kind), header, rows, channel=job.channel, actor=job.created_by)
    if not rows:
        checked.errors.append({"row": 0, "column": "", "message": _("The file has its header row but no data rows.")})
    if job.kind == ImportJob.Kind.ORDERS and job.channel is None:
        message = _("Choose where the orders come from (the channel).")
        checked.errors.insert(0, {"row": 0, "column": "", "message": message})
    return header, rows, checked


def job_check(*, job_id: int) -> ImportJob:
    """Read and check the whole file: the job is READY (with a preview) or INVALID (with the report), and says how
    many rows were read and refused."""
    job = ImportJob.objects.select_related("created_by", "channel").get(pk=job_id)
    if job.status != S.CHECKING:
        return job
    header, rows, checked = _check_file(job)
    summary = ""
    if len(checked.errors) > ERRORS_KEPT:
        summary = _("%(n)s problems; the first 1,000 are listed.") % {"n": f"{len(checked.errors):,}"}
    ImportJob.objects.filter(pk=job_id, status=S.CHECKING).update(
        status=S.INVALID if checked.errors else S.READY,
        total=checked.read,
        refused=checked.refused,
        errors=checked.errors[:ERRORS_KEPT],
        preview=[header] + rows[:PREVIEW_ROWS] if header else [],
        summary=summary,
    )
    return ImportJob.objects.get(pk=job_id)


def _progress_key(job_id: int) -> str:
    return f"q9:import:{job_id}:done"


def progress(job: ImportJob) -> int:
    if job.status == S.DONE:
        return job.done
    return int(cache.get(_progress_key(job.pk)) or 0)


def progress_context(job: ImportJob, poll_url: str) -> dict:
    """What a job's page and its polled progress part show: the job, rows imported so far, the percentage, and the
    address the part polls while the job checks, waits or runs."""
    done = progress(job)
    return {"job": job, "done": done, "percent": int(100 * done / job.total) if job.total else 0, "poll_url": poll_url}


class _Busy(Exception):
    pass


def _refused_rows(errors: list[dict]) -> int:
    return len({e["row"] for e in errors if e["row"] >= 2})


def _import(job_id: int) -> None:
    """The import itself, in one transaction, under the job's row lock (a duplicate delivery finds it taken)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                job = (
                    ImportJob.objects.select_for_update(nowait=True, of=("self",))
                    .select_related("created_by", "channel")
                    .get(pk=job_id, status=S.RUNNING)
                )
        except (ImportJob.DoesNotExist, DatabaseError):
            raise _Busy from None  # another delivery is running it (or it ended meanwhile)
        _header, _rows, checked = _check_file(job)
        if checked.errors:
            raise Refused(checked.errors)
        key = _progress_key(job_id)
        with transaction.atomic():
            summary = importer_for(job.kind).run(job, checked.records, lambda n: cache.set(key, n, timeout=3600))
        ImportJob.objects.filter(pk=job.pk).update(
            status=S.DONE,
            total=checked.read,
            done=len(checked.records),
            refused=0,
            finished_at=timezone.now(),
            summary=summary,
        )


def job_run(*, job_id: int) -> ImportJob:
    """Import a checked file in one transaction; any failure imports nothing and is reported (FAILED, with its
    reason), never a job left "running". The job shows "running" from the moment a worker takes it."""
    ImportJob.objects.filter(pk=job_id, status__in=(S.QUEUED, S.READY)).update(status=S.RUNNING)
    if ImportJob.objects.get(pk=job_id).status != S.RUNNING:
        return ImportJob.objects.get(pk=job_id)
    try:
        _import(job_id)
    except _Busy:
        return ImportJob.objects.get(pk=job_id)
    except Refused as exc:
        _failed(job_id, exc.errors, _("Errors were found while importing: nothing was imported."))
    except Exception:  # noqa: BLE001 - whatever broke, the job says so and can be retried
        logger.exception("import %s failed", job_id)
        message = _(
            "An unexpected error stopped import %(n)s; the technical team finds it in the log by this number."
        ) % {"n": job_id}
        _failed(
            job_id,
            [{"row": 0, "column": "", "message": message}],
            _("The import failed: nothing was imported. Retry it, or report it if it fails again."),
        )
    cache.delete(_progress_key(job_id))
    return ImportJob.objects.get(pk=job_id)


def _failed(job_id: int, errors: list[dict], summary: str) -> None:
    ImportJob.objects.filter(pk=job_id).update(
        status=S.FAILED,
        errors=errors[:ERRORS_KEPT],
        refused=_refused_rows(errors),
        done=0,
        finished_at=timezone.now(),
        summary=summary[:300],
    )


def job_start(*, job_id: int) -> bool:
    """A checked job into the queue. False, and the job back to "ready", when the task queue cannot take it (a
    short timeout: a stopped or frozen broker never holds the page)."""
    ImportJob.objects.filter(pk=job_id, status=S.READY).update(status=S.QUEUED)
    if jobs.publish("orders.tasks.import_run", job_id):
        return True
    ImportJob.objects.filter(pk=job_id, status=S.QUEUED).update(status=S.READY)
    return False


def job_retry(*, job_id: int) -> bool:
    """A failed job sent again: to its check if it was never checked, else to the import (its file is checked
    again when it runs). False if it was not failed or the task queue cannot take it (it stays queued)."""
    job = ImportJob.objects.filter(pk=job_id, status=S.FAILED).first()
    if job is None:
        return False
    checked = bool(job.preview)
    ImportJob.objects.filter(pk=job_id).update(
        status=S.QUEUED if checked else S.CHECKING, errors=[], summary="", finished_at=None, done=0, refused=0
    )
    return jobs.publish("orders.tasks.import_run" if checked else "orders.tasks.import_check", job_id)
