"""A programme of 10,000 members × 12 months through both aggregators: the manager's batching, the
helper's (steward's) noisy aggregation and the manager's combining release, each in contributions
(rows opened) per second; the time of a later report that only re-shows released months; peak
memory; then each released figure's 95% half-width for cohorts of 10 to 1,000 on the defaults,
as a Markdown table for the README.

    python bench/programme_report.py [--members 10000] [--months 12] [--quick]
                                     [--profile batch|aggregate|combine|report]

The manager and the steward are enrolled for real (journal.enrolment.enrol, real Argon2id).
Enrolling 10,000 mentees would take hours, so the members exist only as what the store holds of
them: a signed directory entry of role mentee and a signed membership each (keys made in memory
with journal.identity.new_identity), and one row of genuine shares per member per month
(journal.shares.seal_shares under a random pseudonym, as each member's client seals it), inserted
in bulk. The clock is set to 13 May 2026 (domain.clock.run_from), the programme starts `--months`
months before, and the noise comes from a seeded source, so every run prints the same figures.
Results go to stdout; progress lines to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PASSPHRASE = "a long enough bench passphrase"
NOW = datetime(2026, 5, 13, 15, 0, tzinfo=timezone.utc)  # the tests' fixed day: every month below has settled
TODAY = date(2026, 5, 13)
PROGRAMME = "Big"
TARGET_RATE = 5_000  # contributions/s at each aggregator
TARGET_REPORT = 1.0  # seconds, a report that only re-shows released months
COHORTS = (10, 14, 25, 50, 100, 1000)
STEPS = ("batch", "aggregate", "combine", "report")


class Seeded:
    """A seeded noise source (the tests' seam), so that the printed figures repeat run to run."""

    def __init__(self, seed: int):
        self.random = random.Random(seed)

    def randbelow(self, n: int) -> int:
        return self.random.randrange(n)


def progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def reset_peak() -> bool:
    """Resets this process's peak RSS (Linux: /proc/self/clear_refs 5), so that ru_maxrss from here
    on is the peak of what follows, not of enrolment's 64 MiB Argon2id. False if it cannot."""
    try:
        with open("/proc/self/clear_refs", "w") as file:
            file.write("5")
        return True
    except OSError:
        return False


def random_vector(rng: random.Random, period: str, last_period: str) -> list[int]:
    """A member's month within the catalogue's bounds; ratings only in a month closing a quarter."""
    from domain.programme_catalogue import BOUNDS, MONTHLY, QUARTERLY, closes_quarter

    active = int(rng.random() < 0.9)
    vector = [active] + [rng.randint(0, BOUNDS[name]) * active for name, _ in MONTHLY[1:]]
    if closes_quarter(period, last_period):
        confidence, satisfaction = int(rng.random() < 0.8), int(rng.random() < 0.7)
        vector += [rng.randint(0, 4) * confidence, confidence, rng.randint(0, 4) * satisfaction, satisfaction]
    else:
        vector += [0] * len(QUARTERLY)
    return vector


SEAL_CHUNK = 500


def seal_rows(keys: tuple[bytes, bytes, bytes], period: str, vectors: list[list[int]]) -> list[tuple]:
    """mj_shares rows for `vectors`, as each member's client seals them (journal.shares.seal_shares,
    and a receipt sealed as projections.member_months seals one), each under a random pseudonym."""
    from journal import crypto, shares

    leader_public, helper_public, receipt_key = keys
    rows = []
    for vector in vectors:
        handle = crypto.random_bytes(32)
        leader, helper = shares.seal_shares(leader_public, helper_public, PROGRAMME, period, handle, vector)
        receipt = crypto.seal(receipt_key, crypto.pad(json.dumps({"version": 1, "vector": vector}).encode()),
                              crypto.lp("mj/v2/receipt", PROGRAMME, period, handle))
        rows.append((PROGRAMME, period, handle, leader, helper, receipt))
    return rows


def build(home: Path, members: int, months: int) -> dict:
    """The store: manager and steward enrolled, the programme, `members` directory entries and
    signed memberships, and members × months rows of sealed shares. Returns the apps, the
    programme and the true (noise-free) totals per month."""
    from domain import clock
    from domain.programme_catalogue import DEFAULT_K, DEFAULT_RHO
    from journal import crypto, directory
    from journal.app import JournalApp
    from journal.directory import DirectoryStore
    from journal.enrolment import enrol
    from journal.identity import new_identity
    from journal.programmes import _membership_message, create_programme

    store = home / "journal.db"
    started = time.perf_counter()
    manager_identity = enrol(home / "manager.json", store, name="Morgan", role="manager", passphrase=PASSPHRASE)
    steward_identity = enrol(home / "steward.json", store, name="Sam", role="steward", passphrase=PASSPHRASE)
    manager, steward = JournalApp(store, manager_identity), JournalApp(store, steward_identity)
    helper = directory.find(manager.recorder.datastore, "Sam", role="steward")
    start = clock.shift_month(clock.month_of_day(TODAY), -months)
    programme = create_programme(manager, PROGRAMME, helper=helper, k=DEFAULT_K, rho=DEFAULT_RHO, start=start,
                                 months=months, settle_days=7)
    progress(f"  enrolled the manager and the steward, programme {start} + {months} months "
             f"({time.perf_counter() - started:.1f} s)")

    started = time.perf_counter()
    entries, memberships = [], []
    for n in range(members):
        person = new_identity(home / f"member-{n}.json", name=f"Member {n}", role="mentee", journal_id=None)
        entries.append(DirectoryStore.signed_entry(person))
        memberships.append((PROGRAMME, person.fingerprint, start, "", crypto.sign(
            person.signing_key, _membership_message(PROGRAMME, person.fingerprint, start, None))))
    with manager.recorder.datastore.transaction(commit=True) as c:
        for row in entries:
            DirectoryStore.insert(c, row)
        c.executemany("INSERT INTO mj_memberships (programme, fingerprint, joined, left_month, signature) "
                      "VALUES (?,?,?,?,?)", memberships)
    made_people = time.perf_counter() - started
    progress(f"  {members:,} directory entries and signed memberships ({made_people:.1f} s)")

    # What each member's client seals, built here in bulk on every core (the vectors come from one
    # seeded generator in this process, so the totals repeat run to run).
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    rng, receipt_key, totals, sealing = random.Random(1), crypto.new_key(), {}, 0.0
    keys = (programme.public_key, programme.helper_key, receipt_key)
    with ProcessPoolExecutor(os.cpu_count() or 1, mp_context=get_context("spawn")) as pool:
        for i, period in enumerate(programme.periods):
            started = time.perf_counter()
            vectors = [random_vector(rng, period, programme.last_period) for _ in range(members)]
            totals[period] = [sum(column) for column in zip(*vectors, strict=True)]
            chunks = [vectors[j:j + SEAL_CHUNK] for j in range(0, members, SEAL_CHUNK)]
            rows = [row for chunk in pool.map(seal_rows, [keys] * len(chunks), [period] * len(chunks), chunks)
                    for row in chunk]
            sealing += time.perf_counter() - started
            with manager.recorder.datastore.transaction(commit=True) as c:
                c.executemany("INSERT INTO mj_shares (programme, period, pseudonym, leader, helper, receipt) "
                              "VALUES (?,?,?,?,?,?)", rows)
            progress(f"  sealed and stored {period} ({i + 1}/{months})")
    return {"manager": manager, "steward": steward, "programme": programme, "totals": totals,
            "people_s": made_people, "sealing_s": sealing}


class DirectoryWatch:
    """Counts and times DirectoryStore.people (every call reads and verifies every directory entry)
    while a step runs: a measurement only, the method itself runs unchanged."""

    def __init__(self):
        self.calls, self.seconds = 0, 0.0

    def __enter__(self):
        from journal.directory import DirectoryStore

        self.original = original = DirectoryStore.people

        def people(store):
            started = time.perf_counter()
            try:
                return original(store)
            finally:
                self.calls += 1
                self.seconds += time.perf_counter() - started

        DirectoryStore.people = people
        return self

    def __exit__(self, *_):
        from journal.directory import DirectoryStore

        DirectoryStore.people = self.original


def profiled(step: str, wanted: list[str], call):
    """`call()`, under cProfile when this step is one asked for (top 15 by cumulative time, to stderr)."""
    if step not in wanted:
        return call()
    import cProfile
    import pstats

    profile = cProfile.Profile()
    result = profile.runcall(call)
    progress(f"\nprofile of the {step} step (cumulative time, top 15):")
    pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(15)
    return result


def verdict(ok: bool) -> str:
    return "pass" if ok else "FAIL"


def within(report, totals) -> tuple[int, int]:
    """How many released counts lie within their own 95% half-width of the true total."""
    from domain.programme_catalogue import INDEX
    from projections.programme_figures import TOTALS

    inside = counted = 0
    for row in report.periods:
        true = totals[row["period"]]
        for figure, coordinate in TOTALS.items():
            cell = row["figures"].get(figure)
            if isinstance(cell, dict) and "value" in cell:
                counted += 1
                inside += abs(cell["value"] - true[INDEX[coordinate]]) <= cell["half_width"]
    return inside, counted


def run(members: int, months: int, profile: list[str]) -> None:
    from domain import clock
    from projections import programme_helper, programme_release

    clock.run_from(NOW)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} cores (load {load} at start), Python {platform.python_version()}, "
          "SQLite file in a temp dir; "
          f"{members:,} members × {months} months, today {TODAY}")
    with tempfile.TemporaryDirectory() as tmp:
        built = build(Path(tmp), members, months)
        manager, steward, totals = built["manager"], built["steward"], built["totals"]
        rows = members * months
        noise = Seeded(1)
        print(f"  setup (not timed against a target): {members:,} signed people in {built['people_s']:.1f} s; "
              f"sealing shares as clients do, on {os.cpu_count()} processes, "
              f"{rows / built['sealing_s']:,.0f} contributions/s")
        setup_peak, reset = peak_mib(), reset_peak()

        watches = {}

        def timed(step, call):
            progress(f"  {step} …")
            with DirectoryWatch() as watches[step]:
                started = time.perf_counter()
                result = profiled(step, profile, call)
                return result, time.perf_counter() - started

        first, batching = timed("batch", lambda: programme_release.release_report(manager, PROGRAMME, TODAY, noise))
        assert not first.periods and all("helper" in w["reason"] for w in first.waiting), first.waiting
        outcomes, aggregating = timed("aggregate", lambda: programme_helper.aggregate(steward, PROGRAMME, TODAY, noise))
        assert [o.state for o in outcomes] == ["aggregated"] * months, outcomes
        released, combining = timed("combine", lambda: programme_release.release_report(manager, PROGRAMME, TODAY,
                                                                                         noise))
        assert len(released.periods) == months and not released.waiting, released.waiting
        again, reporting = timed("report", lambda: programme_release.release_report(manager, PROGRAMME, TODAY, noise))
        assert again.periods == released.periods

        target = f"[target ≥ {TARGET_RATE:,}/s]"
        for label, seconds in (("(a) manager batches every month (opens leader shares)", batching),
                               ("(b) helper aggregates, adds noise, signs (opens helper)", aggregating),
                               ("(c) manager combines and releases (opens leader again)", combining)):
            rate = rows / seconds
            print(f"  {label:<57}{rate:>9,.0f} contributions/s ({seconds:5.1f} s)  {target} "
                  f"{verdict(rate >= TARGET_RATE)}")
        print(f"  {'(d) a later report, released months only':<57}{reporting:>9.2f} s"
              f"{'':<21}[target ≤ {TARGET_REPORT:g} s] {verdict(reporting <= TARGET_REPORT)}")
        print(f"  {'peak memory (ru_maxrss), steps (a) to (d)':<57}{peak_mib():>9,.0f} MiB"
              + ("" if reset else " (could not reset the peak: this includes setup)")
              + f"; setup {setup_peak:,.0f} MiB (Argon2id's 64 MiB included)")
        entries = members + 2
        print(f"  of which reading and verifying the whole directory ({entries:,} entries, DirectoryStore.people): "
              + ", ".join(f"({letter}) {w.calls} calls, {w.seconds:.1f} s"
                          for letter, w in zip("abcd", watches.values(), strict=True)))
        from journal.programmes import find_programme, signed_memberships

        programme = find_programme(steward, PROGRAMME)
        with DirectoryWatch() as watch:
            started = time.perf_counter()
            signed = signed_memberships(steward, programme)
            checking = time.perf_counter() - started
        print(f"  signed_memberships (once per aggregate call): {len(signed):,} memberships in {checking:.2f} s, "
              f"{watch.seconds:.2f} s of it the directory")
        inside, counted = within(released, totals)
        last = released.periods[-1]
        shown = ", ".join(f"{figure} {cell['value']}" + (f" ± {cell['half_width']}" if "half_width" in cell else "")
                          for figure, cell in last["figures"].items() if isinstance(cell, dict) and "value" in cell)
        print(f"  released {len(released.periods)} months; {inside} of {counted} released counts within their "
              f"95% half-width of the true total")
        print(f"  {last['period']}: {shown}")
        manager.close()
        steward.close()


