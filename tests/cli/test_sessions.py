"""`mj unlock --for 15m` and `mj lock`: one passphrase for the commands that follow, its key kept
sealed on a file system in RAM under a key only MJ_SESSION holds. Every refusal beside the honest
path; an ended, foreign or damaged session falls back to the passphrase."""

import json
import shutil
import stat
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from domain import clock
from journal.identity import PendingUnlock
from tests.conftest import PASSPHRASE, ok, refused, store_state

NEW = "mauve quartz lantern orbit thimble cascade"


@pytest.fixture
def runtime(monkeypatch):
    """XDG_RUNTIME_DIR as a fresh directory on /dev/shm (a file system in RAM) for this test alone."""
    place = Path("/dev/shm") / f"mj-test-{uuid.uuid4().hex}"
    place.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(place))
    yield place
    shutil.rmtree(place, ignore_errors=True)


def unlocked(run, monkeypatch, *args) -> str:
    """`mj unlock`, then MJ_SESSION set and the passphrase gone, as eval "$(mj unlock)" leaves a shell."""
    printed = ok(run("unlock", *args))
    assert printed.startswith("export MJ_SESSION=")
    token = printed.removeprefix("export MJ_SESSION=")
    monkeypatch.setenv("MJ_SESSION", token)
    monkeypatch.delenv("MJ_PASSPHRASE")
    return token


def session_files(runtime) -> list[Path]:
    return [p for p in runtime.rglob("*") if p.is_file()]


def test_one_passphrase_then_commands_without_it_until_lock(run, mentee, monkeypatch, runtime):
    unlocked(run, monkeypatch, "--for", "30m")
    entry = ok(run("checkin", "written in a session"))
    assert entry in ok(run("entries", "--json"))
    [file] = session_files(runtime)
    assert stat.S_IMODE(file.stat().st_mode) == 0o600 and stat.S_IMODE(file.parent.stat().st_mode) == 0o700
    document = json.loads(file.read_text())
    assert set(document) == {"format", "identity", "expires", "sealed"}
    sealing_key = PendingUnlock(mentee / "identity.json", PASSPHRASE, background=False)._derive()
    assert sealing_key not in file.read_bytes() and sealing_key.hex().encode() not in file.read_bytes()
    assert ok(run("lock")) == "unset MJ_SESSION" and session_files(runtime) == []
    result = run("entries")  # MJ_SESSION is still set in this shell, but opens nothing now
    assert "this identity has no session" in result.stderr and "no passphrase" in result.stderr


def test_a_session_ends_on_time_and_the_passphrase_is_asked_again(run, mentee, monkeypatch, runtime):
    unlocked(run, monkeypatch, "--for", "15m")
    ok(run("entries"))
    with time_machine.travel(clock.now() + timedelta(minutes=16), tick=False):
        result = run("entries")
    assert "your session has ended" in result.stderr and result.exit_code == 1
    assert session_files(runtime) == []  # removed


def test_a_foreign_token_a_damaged_or_extended_file_opens_nothing(run, mentee, monkeypatch, runtime, store):
    token = unlocked(run, monkeypatch)
    [file] = session_files(runtime)
    before = store_state(store)
    monkeypatch.setenv("MJ_SESSION", "A" * len(token))  # another key
    assert "does not open this identity's session" in run("entries").stderr
    monkeypatch.setenv("MJ_SESSION", token)
    document = json.loads(file.read_text())
    later = (datetime.fromisoformat(document["expires"]) + timedelta(hours=5)).isoformat()
    file.write_text(json.dumps(document | {"expires": later}))  # someone who can write the file, not the key
    assert "does not open this identity's session" in run("entries").stderr
    file.write_text("{not json")
    assert "the session file is damaged: removed" in run("entries").stderr and session_files(runtime) == []
    assert store_state(store) == before
    monkeypatch.setenv("MJ_PASSPHRASE", PASSPHRASE)  # the honest path beside them
    unlocked(run, monkeypatch)
    ok(run("checkin", "a fresh session works"))


