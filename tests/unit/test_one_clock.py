"""Only domain/clock.py reads the wall clock: code and tests that read it elsewhere pass on some
days only. Walks the AST of the program and of the tests."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WALL_CLOCK = {("datetime", "now"), ("datetime", "utcnow"), ("date", "today"), ("datetime", "today"),
              ("time", "time")}
ALLOWED = {ROOT / "domain" / "clock.py"}


def wall_clock_reads(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and isinstance(node.func.value, ast.Name) and (node.func.value.id, node.func.attr) in WALL_CLOCK:
            found.append(f"{path}:{node.lineno}: {node.func.value.id}.{node.func.attr}()")
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