def error_table() -> None:
    from domain.programme_catalogue import DEFAULT_K, DEFAULT_RHO
    from projections.programme_plan import plan

    plans = [plan(n, DEFAULT_K, DEFAULT_RHO) for n in COHORTS]
    print(f"\n95% half-widths of each released figure, k={DEFAULT_K}, ρ={DEFAULT_RHO} per quarter "
          "(projections.programme_plan; a mean's release chance per quarter in brackets when under 100%; "
          "members sending is exact):\n")
    print("| figure | " + " | ".join(f"{n:,} members" for n in COHORTS) + " | units |")
    print("|---|" + "---:|" * len(COHORTS) + "---|")
    for i, first in enumerate(plans[0].figures):
        cells = []
        for p in plans:
            figure = p.figures[i]
            cell = f"± {figure.half_width:g}"
            if figure.released < 1:
                cell += f" ({figure.released:.1%})" if figure.released < 0.9995 else " (> 99.9%)"
            cells.append(cell)
        print(f"| {first.figure} | " + " | ".join(cells) + f" | {first.units} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, help="default 10,000 (1,000 with --quick)")
    parser.add_argument("--months", type=int, help="default 12 (3 with --quick)")
    parser.add_argument("--quick", action="store_true", help="1,000 members × 3 months: a smoke run")
    parser.add_argument("--profile", choices=STEPS, action="append", default=[],
                        help="profile this step (cProfile, top 15 by cumulative time, to stderr); repeatable")
    args = parser.parse_args()
    members = args.members or (1_000 if args.quick else 10_000)
    months = args.months or (3 if args.quick else 12)
    if not 1 <= months <= 12:
        parser.error("--months is 1 to 12 (the programme ends before the bench's fixed today)")
    if members < 10:
        parser.error("--members is at least k = 10, or no month is released")
    started = time.perf_counter()
    run(members, months, args.profile)
    error_table()
    print(f"\nwall time {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
