"""Only domain/clock.py reads the wall clock: code and tests that read it elsewhere pass on some
days only. Walks the AST of the program and of the tests."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WALL_CLOCK = {"datetime.datetime.now", "datetime.datetime.utcnow", "datetime.datetime.today", "datetime.date.today",
              "time.time", "time.time_ns", "time.localtime", "time.gmtime", "time.ctime"}
ALLOWED = {ROOT / "domain" / "clock.py"}
# What a bare name means when the module does not import it under another name.
DEFAULT_NAMES = {"datetime": "datetime.datetime", "date": "datetime.date", "time": "time"}


def _aliases(tree: ast.AST) -> dict[str, str]:
    """Local name -> what it is: `import datetime as dt` gives dt -> datetime, `from datetime
    import date as day` gives day -> datetime.date, `from time import time` gives time -> time.time."""
    names = dict(DEFAULT_NAMES)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _dotted(node: ast.AST) -> list[str] | None:
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.Attribute) and (head := _dotted(node.value)) is not None:
        return [*head, node.attr]
    return None


def wall_clock_reads(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    names = _aliases(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and (parts := _dotted(node.func)) is not None:
            meant = ".".join([names.get(parts[0], parts[0]), *parts[1:]])
            if meant in WALL_CLOCK:
                found.append(f"{path}:{node.lineno}: {'.'.join(parts)}()")
    return found


def test_nothing_but_the_clock_seam_reads_the_wall_clock():
    files = [p for folder in ("domain", "journal", "projections", "cli", "tests")
             for p in sorted((ROOT / folder).rglob("*.py")) if p not in ALLOWED]
    assert len(files) > 50, "the walk found too few files: it is broken"
    assert [line for path in files for line in wall_clock_reads(path)] == []


def test_the_walk_would_notice_a_wall_clock_read(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from datetime import date, datetime\ndue = date.today()\nat = datetime.now()\n")
    assert [line.split(": ")[1] for line in wall_clock_reads(sample)] == ["date.today()", "datetime.now()"]


def test_the_walk_sees_through_aliases(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import datetime as dt\nimport time as t\nfrom datetime import date as day\n"
                      "from time import time as seconds\n"
                      "a = dt.datetime.now()\nb = dt.date.today()\nc = t.time()\nd = day.today()\ne = seconds()\n"
                      "f = t.monotonic()\ng = dt.datetime.fromisoformat('2026-05-13')\n")
    assert [line.split(": ")[1] for line in wall_clock_reads(sample)] == [
        "dt.datetime.now()", "dt.date.today()", "t.time()", "day.today()", "seconds()"]


# The programme's sides judge whether a month is closed, has settled (Programme.settles_on: its
# close plus the settling window) or is due on the day they are given: the command line's local
# day, or an awkward moment of tests/integration/test_awkward_moments.py. None reads the clock.
PROGRAMME_SIDES = {"projections/member_months.py": "contribute_closed_periods",
                   "projections/member_status.py": "membership_status",
                   "projections/programme_helper.py": "aggregate",
                   "projections/programme_release.py": "release_report"}


def clock_reads(path: Path) -> list[str]:
    """Calls of domain/clock.py's own readers of the wall clock, `clock.now()` and `clock.today()`."""
    tree = ast.parse(path.read_text())
    return [f"{path.name}:{node.lineno}: clock.{node.func.attr}()" for node in ast.walk(tree)
            if isinstance(node, ast.Call) and _dotted(node.func) in (["clock", "now"], ["clock", "today"])]


def test_the_programme_sides_are_given_the_day_and_never_read_the_clock():
    import importlib
    import inspect

    for relative, entry in PROGRAMME_SIDES.items():
        assert clock_reads(ROOT / relative) == []
        module = importlib.import_module(relative.removesuffix(".py").replace("/", "."))
        assert "today" in inspect.signature(getattr(module, entry)).parameters, relative


def test_the_clock_walk_would_notice_a_programme_side_reading_the_clock(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from domain import clock\ndef ready(programme, period):\n"
                      "    return clock.today() >= programme.settles_on(period) and clock.now()\n")
    assert sorted(line.split(": ")[1] for line in clock_reads(sample)) == ["clock.now()", "clock.today()"]
    assert clock_reads(ROOT / "cli" / "programme_commands.py") != []  # the command line gives the day
