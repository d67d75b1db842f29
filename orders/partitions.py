"""The orders app's month partitions (``core.partitions``): order events (``orders.0019``) and callback delivery
attempts (``orders.0020``) are partitioned by the Beijing month of ``at``; months are created ahead by beat and
archived past the horizon (``retention``)."""

from __future__ import annotations

from core.partitions import Partitioned

from .models import CallbackAttempt, OrderEvent

EVENTS = Partitioned(table=OrderEvent._meta.db_table, column="at")
CALLBACK_ATTEMPTS = Partitioned(table=CallbackAttempt._meta.db_table, column="at")
