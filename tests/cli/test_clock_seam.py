"""MJ_NOW starts a child process's clock at a given moment; a bad value is one line."""

import json
import subprocess
import sys

import pytest

from tests.conftest import PASSPHRASE, ROOT, child_env

pytestmark = pytest.mark.slow


def mj(home, *args, **env):
    return subprocess.run([sys.executable, "-c", "from cli.main import main; main()", *args], cwd=ROOT,
                          env=child_env(MJ_HOME=str(home), MJ_PASSPHRASE=PASSPHRASE, **env),
                          capture_output=True, text=True, timeout=120)


def test_a_child_process_runs_on_the_clock_it_is_given_and_refuses_a_bad_one(real_kdf, tmp_path):
    home = tmp_path / "child"
    assert mj(home, "init", "--name", "Ada").returncode == 0
    written = mj(home, "checkin", "on the first of March", MJ_NOW="2027-03-01T09:00:00+00:00", TZ="UTC")
    assert written.returncode == 0, written.stderr
    tomorrow = mj(home, "checkin", "a day on", "--at", "yesterday", MJ_NOW="2027-03-02T09:00:00+00:00", TZ="UTC")
    assert tomorrow.returncode == 0, tomorrow.stderr
    entries = json.loads(mj(home, "entries", "--json", MJ_NOW="2027-03-02T09:00:00+00:00").stdout)
    assert [e["at"][:10] for e in entries] == ["2027-03-01", "2027-03-01"]
    bad = mj(home, "checkin", "never written", MJ_NOW="the first of March")
    assert bad.returncode == 1 and bad.stderr.strip().splitlines() == [
        "Error: MJ_NOW='the first of March' is not a moment: use 2026-03-01T09:00+00:00"]
    assert len(json.loads(mj(home, "entries", "--json").stdout)) == 2  # nothing was written
