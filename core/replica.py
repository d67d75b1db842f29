"""The read replica (``DATABASE_REPLICA_URL``): reports, exports, statements and dashboards read from it, and only
where a view or selector says so (``replica_reads``); everything else, and every write, uses the primary.

Before a block of replica reads the process asks the replica how far behind it is (at most once every
``REPLICA_CHECK_SECONDS``); beyond ``REPLICA_MAX_LAG_SECONDS``, or when it cannot be reached, the block reads the
primary instead. ``ReplicaRouter`` (``DATABASE_ROUTERS``) sends a read to the alias the block chose, and every
write to the primary."""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"

# how far behind the replica is, in seconds: nothing when it has replayed all it received and still receives;
# since the last replayed transaction otherwise (a stopped stream counts as lag, so an idle replica that lost its
# primary is not trusted)
LAG_SQL = """
SELECT CASE
  WHEN NOT pg_is_in_recovery() THEN 0
  WHEN pg_last_wal_replay_lsn() >= pg_last_wal_receive_lsn()
       AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming') THEN 0
  ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 1e9)
END"""

_alias: ContextVar[str | None] = ContextVar("q9_read_alias", default=None)
_checked = {"at": float("-inf"), "alias": DEFAULT_DB_ALIAS}


def replica_configured() -> bool:
    return REPLICA in connections.settings


def replica_lag() -> float | None:
    """Seconds the replica is behind the primary; None when it cannot be reached."""
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(LAG_SQL)
            return float(cursor.fetchone()[0])
    except DatabaseError as exc:
        logger.warning("read replica unreachable: %s", exc)
        connections[REPLICA].close()
        return None


def read_alias(*, fresh: bool = False) -> str:
    """Where a block of report reads goes now: the replica while it is reachable and close enough, else the
    primary. The answer is kept for ``REPLICA_CHECK_SECONDS`` (``fresh`` asks again)."""
    if not replica_configured():
        return DEFAULT_DB_ALIAS
    now = time.monotonic()
    if fresh or now - _checked["at"] >= settings.REPLICA_CHECK_SECONDS:
        lag = replica_lag()
        alias = REPLICA if lag is not None and lag <= settings.REPLICA_MAX_LAG_SECONDS else DEFAULT_DB_ALIAS
        if alias != _checked["alias"]:
            logger.warning("report reads now on %s (replica lag: %s s)", alias, "down" if lag is None else lag)
        _checked.update(at=now, alias=alias)
    return _checked["alias"]


@contextmanager
def replica_reads():
    """Reads inside the block (a view, as a decorator, or a selector) go to the replica when it is fit for them."""
    token = _alias.set(read_alias())
    try:
        yield _alias.get()
    finally:
        _alias.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return _alias.get()

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
