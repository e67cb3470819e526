"""What the chain checks cost a command on a journal of 10,000 entries: one write
(`JournalApp.update`, which loads the journal from its newest snapshot and the records after it),
one full read (`history`, which hashes the whole chain and opens the view cache) and `verify`,
each in a JournalApp opened afresh, as a command does, on SQLite.

    python bench/chain_checks.py [--entries 10000] [--runs 15]

To compare two versions of mj, copy this file into the other checkout's bench/ and run it there
(it imports the checkout it sits in).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from uuid import uuid4


def build_journal(home: Path, entries: int):
    from journal import identity as identity_module
    from journal.app import JournalApp, project_journal
    from journal.identity import new_identity, save_identity

    identity_module.KDF_DEFAULT = {"memory_kib": 8 * 1024, "iterations": 1, "lanes": 1}  # unlocking is not timed
    me = new_identity(home / "identity.json", name="Bench", role="mentee", journal_id=uuid4())
    app = JournalApp(home / "journal.db", me, create=True)
    app.create_journal()
    save_identity(me, "a long enough bench passphrase")
    journal = app.repository.get(app.journal_id, projector_func=project_journal)
    start = datetime.now(timezone.utc) - timedelta(days=entries // 4 + 1)
    for n in range(entries):
        journal.check_in(f"Day {n}: worked on the parser, talked to the team.", mood=1 + n % 5,
                         at=start + timedelta(hours=6 * n))
        if n % 50 == 48:  # saves of 50 records each, so that one lands on every snapshot interval
            app.save(journal)
    app.save(journal)
    app.history()  # writes the view cache, as the first read after so many records does
    app.close()
    return me


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from domain.journal import MenteeJournal
    from journal.app import JournalApp

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        me = build_journal(home, args.entries)
        apps: list = []

        def fresh():
            apps.append(JournalApp(home / "journal.db", me))
            apps[-1].keyring.current(me.journal_id)  # the unlock of the journal key is not timed
            return apps[-1]

        for name, action in (("update (one check-in)", lambda app: app.update(MenteeJournal.check_in, "one more")),
                             ("load (state for a write)", lambda app: app._journal()),
                             ("history (every entry)", lambda app: app.history()),
                             ("verify", lambda app: app.verify())):
            runs = args.runs if name != "verify" else max(3, args.runs // 5)
            times = []
            for _ in range(runs):
                app = fresh()
                started = time.perf_counter()
                action(app)
                times.append(time.perf_counter() - started)
                app.close()
            print(f"{name:28} on {args.entries:,} entries: median {statistics.median(times) * 1000:7.2f} ms  "
                  f"min {min(times) * 1000:7.2f} ms")


if __name__ == "__main__":
    main()
