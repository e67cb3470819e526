"""`mj program report` as text, on the whole protocol (members' shares, the manager's batches, the
helper's noise): a row per figure and a column per month, "value ± half-width" cells, whole at 80
columns, suppressed means marked and explained, ratings only in the months that close a quarter,
plain when piped and the same at a real terminal.

The programme runs February to July 2026 and the report is read in late August, when all six
months have closed and settled."""

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from datetime import datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
import time_machine

from domain import clock
from domain.journal import MenteeJournal
from journal import directory, identity
from journal.programmes import create_programme, join_programme
from projections import member_months, programme_helper
from projections.programme_figures import CATALOGUE
from tests.conftest import CHEAP_KDF, PASSPHRASE, REAL_KDF, ROOT, child_env
from tests.integration.programme_parties import MONTHS, Seeded, person

LATER = datetime(2026, 8, 20, 15, 0, tzinfo=ZoneInfo("UTC"))
PERIODS = [f"2026-{m:02d}" for m in range(2, 8)]
LABEL = max(len(name) for name in CATALOGUE)


@pytest.fixture
def later():
    with time_machine.travel(LATER, tick=True):
        yield LATER.date()


def a_member(home, store, n: int, *, rates_meetings: bool):
    app = person(home, store, f"Mentee{n}", "mentee")
    join_programme(app, "Spring", at=MONTHS[0] - timedelta(days=9))
    for at in MONTHS:  # February, March and April; May to July she is quiet
        app.update(MenteeJournal.check_in, f"MENTEE{n}-SECRET", mood=3, confidence=1 + n % 5, at=at)
        app.update(MenteeJournal.log_meeting, minutes=40 + 15 * (n % 3), focus="F",
                   rating=1 + n % 5 if rates_meetings else None, at=at + timedelta(days=1))
    return app


def released_programme(run, home, store, monkeypatch, today, *, rates_meetings=True) -> str:
    """Morgan's six-month programme with Sam as helper and seven members, every month released;
    Morgan's identity file, with real KDF parameters so that a child process may open it."""
    monkeypatch.setattr(identity, "KDF_DEFAULT", REAL_KDF)
    manager = person(home, store, "Morgan", "manager")
    monkeypatch.setattr(identity, "KDF_DEFAULT", CHEAP_KDF)
    steward = person(home, store, "Sam", "steward")
    helper = directory.find(manager.recorder.datastore, "Sam", role="steward")
    create_programme(manager, "Spring", helper=helper, k=5, rho=Fraction(2), start=PERIODS[0], months=6,
                     settle_days=7)
    manager.close()
    for n in range(7):
        app = a_member(home, store, n, rates_meetings=rates_meetings)
        assert member_months.contribute_closed_periods(app, today) == 6
        app.close()
    morgan = str(home / "Morgan.json")
    assert run("--identity", morgan, "program", "report", "Spring").exit_code == 0  # batches the six months
    outcomes = programme_helper.aggregate(steward, "Spring", today, Seeded(3))
    assert [(o.period, o.state) for o in outcomes] == [(p, "aggregated") for p in PERIODS]
    steward.close()
    return morgan


