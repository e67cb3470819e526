"""The demo's story: a month of one mentee's records, and what the store keeps of them."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from uuid import uuid4

from domain import clock
from domain.journal import MenteeJournal
from journal.app import JournalApp
from journal.identity import new_identity, save_identity

DEMO_PASSPHRASE = "demo: not a real secret"
CHECKINS = [
    ("Paired with Priya on the billing bug; I explained the retry logic out loud and it clicked.", 4, 3, "work"),
    ("Skipped the gym, slept badly. Standup felt long.", 2, 2, "health"),
    ("Ran the standup for the first time. Rushed the end, but people stayed on topic.", 4, 3, "leadership"),
    ("Wrote the design note for the export feature. Asked for review from two seniors.", 3, 3, "work"),
    ("Review came back with 14 comments. Took it personally for an hour, then fixed them.", 2, 2, "work"),
    ("Second standup: kept to 15 minutes. Someone thanked me afterwards.", 5, 4, "leadership"),
    ("Climbing after work; first clean lead of a 6a.", 5, 4, "health"),
    ("Presented the export design to the team. Answered every question but one.", 4, 4, "leadership"),
    ("Quiet day of tests and docs. Good to have a day without meetings.", 3, 3, "work"),
    ("Delegated the migration script to Tom instead of doing it myself. Hard.", 3, 3, "leadership"),
]


@dataclass(frozen=True)
class StoredRow:
    version: int
    topic: str
    ciphertext_bytes: int
    key_wrap_bytes: int


def create_demo_mentee(home: Path, name: str = "Sam Rivera", file: str = "identity.json") -> JournalApp:
    identity = new_identity(home / file, name=name, role="mentee", journal_id=uuid4())
    app = JournalApp(home / "journal.db", identity, create=True)
    app.create_journal()
    save_identity(identity, DEMO_PASSPHRASE)
    from journal.directory import publish

    publish(app.recorder.datastore, identity)
    return app


def create_demo_mentor(home: Path, name: str = "Grace Okafor") -> JournalApp:
    """A mentor in the same store: an identity and a signed directory entry, no journal."""
    from journal.directory import publish

    identity = new_identity(home / "mentor.json", name=name, role="mentor", journal_id=None)
    save_identity(identity, DEMO_PASSPHRASE)
    app = JournalApp(home / "journal.db", identity)
    publish(app.recorder.datastore, identity)
    return app


def write_month(app: JournalApp, *, seed: int = 7) -> list[str]:
    """Thirty days of records, backdated, as a mentee would write them. Returns marker texts.
    The last record is two days old, so the story fits before any moment of any day."""
    rng = random.Random(seed)
    today = clock.today()
    start = today - timedelta(days=30)

    def day(n: int, hour: int = 18) -> datetime:
        """Day n of the month, at that hour of Sam's wall clock."""
        return local_moment(start + timedelta(days=n), hour)

    J = MenteeJournal
    aspiration = app.update(J.state_aspiration, "Lead a small team within two years",
                            why="I like helping people do their best work", horizon=clock.add_years(today, 2),
                            at=day(0, 9))
    standups = app.update(J.set_goal, "Run the team standup every day this quarter", measure="standups run",
                          target=40, due=clock.add_months(today, 2), aspiration_id=aspiration, at=day(0, 10))
    design = app.update(J.set_goal, "Lead the export feature from design to release", measure="stages done",
                        target=4, due=today + timedelta(days=45), aspiration_id=aspiration, at=day(0, 11))
    first_standup = app.update(J.add_milestone, standups, "First standup run alone", at=day(1))
    design_note = app.update(J.add_milestone, design, "Design note reviewed", at=day(1))
    app.update(J.add_milestone, design, "Design presented to the team", at=day(1))

    for n, (text, mood, confidence, tag) in enumerate(CHECKINS):
        when = day(3 * n + rng.randint(0, 1))
        app.update(J.check_in, text, mood=mood, confidence=confidence, tags=(tag,), at=when)
        if n == 2:
            app.update(J.reach_milestone, first_standup, evidence="Team retro notes", at=when)
        if n in (2, 5, 7, 9):
            app.update(J.progress_goal, standups, 3 * n + 1, at=when)
    app.update(J.reach_milestone, design_note, evidence="Approved with comments", at=day(14))
    app.update(J.progress_goal, design, 2, note="design written and reviewed", at=day(14))
    app.update(J.log_meeting, minutes=60, concerns=("Feeling stretched between two projects",),
               focus="How to take review comments without taking them personally",
               next_focus="Delegation: what to hand over and how",
               actions=("Ask Tom to own the migration script", "Read 'Radical Candor' chapter 3"), at=day(15, 12))
    app.update(J.assess_self, {"giving feedback": 2, "running meetings": 3, "delegation": 2},
               note="Start of the programme", at=day(16))
    app.update(J.add_feedback, "The role-play of a hard review was the most useful hour so far.", at=day(16, 19))
    return [CHECKINS[0][0][:24], "Radical Candor", "Feeling stretched", "Lead a small team"]


