"""A read served from the view cache opens no record, so it never imports the domain's pydantic
models (≈0.15 s of every command's start): the cache moves on with each write on this device."""

import subprocess
import sys

from domain.journal import MenteeJournal
from journal import view_cache
from tests.conftest import PASSPHRASE, ROOT, child_env, ok, own_app

REPORT = """
import sys
from cli.main import main
try:
    main()
except SystemExit as done:
    print("exit", done.code, "models" if "domain.events" in sys.modules else "no models", file=sys.stderr)
"""


def read_in_a_child(home, *args):
    return subprocess.run([sys.executable, "-c", REPORT, *args], cwd=ROOT, capture_output=True, text=True,
                          env=child_env(MJ_HOME=str(home), MJ_PASSPHRASE=PASSPHRASE), timeout=120)


def test_a_read_after_a_write_on_this_device_opens_no_record_and_imports_no_model(real_kdf, run, mentee):
    app = own_app(mentee)
    for n in range(view_cache.REFRESH_AFTER):
        app.update(MenteeJournal.check_in, f"day {n}")
    app.close()
    ok(run("entries"))  # the first cache
    ok(run("checkin", "IMPORT-MARKER written after it"))  # moves the cache on
    shown = read_in_a_child(mentee, "entries", "-n", "1")
    assert "IMPORT-MARKER" in shown.stdout and shown.stderr.splitlines()[-1] == "exit 0 no models", shown.stderr
    # A write imports them, and a read of a record the cache does not cover (written by another
    # process of this device, say, whose cache move is undone here) does too: the check is real.
    written = read_in_a_child(mentee, "checkin", "from a child")
    assert written.stderr.splitlines()[-1] == "exit 0 models", written.stderr
    with __import__("sqlite3").connect(mentee / "journal.db") as db:
        db.execute("DELETE FROM mj_view_cache")
    shown = read_in_a_child(mentee, "entries", "-n", "1")
    assert "from a child" in shown.stdout and shown.stderr.splitlines()[-1] == "exit 0 models", shown.stderr
