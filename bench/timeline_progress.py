"""Timeline and progress over a journal of 10,000 entries: in the library (without and with the
encrypted view cache), as whole `mj` commands, and next to the same weekly timeline built from
eventsourcing's plain (unencrypted) notification log.

    python bench/projections.py [--entries 10000] [--runs 5]
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
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from uuid import uuid4

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eventsourcing.domain import Aggregate, event  # noqa: E402

PASSPHRASE = "a long enough bench passphrase"
MJ = Path(sys.executable).parent / "mj"


class Diary(Aggregate):
    """The plain baseline: one aggregate, one event type carrying a kind, a time and a text."""

    @event("Opened")
    def __init__(self) -> None:
        pass

    @event("Written")
    def write(self, kind: str, at: str, text: str) -> None:
        pass


def build_journal(home: Path, entries: int) -> dict[str, str]:
    """A realistic mix: goals, milestones, progress, meetings, and mostly check-ins."""
    from journal.app import JournalApp, project_journal
    from journal.identity import new_identity, save_identity

    me = new_identity(home / "identity.json", name="Bench", role="mentee", journal_id=uuid4())
    app = JournalApp(home / "journal.db", me, create=True)
    app.create_journal()
    save_identity(me, PASSPHRASE)
    journal = app.repository.get(app.journal_id, projector_func=project_journal)
    start = datetime.now(timezone.utc) - timedelta(hours=3 * entries + 24)
    aspiration = journal.state_aspiration("Lead a team", at=start)
    goals = [journal.set_goal(f"Goal {g}", measure="steps", target=100, aspiration_id=aspiration,
                              due=date.today() + timedelta(days=30), at=start) for g in range(20)]
    for n in range(entries - 21):
        at = start + timedelta(hours=3 * n + 1)
        goal = goals[n % 20]
        if n % 10 == 0:
            journal.progress_goal(goal, n // 200, at=at)
        elif n % 25 == 1:
            journal.add_milestone(goal, f"Step {n}", at=at)
        elif n % 50 == 2:
            journal.log_meeting(minutes=60, focus="Plan", actions=["Do a thing"], at=at)
        else:
            journal.check_in(f"Entry {n}: worked on the plan and wrote it down.", mood=1 + n % 5,
                             confidence=1 + n % 4, tags=("work",), at=at)
        if n % 50 == 49:
            app.save(journal)
    app.save(journal)
    app.close()
    return {**os.environ, "MJ_HOME": str(home), "MJ_PASSPHRASE": PASSPHRASE}


def plain_baseline(folder: Path, entries: int) -> float:
    """The same weekly grouping, read from eventsourcing's notification log with no encryption."""
    from eventsourcing.application import Application

    app = Application(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(folder / "plain.db")})
    diary, start = Diary(), datetime.now(timezone.utc) - timedelta(hours=3 * entries)
    for n in range(entries):
        diary.write(kind="checkin", at=(start + timedelta(hours=3 * n)).isoformat(), text=f"Entry {n}")
        if n % 50 == 49:
            app.save(diary)
    app.save(diary)
    started = time.perf_counter()
    weeks: dict[str, int] = {}
    for notification in app.recorder.select_notifications(start=1, limit=entries + 10):
        written = app.mapper.to_domain_event(notification)
        if hasattr(written, "at"):
            year, week, _ = datetime.fromisoformat(written.at).isocalendar()
            weeks[f"{year}-W{week:02d}"] = weeks.get(f"{year}-W{week:02d}", 0) + 1
    elapsed = time.perf_counter() - started
    app.close()
    return elapsed


def library_figures(home: Path) -> dict[str, float]:
    from journal.app import JournalApp
    from journal.identity import unlock_identity
    from projections.entries import EntryFilter
    from projections.model import JournalModel
    from projections.progress import progress_view
    from projections.timeline import timeline

    app = JournalApp(home / "journal.db", unlock_identity(home / "identity.json", PASSPHRASE))
    figures = {}
    for label in ("cold: open every record, write the cache", "warm: from the encrypted cache"):
        started = time.perf_counter()
        model = JournalModel.build(app.history())
        figures[f"{label} + fold"] = time.perf_counter() - started
    started = time.perf_counter()
    timeline(model, EntryFilter(), "week")
    figures["timeline from the model"] = time.perf_counter() - started
    started = time.perf_counter()
    progress_view(model, date.today())
    figures["progress from the model"] = time.perf_counter() - started
    app.close()
    return figures


def command(args: list[str], env: dict[str, str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([str(MJ), *args], env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}; {args.entries:,} entries")
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "mj"
        home.mkdir()
        env = build_journal(home, args.entries)
        for label, seconds in library_figures(home).items():
            print(f"  library  {label:<52} {seconds * 1000:7.1f} ms")
        baseline = plain_baseline(Path(tmp), args.entries)
        print(f"  plain eventsourcing notification log, weekly timeline, no crypto {baseline * 1000:7.1f} ms")
        for view in (["timeline", "--json"], ["progress", "--json"], ["entries", "--contains", "plan", "--json"]):
            print(f"  command  mj {' '.join(view):<49} {command(view, env, args.runs) * 1000:7.1f} ms (median, "
                  "unlock included)")
    print("Target: a filtered query over 10,000 entries faster than jrnl's 300–700 ms")


if __name__ == "__main__":
    main()