def local_moment(day: date, hour: int = 12) -> datetime:
    """That day at that hour in the user's local time zone."""
    return datetime.combine(day, time(hour)).astimezone()


def stored_rows(app: JournalApp) -> list[StoredRow]:
    """What an operator of the store sees for this journal: sizes and a constant topic."""
    return [StoredRow(s.originator_version, s.topic, len(s.state), len(s.dek_wrap or b""))
            for s in app.recorder.select_events(app.journal_id)]


def files_containing(home: Path, markers: list[str]) -> list[str]:
    """Every file under home whose bytes contain any marker: the demo expects none."""
    found = []
    for path in sorted(home.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            found += [f"{path.name}: {m!r}" for m in markers if m.encode() in data]
    return found


def simulate_cohort(home: Path, programme: str, mentees: int = 14, months: int = 6, seed: int = 11
                    ) -> tuple[int, list]:
    """Simulated mentees (keys in memory, no identity files) who join over the first months and
    write six months of records, rating their meetings; some fade out. Each signs her membership
    and publishes her directory entry, as `mj init` and `mj program join` do. Returns the events
    written and the identities."""
    from journal.directory import publish
    from journal.programmes import find_programme, sign_membership

    rng, written, identities = random.Random(seed), 0, []
    today = clock.today()
    first_month = clock.add_months(today.replace(day=1), -months)  # the 1st, `months` whole months ago
    for n in range(mentees):
        identity = new_identity(home / f"sim-{n}.json", name=f"Simulated {n}", role="mentee", journal_id=uuid4())
        app = JournalApp(home / "journal.db", identity)
        app.keyring.create(identity.journal_id)
        journal = MenteeJournal.open(identity.name, journal_id=identity.journal_id)
        joined_month = 0 if n < 11 else rng.choice([1, 1, 2])  # a few join late
        joined = local_moment(clock.add_months(first_month, joined_month))
        publish(app.recorder.datastore, identity)
        journal.join_programme(programme, at=joined, pins=find_programme(app, programme).pin())
        sign_membership(app, programme, clock.local_month(joined), None)
        goal = journal.set_goal("Simulated goal", measure="steps", target=10,
                                due=clock.add_months(today, 2), at=joined)
        stays = months if rng.random() < 0.8 else rng.randint(3, 4)  # some fade out
        for month in range(joined_month, stays):
            first = clock.add_months(first_month, month)  # every day below is inside this closed month
            for day in sorted(rng.sample(range(1, 28), rng.randint(2, 14))):
                confidence = min(5, 1 + month // 2 + rng.randint(0, 2))
                journal.check_in("simulated", mood=rng.randint(2, 5), confidence=confidence,
                                 at=local_moment(first + timedelta(days=day)))
            if rng.random() < 0.85:
                journal.log_meeting(minutes=rng.choice([30, 45, 60, 60, 90]), focus="simulated",
                                    rating=rng.choice([3, 4, 4, 5]), at=local_moment(first + timedelta(days=14)))
            if rng.random() < 0.3:
                journal.add_milestone(goal, "simulated", at=local_moment(first + timedelta(days=15)))
            app.save(journal)
        written += journal.version
        identities.append(identity)
        app.close()
    return written, identities
