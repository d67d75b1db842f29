"""Recovery to a point in time: a private primary archives its WAL, `make backup` takes a base backup of it, two
writes follow a moment apart, and a restore to a moment between them finds the first and not the second."""

import time

from devtools import pitr
from devtools.pgcluster import Cluster, chown_tree, remove, workdir


def test_a_restore_to_a_moment_between_two_writes_finds_the_first_and_not_the_second(monkeypatch):
    work = workdir("q9-pitr-")
    backups, wal = work / "backups", work / "backups" / "wal"
    wal.mkdir(parents=True)
    chown_tree(backups)  # the server writes the archive
    monkeypatch.setenv("WAL_ARCHIVE", str(wal))
    primary = Cluster(work / "primary").init(archive_mode="on", archive_command=f"'{pitr.archive_command(wal)}'")
    restored = None
    try:
        primary.start()
        primary.execute("CREATE TABLE parcels (n int, at timestamptz DEFAULT clock_timestamp())")
        pitr.base_backup(primary.url(), backups)
        primary.execute("INSERT INTO parcels (n) VALUES (1)")
        time.sleep(1.0)
        moment = primary.execute("SELECT clock_timestamp()")[0][0]
        time.sleep(1.0)
        primary.execute("INSERT INTO parcels (n) VALUES (2)")
        segment = primary.execute("SELECT pg_walfile_name(pg_current_wal_lsn())")[0][0]
        primary.execute("SELECT pg_switch_wal()")
        primary.wait_until(f"SELECT last_archived_wal >= '{segment}' FROM pg_stat_archiver", True)
        assert [r[0] for r in primary.execute("SELECT n FROM parcels ORDER BY n")] == [1, 2]

        restored = pitr.restore(moment, data=work / "restored", backups=backups)

        assert [r[0] for r in restored.execute("SELECT n FROM parcels ORDER BY n")] == [1]
        restored.execute("INSERT INTO parcels (n) VALUES (3)")  # promoted: it takes writes
    finally:
        if restored is not None:
            restored.stop("immediate")
        primary.stop("immediate")
        remove(work)
