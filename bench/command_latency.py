"""Wall time of whole `mj` commands, as a person meets them: `mj --help`, `mj checkin` on
journals of 1,000 and 10,000 entries (unlock with the real Argon2id parameters included), and a
filtered query over 10,000 entries.

    python bench/command_latency.py [--runs 7]

Runs the console script next to this interpreter, not a pyenv shim (which adds ~60 ms of bash).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from uuid import uuid4

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PASSPHRASE = "a long enough bench passphrase"
MJ = Path(sys.executable).parent / "mj"


def timed(args: list[str], env: dict[str, str], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([str(MJ), *args], env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return statistics.median(times), min(times)


def build_journal(home: Path, entries: int) -> dict[str, str]:
    """A journal of `entries` check-ins, written through the library in batches (fast to build)."""
    from journal.app import JournalApp, project_journal
    from journal.identity import new_identity, save_identity

    me = new_identity(home / "identity.json", name="Bench", role="mentee", journal_id=uuid4())
    app = JournalApp(home / "journal.db", me, create=True)
    app.create_journal()
    save_identity(me, PASSPHRASE)  # the real default KDF: 64 MiB, t=3, p=4
    journal = app.repository.get(app.journal_id, projector_func=project_journal)
    start = datetime.now(timezone.utc) - timedelta(days=entries // 4 + 1)
    for n in range(entries):
        word = "parser" if n % 97 == 0 else "standup"
        journal.check_in(f"Day {n}: worked on the {word}, talked to the team, wrote it down.", mood=1 + n % 5,
                         tags=("work",), at=start + timedelta(hours=6 * n))
        if n % 50 == 49:
            app.save(journal)
    app.save(journal)
    app.close()
    return {**os.environ, "MJ_HOME": str(home), "MJ_PASSPHRASE": PASSPHRASE}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}; command: {MJ}")
    help_median, help_min = timed(["--help"], dict(os.environ), max(args.runs * 2, 15))
    print(f"mj --help                         median {help_median * 1000:6.0f} ms  min {help_min * 1000:5.0f} ms"
          "   [target ≤ 150 ms; jrnl 4.6: 130–200 ms]")
    checkin = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in (1_000, 10_000):
            home = Path(tmp) / str(size)
            home.mkdir()
            env = build_journal(home, size)
            checkin[size] = timed(["checkin", "A new day, written from the bench."], env, args.runs)
            print(f"mj checkin on {size:>6,} entries      median {checkin[size][0] * 1000:6.0f} ms  "
                  f"min {checkin[size][1] * 1000:5.0f} ms")
            if size == 10_000:
                query = timed(["entries", "--contains", "parser", "--json"], env, args.runs)
                print(f"mj entries --contains on 10,000   median {query[0] * 1000:6.0f} ms  "
                      f"min {query[1] * 1000:5.0f} ms"
                      "   [target: faster than jrnl's 300–700 ms]")
    ratio = checkin[10_000][0] / checkin[1_000][0]
    print(f"\ncheckin 10k / 1k: {ratio:.2f}  [target ≤ 1.2: appending is O(1)]")
    print(f"checkin at 10k vs jrnl 4.6 encrypted (1.4–2.0 s): {1.4 / checkin[10_000][0]:.1f}–"
          f"{2.0 / checkin[10_000][0]:.1f}× faster  [target ≥ 5×]")


if __name__ == "__main__":
    main()
