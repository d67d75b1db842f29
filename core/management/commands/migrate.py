"""Django's ``migrate`` with a lock timeout and a statement timeout, first recording ``core.0001`` as applied on a
database made before the ground floor moved.

Every statement of a migration runs with ``lock_timeout`` (``MIGRATION_LOCK_TIMEOUT``, 5 s) and ``statement_timeout``
(``MIGRATION_STATEMENT_TIMEOUT``, 15 min): an ALTER that must wait for a table's lock gives up after seconds instead of
queueing every clerk's request behind it, and the migration fails (and is retried at a quiet moment) rather than
holding the lock. Which operations may touch a large table at all is checked by tests/test_migration_safety.py.

``core.0001`` only describes, in the migration state, tables that ``dispatch`` created long ago; nothing of it
touches the database. Django's own admin migration depends on the user model's app (now ``core``) and was applied
long ago, so without this step ``migrate`` would refuse such a database (InconsistentMigrationHistory)."""

from contextlib import suppress

from django.conf import settings
from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import DatabaseError, connections
from django.db.migrations.recorder import MigrationRecorder

LAST_BEFORE_THE_MOVE = ("dispatch", "0003_message_email_wanted")
TAKE_OVER = ("core", "0001_initial")


def adopt_moved_tables(connection) -> bool:
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return False
    applied = recorder.applied_migrations()
    if LAST_BEFORE_THE_MOVE in applied and TAKE_OVER not in applied:
        recorder.record_applied(*TAKE_OVER)
        return True
    return False


class Command(DjangoMigrate):
    def handle(self, *args, **options):
        connection = connections[options["database"]]
        if adopt_moved_tables(connection) and options["verbosity"]:
            self.stdout.write("Recorded core.0001_initial: the ground floor's tables already exist (made by dispatch).")
        with connection.cursor() as cursor:  # for the session: every migration's transaction inherits them
            cursor.execute("SELECT set_config('lock_timeout', %s, false)", [settings.MIGRATION_LOCK_TIMEOUT])
            cursor.execute("SELECT set_config('statement_timeout', %s, false)", [settings.MIGRATION_STATEMENT_TIMEOUT])
        try:
            return super().handle(*args, **options)
        finally:
            with suppress(DatabaseError), connection.cursor() as cursor:  # the connection may serve on: its defaults
                cursor.execute("RESET lock_timeout")
                cursor.execute("RESET statement_timeout")
