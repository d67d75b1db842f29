"""Work-order result delivery attempts in month partitions (``core.partitions``, ``complaints.0006``): by the
Beijing month of ``at``; months are created ahead by beat and archived past the horizon (``retention``)."""

from __future__ import annotations

from core.partitions import Partitioned

from .models import ResultAttempt

RESULT_ATTEMPTS = Partitioned(table=ResultAttempt._meta.db_table, column="at")
