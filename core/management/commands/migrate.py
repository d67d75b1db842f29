"""Django's ``migrate``, first recording ``core.0001`` as applied on a database made before the ground floor moved.

``core.0001`` only describes, in the migration state, tables that ``dispatch`` created long ago; nothing of it
touches the database. Django's own admin migration depends on the user model's app (now ``core``) and was applied
long ago, so without this step ``migrate`` would refuse such a database (InconsistentMigrationHistory)."""

from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import connections
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
        if adopt_moved_tables(connections[options["database"]]) and options["verbosity"]:
            self.stdout.write("Recorded core.0001_initial: the ground floor's tables already exist (made by dispatch).")
        return super().handle(*args, **options)
