"""`mj passphrase change`: the identity file re-sealed atomically under a new, strong passphrase;
a wrong old one, a weak or unchanged new one, or a failed write leave the file as it was."""

import os
import stat

import pytest

from tests.conftest import PASSPHRASE, ok, refused

NEW = "violet anchor marble stove"




def test_the_new_passphrase_opens_it_and_the_old_one_no_longer_does(run, mentee, monkeypatch):
    entry = ok(run("checkin", "before the change"))
    files_before = sorted(p.name for p in mentee.iterdir())
    monkeypatch.setenv("MJ_NEW_PASSPHRASE", NEW)
    result = run("passphrase", "change")
    assert result.exit_code == 0 and "Re-sealed" in result.stderr, result.output
    # No old or temporary file beside it; only the (empty) lock that keeps a key rotation out meanwhile.
    assert sorted(p.name for p in mentee.iterdir()) == sorted([*files_before, "identity.json.lock"])
    assert (mentee / "identity.json.lock").stat().st_size == 0
    assert stat.S_IMODE((mentee / "identity.json").stat().st_mode) == 0o600
    assert "wrong passphrase" in refused(run("entries"))  # MJ_PASSPHRASE is still the old one
    monkeypatch.setenv("MJ_PASSPHRASE", NEW)
    assert entry in ok(run("entries", "--json"))


def test_a_password_manager_can_give_the_new_one(run, mentee, monkeypatch, tmp_path):
    monkeypatch.setenv("MJ_NEW_PASSPHRASE_COMMAND", f"printf '%s\\n' '{NEW}'")
    ok(run("passphrase", "change"))
    monkeypatch.setenv("MJ_PASSPHRASE", NEW)
    ok(run("entries"))


@pytest.mark.parametrize("old, new, words", [
    ("not the passphrase", NEW, "wrong passphrase"),
    (PASSPHRASE, "password", "too easy to guess"),
    (PASSPHRASE, "password123", "too easy to guess"),
    (PASSPHRASE, "Ada Lovelace 1", "too easy to guess"),  # her own name
    (PASSPHRASE, "short", "at least 8 characters"),
    (PASSPHRASE, PASSPHRASE, "the one you have"),
])
def test_a_refused_change_leaves_the_identity_file_as_it_was(run, mentee, monkeypatch, old, new, words):
    before = (mentee / "identity.json").read_bytes()
    monkeypatch.setenv("MJ_PASSPHRASE", old)
    monkeypatch.setenv("MJ_NEW_PASSPHRASE", new)
    assert words in refused(run("passphrase", "change"))
    assert (mentee / "identity.json").read_bytes() == before
    monkeypatch.setenv("MJ_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("MJ_NEW_PASSPHRASE", NEW)
    ok(run("passphrase", "change"))  # the honest path beside it
    assert (mentee / "identity.json").read_bytes() != before


def test_a_write_that_fails_half_way_leaves_the_old_file_working(run, mentee, monkeypatch):
    before = (mentee / "identity.json").read_bytes()
    monkeypatch.setenv("MJ_NEW_PASSPHRASE", NEW)

    def crash(*_):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as failing:
        failing.setattr(os, "replace", crash)
        assert "No space left" in refused(run("passphrase", "change"))
    assert (mentee / "identity.json").read_bytes() == before
    assert [p.name for p in mentee.iterdir() if p.name.endswith(".tmp")] == []
    ok(run("entries"))


def test_init_refuses_a_weak_passphrase_before_writing(run, home, monkeypatch):
    monkeypatch.setenv("MJ_PASSPHRASE", "password")
    assert "too easy to guess" in refused(run("init", "--name", "Ada Lovelace"))
    assert not (home / "identity.json").exists() and not (home / "journal.db").exists()
    monkeypatch.setenv("MJ_PASSPHRASE", PASSPHRASE)
    ok(run("init", "--name", "Ada Lovelace"))


def test_init_at_a_terminal_offers_a_word_passphrase_that_passes_its_own_check(run, home, monkeypatch):
    from mnemonic import Mnemonic

    from journal.passphrases import check_new_passphrase, suggest_passphrase

    words = suggest_passphrase().split()
    assert len(words) == 6 and set(words) <= set(Mnemonic("english").wordlist)
    check_new_passphrase(" ".join(words))  # raises if the suggestion were weak
    monkeypatch.delenv("MJ_PASSPHRASE")
    monkeypatch.setattr("cli.session.terminal_available", lambda: True)
    monkeypatch.setattr("getpass.getpass", lambda prompt: PASSPHRASE)
    result = run("init", "--name", "Ada Lovelace")
    assert result.exit_code == 0, result.output
    suggestion = next(line for line in result.stderr.splitlines() if line.startswith("A suggestion"))
    assert len(suggestion.rsplit(": ", 1)[1].split()) == 6