def released(run, manager: str) -> list[dict]:
    result = run("--identity", manager, "program", "report", "Spring", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["periods"]


def expected_cells(periods: list[dict], name: str) -> list[str]:
    """What the row of `name` should read, word by word, from the very figures --json gives."""
    words = []
    for period in periods:
        cell = period["figures"].get(name)
        if cell is None:
            words.append("–")
        elif cell.get("suppressed"):
            words.append("[s]")
        else:
            words += [str(cell["value"])] + (["±", str(cell["half_width"])] if cell.get("half_width") else [])
    return words


def figure_rows(lines: list[str]) -> dict[str, list[str]]:
    """Each figure's cells, block after block: its name whole at the start of each of its lines."""
    rows: dict[str, list[str]] = {name: [] for name in CATALOGUE}
    for line in lines:
        if line[:LABEL + 1].rstrip() in rows:
            rows[line[:LABEL + 1].rstrip()] += line[LABEL + 1:].split()
    return rows


def test_piped_the_report_is_one_block_of_the_figures_json_gives(run, home, store, monkeypatch, later):
    manager = released_programme(run, home, store, monkeypatch, later)
    periods = released(run, manager)
    assert [p["period"] for p in periods] == PERIODS
    result = run("--identity", manager, "program", "report", "Spring")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "\x1b" not in result.stdout and "…" not in result.stdout
    assert re.fullmatch(r"Spring: helper [0-9a-f ]+, k=5, ρ=2 per quarter", lines[0])
    assert lines[1].split() == PERIODS  # one block, however wide
    rows = figure_rows(lines)
    for name in CATALOGUE:
        assert rows[name] == expected_cells(periods, name), name
    assert rows["confidence"][:1] == ["–"] and rows["active mentees"][1] == "±"  # due in March and June only
    assert "value ± half-width: a 95% interval for the noise added" in lines


def test_a_mean_nobody_gave_is_suppressed_and_a_rating_not_due_is_a_dash(run, home, store, monkeypatch, later):
    manager = released_programme(run, home, store, monkeypatch, later, rates_meetings=False)
    periods = released(run, manager)
    closing = [p["period"] for p in periods if "satisfaction" in p["figures"]]
    assert closing == ["2026-03", "2026-06", "2026-07"]  # March, June and the programme's last month
    assert all(p["figures"]["satisfaction"] == {"suppressed": True} for p in periods if p["period"] in closing)
    lines = run("--identity", manager, "program", "report", "Spring").stdout.splitlines()
    assert figure_rows(lines)["satisfaction"] == ["–", "[s]", "–", "–", "[s]", "[s]"]
    assert "[s] suppressed: too few to release (a noisy count under k = 5)" in lines
    assert "– not due: ratings are released in the month that closes a quarter" in lines


def at_a_terminal(args: list[str], env: dict[str, str], columns: int) -> str:
    """What `mj` prints to a real terminal `columns` wide (stderr kept apart), escapes and all."""
    main, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    child = subprocess.Popen([sys.executable, "-c", "from cli.main import main; main()", *args], cwd=ROOT,
                             stdin=terminal, stdout=terminal, stderr=subprocess.PIPE, env=env)
    os.close(terminal)
    out = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the terminal closed with the child
            break
        if not chunk:
            break
        out += chunk
    os.close(main)
    _, errors = child.communicate(timeout=120)
    assert child.returncode == 0, errors.decode()
    return out.decode().replace("\r\n", "\n")


def test_at_a_real_80_column_terminal_six_months_wrap_into_blocks_nothing_cut(run, home, store, monkeypatch, later):
    manager = released_programme(run, home, store, monkeypatch, later, rates_meetings=False)
    periods = released(run, manager)
    env = child_env(MJ_HOME=str(home), MJ_PASSPHRASE=PASSPHRASE, COLUMNS="80", TERM="xterm-256color")
    env.pop("NO_COLOR", None)
    assert env["MJ_NOW"].startswith(str(clock.today()))  # the child reads in August too
    shown = at_a_terminal(["--identity", manager, "program", "report", "Spring"], env, columns=80)
    assert "\x1b[2m[s]" in shown  # dim on a terminal
    lines = re.sub(r"\x1b\[[0-9;]*m", "", shown).splitlines()
    assert max(len(line) for line in lines) <= 80 and "…" not in shown
    headers = [line.split() for line in lines if line.startswith(" ")]
    assert len(headers) > 1 and [m for header in headers for m in header] == PERIODS
    rows = figure_rows(lines)
    for name in CATALOGUE:  # whole, once per block, and together the figures --json gives
        assert sum(line[:LABEL + 1].rstrip() == name for line in lines) == len(headers)
        assert rows[name] == expected_cells(periods, name), name
