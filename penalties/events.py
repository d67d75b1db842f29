"""The only place that writes ``ViolationEvent`` rows: every act on a violation leaves one, appended, never
changed. Violations the clock finds (the sweep, work orders left unanswered) get their "detected" event in the
statement that inserts them (set-based, same transaction)."""

from __future__ import annotations

from datetime import datetime

from django.db import connection
from psycopg.types.json import Jsonb

from .models import Violation, ViolationEvent

_DETECTED = """
WITH found AS ({insert})
INSERT INTO penalties_violationevent (violation_id, kind, at, actor_id, text, data)
SELECT found.id, 'detected', %(detected_at)s, NULL, '', %(detected_data)s FROM found
RETURNING violation_id"""


def event_record(
    violation: Violation, kind: str, *, actor=None, at: datetime, text: str = "", **data
) -> ViolationEvent:
    if kind not in ViolationEvent.LABELS:
        raise ValueError(f"unknown violation event {kind}")
    if kind == "detected":
        # a judgement is recorded once: a second finding of the same violation (a re-judgement, a retried task)
        # adds nothing to its record
        recorded = ViolationEvent.objects.filter(violation=violation, kind="detected").first()
        if recorded is not None:
            return recorded
    return ViolationEvent.objects.create(
        violation=violation, kind=kind, at=at, actor=actor if getattr(actor, "pk", None) else None, text=text, data=data
    )


def detected_insert(insert: str, params: dict, *, at: datetime, source: str) -> list[int]:
    """Run an ``INSERT INTO penalties_violation … RETURNING id`` and record a "detected" event for each row it
    inserted, in one statement. Returns the new violations' ids."""
    with connection.cursor() as cursor:
        cursor.execute(
            _DETECTED.format(insert=insert), {**params, "detected_at": at, "detected_data": Jsonb({"source": source})}
        )
        return [row[0] for row in cursor.fetchall()]
