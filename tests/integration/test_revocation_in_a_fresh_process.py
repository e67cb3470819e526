"""Revocation, seen from separate processes with the real Argon2id parameters, as people use mj."""

import json
import subprocess
import sys

import pytest

from tests.conftest import child_env

pytestmark = pytest.mark.slow


def mj(home, *args, identity=None):
    env = child_env(MJ_HOME=str(home), MJ_PASSPHRASE="a passphrase for processes")
    command = [sys.executable, "-c", "from cli.main import main; main()"]
    if identity:
        command += ["--identity", str(identity)]
    return subprocess.run(command + list(args), env=env, capture_output=True, text=True, timeout=120)


def test_after_revocation_a_fresh_mentor_process_cannot_open_the_entry(tmp_path):
    home, grace = tmp_path / "home", tmp_path / "home" / "grace.json"
    assert mj(home, "init", "--name", "Ada").returncode == 0
    assert mj(home, "init", "--name", "Grace", "--role", "mentor", identity=grace).returncode == 0
    entry = mj(home, "checkin", "REVOKED-SECRET").stdout.strip()
    grant = mj(home, "share", entry[:10], "--with", "grace").stdout.strip()

    before = mj(home, "inbox", "--json", identity=grace)
    assert before.returncode == 0 and json.loads(before.stdout)[0]["entry"]["text"] == "REVOKED-SECRET"

    assert mj(home, "revoke", grant[:8]).returncode == 0
    after = mj(home, "inbox", "--json", identity=grace)
    assert after.returncode == 0 and json.loads(after.stdout) == []
    shown = mj(home, "show", entry[:10], identity=grace)
    assert shown.returncode == 1 and shown.stderr.startswith("Error: no released entry")
    assert "Traceback" not in shown.stderr
