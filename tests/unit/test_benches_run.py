"""The benchmarks still run against the code they measure (their figures are not checked: they
vary with the machine). Each runs at a tiny size in a child process."""

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
