"""Append and replay rates on a file SQLite store: mj's sealed journal next to eventsourcing's
own plain and AESCipher figures, measured in the same run on the same machine.

    python bench/append_replay.py [--events 20000] [--batch 10]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from uuid import uuid4

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


from eventsourcing.domain import Aggregate, event  # noqa: E402


class Note(Aggregate):
    """The baseline's aggregate: one text field per event, like a check-in."""

    @event("Created")
    def __init__(self) -> None:
        pass

    @event("Written")
    def write(self, text: str) -> None:
        pass


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:>9,.0f} ev/s"


def eventsourcing_baseline(folder: Path, events: int, batch: int, cipher: bool) -> tuple[float, float]:
    """eventsourcing's documented way: aggregates of `batch` events, one save each."""
    from eventsourcing.cryptography import AESCipher

    env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(folder / "es.db")}
    if cipher:
        env.update(CIPHER_TOPIC="eventsourcing.cryptography:AESCipher", CIPHER_KEY=AESCipher.create_key(32))
    return eventsourcing_rates(env, events, batch)


def eventsourcing_rates(env: dict[str, str], events: int, batch: int) -> tuple[float, float]:
    """Seconds to append `events` as aggregates of `batch` events, one save each, and to replay them."""
    from eventsourcing.application import Application

    app = Application(env=env)
    ids, started = [], time.perf_counter()
    for _ in range(events // batch):
        note = Note()
        for n in range(batch - 1):
            note.write(text=f"an ordinary day of notes, number {n}, about the work and how it went")
        app.save(note)
        ids.append(note.id)
    append = time.perf_counter() - started
    started = time.perf_counter()
    for note_id in ids:
        app.repository.get(note_id)
    replay = time.perf_counter() - started
    app.close()
    return append, replay


def sealed_journal(folder: Path, events: int, batch: int) -> dict[str, float]:
    from journal import identity
    from journal.app import JournalApp, project_journal

    me = identity.new_identity(folder / "identity.json", name="Bench", role="mentee", journal_id=uuid4())
    app = JournalApp(folder / "journal.db", me, create=True)
    app.create_journal()
    figures = {}
    started = time.perf_counter()
    journal = app.repository.get(app.journal_id, projector_func=project_journal)
    for _b in range(events // batch):
        for n in range(batch):
            journal.check_in(f"an ordinary day of notes, number {n}, about the work and how it went",
                             mood=3, tags=("work",))
        app.save(journal)
    figures["append, one save per 10 events"] = time.perf_counter() - started
    started = time.perf_counter()
    single = max(events // 10, 100)
    for _n in range(single):
        app.update(lambda j: j.check_in("one save per event, as the command line does", mood=4))
    figures[f"append, one save per event ({single})"] = (time.perf_counter() - started) * events / single
    started = time.perf_counter()
    entries = app.entries()
    figures["replay: open, verify chain, view every record"] = time.perf_counter() - started
    started = time.perf_counter()
    app.repository.get(app.journal_id, projector_func=project_journal)
    figures["load the aggregate (snapshot + tail)"] = time.perf_counter() - started
    assert len(entries) == events + single
    app.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=10)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        folders = [Path(tmp) / name for name in ("plain", "aes", "mj")]
        for folder in folders:
            folder.mkdir()
        plain = eventsourcing_baseline(folders[0], args.events, args.batch, cipher=False)
        aes = eventsourcing_baseline(folders[1], args.events, args.batch, cipher=True)
        ours = sealed_journal(folders[2], args.events, args.batch)
    print(f"\n{args.events:,} events on a file SQLite store")
    print(f"  eventsourcing, no cipher     append {rate(args.events, plain[0])}   replay {rate(args.events, plain[1])}")
    print(f"  eventsourcing, AESCipher     append {rate(args.events, aes[0])}   replay {rate(args.events, aes[1])}")
    for label, seconds in ours.items():
        events = 1 if "aggregate" in label else args.events
        print(f"  mj sealed: {label:<42} {rate(events, seconds) if events > 1 else f'{seconds * 1000:>6.1f} ms'}")
    append_ratio = (args.events / ours["append, one save per 10 events"]) / (args.events / aes[0])
    replay_ratio = (args.events / ours["replay: open, verify chain, view every record"]) / (args.events / aes[1])
    print(f"\nmj / eventsourcing+AESCipher: append {append_ratio:.0%}, replay {replay_ratio:.0%} "
          "(target: at least 50% each)")


if __name__ == "__main__":
    main()
