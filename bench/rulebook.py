"""The rule book against its oracle, at scale: random order histories through the real services on PostgreSQL
(``tests/penalties/test_rulebook_property.py``), each compared with the independent oracle; disagreements are
counted, not stopped at.

    python -m bench.rulebook [--smoke|--quick] [--examples N] [--plant [both|judge|sql]]

The histories include facts delivered late (a 揽收 scan reaching the feed up to two days after it was made,
closure days confirmed up to three days after the day): the oracle judges the final history only, and each
standing fine's explanation must compute the stored deadline. ``--plant`` plants a bug on purpose (an answer
exactly at the accept deadline counted late: ``>=`` for ``>``) in the sweep's SQL and the judge, to show the oracle
catches it; ``--plant sql`` plants it in the sweep's SQL only, which the re-judging of every order the sweep fines
corrects (no disagreement expected); ``--plant judge`` in the judge only (it decides the histories with late facts
and closures). Runs in the test database of ``devtools.stack test`` (Q9_DB_NAME, REDIS_URL).

Last line: RESULT rulebook examples=… disagreements=… seconds=… per_example_ms=… planted=0|1
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
TEST = "tests/penalties/test_rulebook_property.py::test_violations_agree_with_the_oracle"


# the keys of the RESULT line (tests/ops/test_benches.py runs every bench with --smoke and checks them)
PROMISED = ("examples", "disagreements", "seconds", "per_example_ms", "planted")


def main(argv: list[str]) -> int:
    examples = 20 if "--smoke" in argv else 40 if "--quick" in argv else 1000
    if "--examples" in argv:
        examples = int(argv[argv.index("--examples") + 1])
    plant = "--plant" in argv
    where = "both"
    if plant and argv.index("--plant") + 1 < len(argv) and argv[argv.index("--plant") + 1] in ("judge", "sql", "both"):
        where = argv[argv.index("--plant") + 1]
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "rulebook.json"
        env = {**os.environ, "RULEBOOK_EXAMPLES": str(examples), "RULEBOOK_REPORT": str(report)}
        if plant:
            env["RULEBOOK_PLANT"] = where
        started = time.perf_counter()
        code = subprocess.run(
            [sys.executable, "-m", "devtools.stack", "test", TEST, "-q", "-p", "no:cacheprovider"], cwd=BASE, env=env
        ).returncode
        seconds = time.perf_counter() - started
        if code != 0 or not report.exists():
            print(f"the property run failed (exit {code})", file=sys.stderr)
            return code or 1
        tally = json.loads(report.read_text(encoding="utf-8"))
    if tally["first"]:
        first = tally["first"]
        print(f"first disagreement: acts={first['acts']} end={first['end']}")
        print(f"  product={first['product']}")
        print(f"  oracle ={first['oracle']}")
    n = tally["examples"]
    print(
        f"RESULT rulebook examples={n} disagreements={tally['disagreements']} seconds={seconds:.1f} "
        f"per_example_ms={1000 * seconds / max(n, 1):.0f} planted={int(plant)}" + (f" plant={where}" if plant else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
