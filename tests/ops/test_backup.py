"""`make backup` restores into an empty database with the same row counts."""

import psycopg
import pytest
from django.db import connection

from core.services import message_send
from devtools import stack


def _row_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url, autocommit=True) as conn:
        tables = [
            r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        ]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_an_empty_database(net, tmp_path, monkeypatch):
    message_send(audience="site", site=net.site_a, title="备份测试")
    source = stack.database_url_from_settings(connection.settings_dict)
    target_name = f"{connection.settings_dict['NAME']}_restore"
    target = stack.database_url_from_settings(connection.settings_dict, name=target_name)
    admin = stack.database_url_from_settings(connection.settings_dict, name="postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target_name}"')
        conn.execute(f'CREATE DATABASE "{target_name}"')
    try:
        dump = tmp_path / "q9.dump"
        monkeypatch.setenv("DATABASE_URL", source)
        assert stack.cmd_backup(str(dump)) == 0
        assert dump.stat().st_size > 0
        monkeypatch.setenv("DATABASE_URL", target)
        assert stack.cmd_restore(str(dump)) == 0
        before, after = _row_counts(source), _row_counts(target)
        assert before["core_site"] == 5 and before["core_message"] == 1
        assert after == before
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{target_name}" WITH (FORCE)')


def test_restore_refuses_a_missing_file(tmp_path):
    assert stack.cmd_restore(str(tmp_path / "nope.dump")) == 2
