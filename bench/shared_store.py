"""The shared store next to the embedded one, in the same run: append and replay rates of the
sealed journal on PostgreSQL and on SQLite (with eventsourcing's own unsealed figures on each for
reference), then aggregate write throughput with 1, 2, 4 and 8 writer processes, each on its own
journal, one save per write as the command line does; and a whole `mj checkin` on each.

    python bench/shared_store.py [--events 10000] [--writes 300]

PostgreSQL is a throwaway server on loopback (scripts/pgserver.py), Debian's defaults (fsync on).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from uuid import uuid4

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts"), str(ROOT / "bench")]

from append_replay import eventsourcing_rates  # noqa: E402
from pgserver import ThrowawayPostgres  # noqa: E402

PASSPHRASE = "bench passphrase, not a secret"
TEXT = "an ordinary day of notes, about the work and how it went"


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:>8,.0f} ev/s"


def sealed(store: str, folder: Path, events: int) -> dict[str, float]:
    from journal import identity
    from journal.app import JournalApp, project_journal

    me = identity.new_identity(folder / f"bench-{uuid4().hex[:6]}.json", name="Bench", role="mentee",
                               journal_id=uuid4())
    app = JournalApp(store, me, create=True)
    app.create_journal()
    figures = {}
    started = time.perf_counter()
    journal = app.repository.get(app.journal_id, projector_func=project_journal)
    for _ in range(events // 10):
        for _ in range(10):
            journal.check_in(TEXT, mood=3, tags=("work",))
        app.save(journal)
    figures["append, one save per 10 events"] = (time.perf_counter() - started, events)
    single = max(events // 10, 100)
    started = time.perf_counter()
    for _ in range(single):
        app.update(lambda j: j.check_in("one save per event, as the command line does", mood=4))
    figures["append, one save per event"] = (time.perf_counter() - started, single)
    started = time.perf_counter()
    entries = app.entries()
    figures["replay: open, verify chain, view every record"] = (time.perf_counter() - started, len(entries))
    app.close()
    return figures


WORKER = """
import json, sys, time
from pathlib import Path
from journal.app import JournalApp
from journal.identity import unlock_identity
store, identity, writes, passphrase = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
app = JournalApp(store, unlock_identity(identity, passphrase))
app.update(lambda j: j.check_in("warm-up"))
print("ready", flush=True)
sys.stdin.readline()
started = time.perf_counter()
for n in range(writes):
    app.update(lambda j: j.check_in(f"write {n}", mood=3))
print(json.dumps({"seconds": time.perf_counter() - started}), flush=True)
app.close()
"""


def writers(store: str, identities: list[Path], writes: int) -> float:
    """Aggregate writes per second with one process per identity, all released at once."""
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, store, str(i), str(writes), PASSPHRASE], cwd=ROOT,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) for i in identities]
    for proc in procs:
        assert proc.stdout.readline().strip() == "ready"
    started = time.perf_counter()
    for proc in procs:
        proc.stdin.write("go\n")
        proc.stdin.flush()
    for proc in procs:
        json.loads(proc.stdout.readline())
        proc.wait(timeout=600)
    return len(identities) * writes / (time.perf_counter() - started)


def command_median(store: str, identity: Path, runs: int = 7) -> float:
    """Median wall time of a whole `mj checkin` (start-up, unlock, connect, write)."""
    import statistics

    mj = str(Path(sys.executable).parent / "mj")  # the console script beside this interpreter, PATH or not
    env = {**os.environ, "MJ_STORE": store, "MJ_IDENTITY": str(identity), "MJ_PASSPHRASE": PASSPHRASE}
    times = []
    for n in range(runs):
        started = time.perf_counter()
        subprocess.run([mj, "checkin", f"timed check-in {n}", "--mood", "3"], env=env, check=True,
                       capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--writes", type=int, default=300, help="writes per writer process")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.machine()}")
    from journal.enrolment import enrol

    with tempfile.TemporaryDirectory() as tmp, ThrowawayPostgres() as pg:
        folder = Path(tmp)
        stores = {"SQLite": str(folder / "journal.db"), "PostgreSQL": pg.url}
        es_env = {"SQLite": {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(folder / "es.db")},
                  "PostgreSQL": {"PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_DBNAME": pg.dbname,
                                 "POSTGRES_HOST": "127.0.0.1", "POSTGRES_PORT": str(pg.port),
                                 "POSTGRES_USER": pg.user, "POSTGRES_PASSWORD": pg.password}}
        print(f"\nAppend and replay, {args.events:,} events")
        for backend, store in stores.items():
            append, replay = eventsourcing_rates(es_env[backend], args.events, 10)
            print(f"  {backend:<10} eventsourcing, unsealed: append {rate(args.events, append)}   "
                  f"replay {rate(args.events, replay)}")
            for label, (seconds, n) in sealed(store, folder, args.events).items():
                print(f"  {backend:<10} mj sealed, {label:<46} {rate(n, seconds)}")

        print(f"\nConcurrent writers, one journal each, {args.writes} writes each (one save per write)")
        identities = []
        for n in range(8):
            identities.append(folder / f"writer{n}.json")
        for backend, store in stores.items():
            for n, identity in enumerate(identities):
                identity.unlink(missing_ok=True)
                enrol(identity, store, name=f"Writer {n}", role="mentee", passphrase=PASSPHRASE)
            line = []
            for count in (1, 2, 4, 8):
                per_second = writers(store, identities[:count], args.writes)
                line.append(f"{count} writer{'s' if count > 1 else ' '}: {per_second:>6,.0f}/s")
            print(f"  {backend:<10} " + "   ".join(line))

        print("\nA whole `mj checkin` (real Argon2id, start-up and connection included), median of 7")
        for backend, store in stores.items():
            identity = folder / f"command-{backend}.json"
            enrol(identity, store, name="Command", role="mentee", passphrase=PASSPHRASE)
            print(f"  {backend:<10} {command_median(store, identity) * 1000:>5.0f} ms")


if __name__ == "__main__":
    main()
