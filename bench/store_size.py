"""Store size against journal size, with every kind of record a mentee writes: check-ins, goals and
their progress, milestones, meetings with action items (and the actions done), concerns,
feedback and self-assessments, in the proportions of a real diary. Prints the SQLite file (its
write-ahead log included), the snapshots and view cache in it, and the bytes per entry, which
must stay flat as the journal grows (linear growth), next to jrnl's plain-text file for as many
entries.

    python bench/store_size.py [--sizes 1000,10000,100000]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from uuid import uuid4

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))



def write(app, entries: int) -> None:
    """`entries` records of every kind, saved in batches of 50 as a day's commands would be."""
    from journal.app import project_journal

    journal = app.repository.get(app.journal_id, projector_func=project_journal)
    goals: list[str] = []
    start = (datetime.now(timezone.utc) - timedelta(hours=entries + 48)).replace(minute=0, second=0, microsecond=0)
    written = 0
    n = 0
    while written < entries:
        at = start + timedelta(hours=n)  # one an hour, the last two days ago
        turn = n % 20
        if turn == 0:
            goals.append(journal.set_goal(f"Goal {n}: run the standup every day", measure="standups", target=20,
                                          due=(at + timedelta(days=90)).date(), at=at))
        elif turn == 5 and goals:
            journal.progress_goal(goals[-1], n % 20, note="on the way", at=at)
        elif turn == 7 and goals:
            journal.add_milestone(goals[-1], f"Milestone {n}", at=at)
        elif turn == 10:
            journal.log_meeting(minutes=60, focus=f"Meeting {n}: delegation", concerns=("tired",),
                                next_focus="feedback", actions=(f"Action {n}", f"Read chapter {n}"),
                                infer_mentor=False, at=at)
        elif turn == 13:
            first_open = next((a for a, state in journal.actions.items() if state == "open"), None)
            if first_open is not None:
                journal.complete_action(first_open, at=at)
        elif turn == 12:
            journal.note_concern(f"Concern {n}: two projects at once", at=at)
        elif turn == 15:
            journal.add_feedback(f"Feedback {n}: the role-play helped", at=at)
        elif turn == 17:
            journal.assess_self({"delegation": 1 + n % 5, "feedback": 2}, note="monthly", at=at)
        else:
            journal.check_in(f"Day {n}: worked on the parser, paired with Priya, wrote it down.", mood=1 + n % 5,
                             confidence=3, tags=("work",), at=at)
        written += 1
        n += 1
        if written % 50 == 0:
            app.save(journal)
    app.save(journal)


def measure(size: int, place: Path) -> dict[str, float]:
    from journal.app import JournalApp
    from journal.identity import new_identity

    identity = new_identity(place / "identity.json", name="Bench", role="mentee", journal_id=uuid4())
    app = JournalApp(place / "journal.db", identity, create=True)
    app.create_journal()
    started = time.perf_counter()
    write(app, size)
    app.entries()  # a read, as the next command would: the view cache is written
    seconds = time.perf_counter() - started
    app.close()
    files = [p for p in place.iterdir() if p.name.startswith("journal.db")]
    total = sum(p.stat().st_size for p in files)
    db = sqlite3.connect(place / "journal.db")
    try:
        snapshots = db.execute("SELECT COUNT(*), COALESCE(SUM(length(state)), 0) FROM stored_snapshots").fetchone()
        cache = sum(db.execute(f"SELECT COALESCE(SUM(length(blob)), 0) FROM {table}").fetchone()[0]
                    for table in ("mj_view_cache", "mj_view_pages"))  # the index and its pages
    finally:
        db.close()
    return {"total": total, "snapshots": snapshots[0], "snapshot_bytes": snapshots[1], "cache": cache,
            "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; realistic journals (every record kind), SQLite file with its WAL")
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            place = Path(tmp) / str(size)
            place.mkdir()
            m = measure(size, place)
            jrnl = sum(len(f"[2020-01-01 09:00:00 AM] Day {n}: worked on the parser, paired with Priya, wrote it "
                           "down. @work\n\n") for n in range(size))
            print(f"{size:>7,} entries: store {m['total'] / 2**20:7.1f} MiB ({m['total'] / size:6.0f} B an entry); "
                  f"snapshots {m['snapshots']} ({m['snapshot_bytes'] / 2**20:5.2f} MiB), view cache "
                  f"{m['cache'] / 2**20:5.1f} MiB; written in {m['seconds']:5.1f} s; jrnl's plain text "
                  f"{jrnl / 2**20:5.1f} MiB")


if __name__ == "__main__":
    main()
