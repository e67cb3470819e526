"""`mj program report` as text: a row per figure and a column per month, whole at 80 columns,
suppressed cells marked and explained, plain when piped and the same at a real terminal."""

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from fractions import Fraction

from journal import identity
from journal.programmes import create_programme
from projections import member_months
from projections.programme_release import CATALOGUE
from tests.conftest import CHEAP_KDF, PASSPHRASE, REAL_KDF, ROOT, child_env
from tests.integration.test_programmes import TODAY, mentee_with_history, person

MONTHS = ("2026-02", "2026-03", "2026-04")  # the suite's three closed months


def cohort(home, store, monkeypatch, size: int, k: int) -> str:
    """Morgan's programme with `size` mentees who sent their three months; her identity file.
    Her file has real KDF parameters: a child process, with the real floor, may open it."""
    monkeypatch.setattr(identity, "KDF_DEFAULT", REAL_KDF)
    manager = person(home, store, "Morgan", "manager")
    monkeypatch.setattr(identity, "KDF_DEFAULT", CHEAP_KDF)
    create_programme(manager, "Spring", k=k, epsilon=Fraction(10), months=6)
    manager.close()
    for n in range(size):
        app = mentee_with_history(home, store, n)
        member_months.contribute_closed_periods(app, TODAY)
        app.close()
    return str(home / "Morgan.json")


def report_text(run, monkeypatch, manager: str) -> list[str]:
    monkeypatch.setenv("COLUMNS", "80")
    result = run("--identity", manager, "program", "report", "Spring")
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout and "…" not in result.stdout  # piped: plain, nothing cut
    return result.stdout.splitlines()


def figure_rows(lines: list[str]) -> dict[str, list[str]]:
    rows = {}
    for name in CATALOGUE:
        line = next(line for line in lines if line.startswith(name + " "))
        rows[name] = line[len(name):].split()
    return rows


def test_a_big_cohort_reads_as_a_row_per_figure_within_80_columns(run, home, store, monkeypatch):
    manager = cohort(home, store, monkeypatch, size=15, k=5)
    released = json.loads(run("--identity", manager, "program", "report", "Spring", "--json").stdout)
    lines = report_text(run, monkeypatch, manager)
    assert lines[0].startswith("Spring: k=5, ε spent now 0, left this quarter ")  # the --json run released all
    assert max(len(line) for line in lines) <= 80
    assert lines[1].split() == list(MONTHS)
    rows = figure_rows(lines)  # every figure's name whole, at the start of its own line
    for name, cells in rows.items():  # the very figures --json gives, or the mark for a suppressed one
        assert cells == [("[s]" if p[name] == "suppressed" else str(p[name])) for p in released["periods"]], name
    assert any(cell.isdigit() and int(cell) >= 5 for cell in rows["active mentees"])  # figures are shown


def test_a_cohort_under_k_marks_every_cell_suppressed_and_says_what_the_mark_means(run, home, store, monkeypatch):
    manager = cohort(home, store, monkeypatch, size=3, k=50)
    lines = report_text(run, monkeypatch, manager)
    assert max(len(line) for line in lines) <= 80
    assert figure_rows(lines) == {name: ["[s]"] * 3 for name in CATALOGUE}
    assert lines[-1] == "[s] suppressed: too few mentees to release (k = 50)"
    released = json.loads(run("--identity", manager, "program", "report", "Spring", "--json").stdout)
    assert set(released) == {"programme", "k", "epsilon_spent", "epsilon_left", "periods", "waiting", "ignored"}
    assert [p["period"] for p in released["periods"]] == list(MONTHS)
    assert all(p[name] == "suppressed" for p in released["periods"] for name in CATALOGUE)  # --json as it was


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


def test_at_a_real_80_column_terminal_no_line_is_cut_and_suppressed_cells_are_dim(home, store, monkeypatch):
    manager = cohort(home, store, monkeypatch, size=3, k=50)
    env = child_env(MJ_HOME=str(home), MJ_PASSPHRASE=PASSPHRASE, COLUMNS="80", TERM="xterm-256color")
    env.pop("NO_COLOR", None)
    shown = at_a_terminal(["--identity", manager, "program", "report", "Spring"], env, columns=80)
    assert "\x1b[2m[s]" in shown  # dim on a terminal
    lines = re.sub(r"\x1b\[[0-9;]*m", "", shown).splitlines()
    assert max(len(line) for line in lines) <= 80 and "…" not in shown
    assert figure_rows(lines) == {name: ["[s]"] * 3 for name in CATALOGUE}
