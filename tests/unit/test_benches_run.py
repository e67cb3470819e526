"""The benchmarks still run against the code they measure (their figures are not checked: they
vary with the machine). Each runs at a tiny size in a child process."""

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT


@pytest.mark.slow
def test_the_programme_bench_runs_both_aggregators_and_prints_the_error_table():
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "programme_report.py"), "--members", "12",
                           "--months", "3"], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    for line in ("(a) manager batches", "(b) helper aggregates", "(c) manager combines", "(d) a later report",
                 "released 3 months", "| figure | 10 members | 14 members | 25 members | 50 members | 100 members "
                 "| 1,000 members | units |", "| active mentees | ± "):
        assert line in out, out


@pytest.mark.slow
def test_the_export_bench_runs_every_command_it_measures():
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "export_import.py"), "--entries", "30", "--runs", "1"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT, env={**os.environ, "JRNL": ""})
    assert done.returncode == 0, done.stderr[-3000:]
    for line in ("| `mj export -o FILE`", "| `mj import FILE` into a new journal", "| `mj keys rotate` |",
                 "| jrnl 4.6 `--export json` |"):
        assert line in done.stdout, done.stdout
