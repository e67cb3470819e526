"""A refused `mj init` writes nothing: no identity file, no directory entry, no journal, on
either backend; name, role and passphrase are all checked before the first write."""

import json

import pytest

from journal.errors import JournalError
from tests.conftest import PASSPHRASE, store_state, table_names

BAD_NAMES = [("", "the name is empty"), ("   ", "the name is empty"),
             ("x" * 5000, "the name is 5000 characters long: at most 500 are allowed")]


@pytest.fixture
def shared_store(run, home, store):
    """A store someone else already uses: Grace, a mentor, is in its directory."""
    assert run("--identity", str(home / "grace.json"), "init", "--name", "Grace", "--role", "mentor").exit_code == 0
    return store


def directory_names(run, home) -> list[str]:
    result = run("--identity", str(home / "grace.json"), "directory", "--json")
    assert result.exit_code == 0, result.output
    return sorted(p["name"] for p in json.loads(result.stdout))


@pytest.mark.parametrize("role", ["mentee", "mentor"])
@pytest.mark.parametrize("name, says", BAD_NAMES, ids=["empty", "blank", "5000 characters"])
def test_a_refused_init_leaves_no_directory_entry_and_no_identity(run, home, shared_store, role, name, says):
    before = store_state(shared_store)
    result = run("init", "--name", name, "--role", role)
    assert result.exit_code == 1, result.output
    assert result.stderr.strip().splitlines() == [f"Error: {says}"]
    assert result.stdout == ""
    assert store_state(shared_store) == before
    assert not (home / "identity.json").exists()

    honest = run("init", "--name", "Ada Lovelace", "--role", role)  # the same command, done right
    assert honest.exit_code == 0, honest.output
    assert directory_names(run, home) == ["Ada Lovelace", "Grace"]


def test_a_refused_first_init_creates_no_store(run, home, store):
    result = run("init", "--name", "")
    assert result.exit_code == 1, result.output
    assert not (home / "identity.json").exists()
    if store.is_postgres:
        assert table_names(store) == set()
    else:
        assert not store.path.exists()
    assert run("init", "--name", "Ada").exit_code == 0


def test_a_bad_name_is_refused_before_the_passphrase_is_asked(run, home, shared_store, monkeypatch):
    monkeypatch.delenv("MJ_PASSPHRASE")
    monkeypatch.setattr("cli.session.terminal_available", lambda: True)
    asked = []
    monkeypatch.setattr("getpass.getpass", lambda prompt="": asked.append(prompt) or PASSPHRASE)
    result = run("init", "--name", "")
    assert result.exit_code == 1 and result.stderr.strip() == "Error: the name is empty"
    assert asked == []
    assert run("init", "--name", "Ada").exit_code == 0
    assert len(asked) == 2  # the new passphrase, and its repetition


@pytest.mark.parametrize("name, role, passphrase, says", [
    ("Ada", "boss", PASSPHRASE, "role 'boss'"),
    ("", "mentee", PASSPHRASE, "the name is empty"),
    ("Ada", "mentor", "short", "at least 8 characters"),
])
def test_enrolment_checks_name_role_and_passphrase_before_writing(home, shared_store, name, role, passphrase, says):
    from journal.enrolment import enrol

    before = store_state(shared_store)
    with pytest.raises(JournalError, match=says):
        enrol(home / "ada.json", shared_store, name=name, role=role, passphrase=passphrase)
    assert store_state(shared_store) == before
    assert not (home / "ada.json").exists()

    identity = enrol(home / "ada.json", shared_store, name="Ada", role="mentor", passphrase=PASSPHRASE)
    assert identity.name == "Ada" and (home / "ada.json").exists()


def test_a_store_that_fails_while_her_journal_is_written_keeps_nothing_of_her(run, home, shared_store, monkeypatch):
    """Her directory entry, journal key and first record are one transaction: a failure at the
    last leaves no entry naming her and no key row for a journal that does not exist."""
    from eventsourcing.persistence import OperationalError

    from journal.data_key_store import DataKeyStore

    before = store_state(shared_store)
    honest_insert = DataKeyStore.insert

    def failing(c, kind, stored_events):
        raise OperationalError("disk I/O error")

    monkeypatch.setattr(DataKeyStore, "insert", staticmethod(failing))
    result = run("init", "--name", "Ada Lovelace")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("Error:")
    assert store_state(shared_store) == before  # no directory entry, no journal-key row
    assert not (home / "identity.json").exists()

    monkeypatch.setattr(DataKeyStore, "insert", staticmethod(honest_insert))
    assert run("init", "--name", "Ada Lovelace").exit_code == 0  # the same command, on a store that works
    assert directory_names(run, home) == ["Ada Lovelace", "Grace"]
    assert run("checkin", "my first day").exit_code == 0
