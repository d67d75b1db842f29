"""Publishing to the Celery broker without putting it on a request's critical path.

Every "kick" after a commit (deliver the callbacks now, send this e-mail copy, run this import) goes through
``kick``: the publish has a short timeout (``BROKER_PUBLISH_TIMEOUT``, 0.5 s; no retries), a
failure is logged and swallowed — the state is already committed and the outbox rows, the e-mail backlog job
or the import job's own status let beat pick it up — and after a failure the broker is skipped for
``BROKER_BREAKER_SECONDS`` (10 s), so a stopped or frozen Redis costs one clerk one timeout, not everyone 19 s."""

from __future__ import annotations

import logging
import time

from django.conf import settings

logger = logging.getLogger(__name__)

BREAKER_SECONDS = 10.0
_open_until = 0.0


def degraded() -> bool:
    return time.monotonic() < _open_until


def reset() -> None:
    global _open_until
    _open_until = 0.0


def kick(task, *args, **kwargs) -> bool:
    """``task.apply_async(args, kwargs)`` with the broker's short timeouts; False when it was not sent."""
    global _open_until
    if degraded():
        logger.info("broker skipped (recent failure): %s will be picked up by beat", task.name)
        return False

    seconds = settings.BROKER_PUBLISH_TIMEOUT
    options = {
        **(task.app.conf.broker_transport_options or {}),
        "socket_timeout": seconds,
        "socket_connect_timeout": seconds,
    }
    try:
        # its own connection with short socket timeouts, tried once without kombu's 2-second back-off (the
        # worker's and beat's connections keep their own settings)
        with task.app.connection_for_write(transport_options=options, connect_timeout=seconds) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=seconds)
            task.apply_async(args=args, kwargs=kwargs, connection=conn, retry=False)
        return True
    except Exception as exc:  # noqa: BLE001 - kombu/redis errors of every kind: the outbox and beat catch up
        _open_until = time.monotonic() + BREAKER_SECONDS
        logger.warning("broker unavailable (%s): %s left to beat", exc.__class__.__name__, task.name)
        return False
