"""The order history's month partitions (``core.partitions``): order events are partitioned by the Beijing month
of ``at`` (``orders.0019``); months are created ahead by beat and archived past the horizon (``retention``)."""

from __future__ import annotations

from core.partitions import Partitioned

from .models import OrderEvent

EVENTS = Partitioned(table=OrderEvent._meta.db_table, column="at")