def test_a_passphrase_change_ends_the_session_and_a_key_rotation_does_not(run, mentee, monkeypatch, runtime):
    unlocked(run, monkeypatch)
    monkeypatch.setenv("MJ_PASSPHRASE", PASSPHRASE)  # new keys want the passphrase itself
    ok(run("keys", "rotate", "--identity"))
    monkeypatch.delenv("MJ_PASSPHRASE")
    ok(run("checkin", "after a rotation"))  # the same passphrase, so its key: the session goes on
    monkeypatch.setenv("MJ_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("MJ_NEW_PASSPHRASE", NEW)
    ok(run("passphrase", "change"))
    monkeypatch.delenv("MJ_PASSPHRASE")
    result = run("entries")
    assert "the identity file changed since the session began" in result.stderr and result.exit_code == 1
    monkeypatch.setenv("MJ_PASSPHRASE", NEW)
    assert "after a rotation" in ok(run("entries"))


@pytest.mark.parametrize("length", ["0m", "13h", "soon", "15"])
def test_a_session_too_short_too_long_or_unreadable_is_refused(run, mentee, runtime, length):
    code = 2 if length in ("soon", "15") else 1
    assert ("is not a length of time" if code == 2 else "a session lasts from") in refused(
        run("unlock", "--for", length), code=code)
    assert session_files(runtime) == []
    ok(run("unlock", "--for", "1h"))


def test_without_a_file_system_in_ram_no_session_is_started(run, mentee, monkeypatch, runtime):
    monkeypatch.setattr("journal.ram_directories.ram_backed_directories", lambda: [])  # a machine without tmpfs
    assert "no file system in RAM here" in refused(run("unlock"))
    assert session_files(runtime) == []


@pytest.mark.parametrize("command", [["passphrase", "change"], ["keys", "rotate", "--identity"],
                                     ["keys", "recovery-code"], ["unlock", "--for", "12h"]])
def test_what_changes_her_secrets_or_extends_the_session_asks_for_the_passphrase(run, mentee, monkeypatch, runtime,
                                                                                  store, command):
    unlocked(run, monkeypatch)
    monkeypatch.setenv("MJ_NEW_PASSPHRASE", NEW)
    before = store_state(store)
    assert "no passphrase" in refused(run(*command))  # someone at her unlocked shell gets no more than the session
    assert store_state(store) == before
    ok(run("entries"))  # the session itself still works
    monkeypatch.setenv("MJ_PASSPHRASE", PASSPHRASE)
    ok(run(*command))  # with the passphrase, as always


def test_a_planted_directory_or_link_is_never_used_and_a_bad_token_deletes_nothing(run, mentee, monkeypatch,
                                                                                    runtime):
    import os

    token = unlocked(run, monkeypatch)
    [file] = session_files(runtime)
    good = file.read_bytes()
    monkeypatch.setenv("MJ_SESSION", "é")
    assert "MJ_SESSION is not a session key" in run("entries").stderr
    assert file.read_bytes() == good  # not removed as damaged
    monkeypatch.setenv("MJ_SESSION", token)
    elsewhere = runtime / "elsewhere.json"
    elsewhere.write_bytes(good)
    elsewhere.chmod(0o600)
    file.unlink()
    file.symlink_to(elsewhere)  # a link where the file was: never followed, whatever it points at
    assert "this identity has no session" in run("entries").stderr
    file.unlink()
    file.write_bytes(b"[" * 4000)  # under the size cap, deeper than json can nest
    file.chmod(0o600)
    result = run("entries")
    assert "the session file is damaged: removed" in result.stderr and "Traceback" not in result.output
    os.chown(file.parent, 12345, 12345)  # another user's directory where hers would be
    monkeypatch.setattr("journal.ram_directories.ram_backed_directories", lambda: [runtime])
    monkeypatch.setenv("MJ_PASSPHRASE", PASSPHRASE)
    assert "no file system in RAM here" in refused(run("unlock"))  # neither written into nor read from


def test_a_session_made_to_outlast_any_session_is_refused(run, mentee, monkeypatch, runtime):
    from datetime import timezone

    with time_machine.travel(datetime(2099, 1, 1, tzinfo=timezone.utc), tick=False):
        token = unlocked(run, monkeypatch, "--for", "12h")  # as MJ_NOW=2099 would once have made it
    monkeypatch.setenv("MJ_SESSION", token)
    assert "your session has ended" in run("entries").stderr and session_files(runtime) == []
