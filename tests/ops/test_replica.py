"""The read replica: a real streaming replica (pg_basebackup of a private primary this test starts, a second server
on another port). Report reads go to it while it keeps up; when it lags beyond REPLICA_MAX_LAG_SECONDS or is down
they read the primary; writes never go there."""

import time
import types

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections

from core import replica
from core.models import Province
from devtools.pgcluster import Cluster, remove, workdir


@pytest.fixture(scope="module")
def streaming(django_db_setup, django_db_blocker):  # the test database exists before the schema is copied
    """A primary holding a province table like ours with one row, and its streaming replica."""
    work = workdir("q9-replica-")
    primary = Cluster(work / "primary").init().start()
    standby = Cluster(work / "replica")
    try:
        with django_db_blocker.unblock(), connection.schema_editor(collect_sql=True, atomic=False) as editor:
            editor.create_model(Province)
        for statement in editor.collected_sql:
            primary.execute(statement)
        primary.execute(
            f"INSERT INTO {Province._meta.db_table} (code, name, service_start, service_end) "
            "VALUES ('99', '副本省', '08:00', '20:00')"
        )
        primary.base_backup(standby.data, "-R")
        standby.start()
        standby.wait_until(f"SELECT count(*) FROM {Province._meta.db_table}", 1)
        yield primary, standby
    finally:
        standby.stop("immediate")
        primary.stop("immediate")
        remove(work)


def _allow_connecting(alias: str) -> None:
    """Django's test case refuses connections to aliases it was not set up with (it patches ensure_connection on the
    class); an alias added during the test gets the unpatched method on its own connection."""
    patched = type(connections[alias]).ensure_connection
    cells = [c.cell_contents for c in (getattr(patched, "__closure__", None) or ())]
    real = next((f for f in cells if getattr(f, "__name__", "") == "ensure_connection"), patched)
    connections[alias].ensure_connection = types.MethodType(real, connections[alias])


@pytest.fixture
def replica_alias(streaming, settings, db):
    """The replica as the 'replica' alias of this process, looked at before every block (no caching); the test
    database as the primary, holding one province of its own (the replica is not a copy of it, so every answer
    tells which server gave it)."""
    _primary, standby = streaming
    Province.objects.create(code="97", name="主库省")
    connections.settings[replica.REPLICA] = {
        **connections.settings[DEFAULT_DB_ALIAS],
        "HOST": "127.0.0.1",
        "PORT": standby.port,
        "NAME": "postgres",
        "CONN_MAX_AGE": 0,
        "OPTIONS": {"connect_timeout": 2},
    }
    _allow_connecting(replica.REPLICA)
    settings.REPLICA_CHECK_SECONDS = 0
    settings.REPLICA_MAX_LAG_SECONDS = 2
    try:
        yield streaming
    finally:
        connections[replica.REPLICA].close()
        del connections[replica.REPLICA]
        del connections.settings[replica.REPLICA]


def _names() -> list[str]:
    return list(Province.objects.filter(code__gte="97").order_by("code").values_list("name", flat=True))


def test_report_reads_go_to_the_replica_and_writes_to_the_primary(replica_alias):
    assert _names() == ["主库省"]  # outside a block: the primary
    with replica.replica_reads() as alias:
        assert alias == replica.REPLICA
        assert _names() == ["副本省"]
        Province.objects.create(code="98", name="写入省")  # a write inside the block still goes to the primary
    assert Province.objects.filter(code="98").exists()
    with replica.replica_reads():
        assert _names() == ["副本省"]


def test_a_lagging_replica_sends_reads_to_the_primary_until_it_catches_up(replica_alias):
    primary, standby = replica_alias
    assert replica.read_alias() == replica.REPLICA
    standby.execute("SELECT pg_wal_replay_pause()")
    try:
        primary.execute(f"UPDATE {Province._meta.db_table} SET name = '副本省改' WHERE code = '99'")
        time.sleep(2.5)
        assert replica.replica_lag() > 2
        with replica.replica_reads() as alias:
            assert alias == DEFAULT_DB_ALIAS
            assert _names() == ["主库省"]
    finally:
        standby.execute("SELECT pg_wal_replay_resume()")
    standby.wait_until(f"SELECT name FROM {Province._meta.db_table}", "副本省改")
    with replica.replica_reads() as alias:
        assert alias == replica.REPLICA and _names() == ["副本省改"]


def test_a_replica_that_is_down_sends_reads_to_the_primary(replica_alias):
    _primary, standby = replica_alias
    standby.stop("immediate")
    try:
        started = time.monotonic()
        assert replica.replica_lag() is None
        with replica.replica_reads() as alias:
            assert alias == DEFAULT_DB_ALIAS
            assert _names() == ["主库省"]
        assert time.monotonic() - started < 5
    finally:
        standby.start()
    # back and streaming again: reads return to it (until then an idle replica's last replay counts as its lag)
    standby.wait_until("SELECT count(*) FROM pg_stat_wal_receiver WHERE status = 'streaming'", 1)
    assert replica.read_alias() == replica.REPLICA


def test_the_router_never_writes_to_the_replica():
    router = replica.ReplicaRouter()
    with replica.replica_reads():
        assert router.db_for_write(Province) == DEFAULT_DB_ALIAS
    assert router.allow_migrate(replica.REPLICA, "core") is False
