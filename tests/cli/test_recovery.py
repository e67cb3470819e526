"""The recovery code: 24 words shown once at `mj init`; with them and the store, `mj recover`
rebuilds the identity on a new device. A wrong word or checksum, an altered or missing row, an
existing identity or a weak new passphrase are one line, with nothing written."""

import re
import stat

import pytest

from tests.conftest import ok, raw_store, refused, store_state

NEW = "violet anchor marble stove"




def code_shown(stderr: str) -> list[str]:
    return re.findall(r"\b\d+\. +([a-z]+)", stderr)


@pytest.fixture
def code(run, home):
    result = run("init", "--name", "Ada Lovelace")
    assert result.exit_code == 0, result.output
    words = code_shown(result.stderr)
    assert len(words) == 24 and "Write the code down" in result.stderr and str(home / "identity.json") in result.stderr
    return words


def recover(run, tmp_path, monkeypatch, words, name="new-device"):
    monkeypatch.setenv("MJ_RECOVERY_CODE", " ".join(words))
    monkeypatch.setenv("MJ_NEW_PASSPHRASE", NEW)
    return run("--identity", str(tmp_path / name / "identity.json"), "recover")


def test_the_code_and_the_store_rebuild_the_identity_on_a_new_device(run, code, home, tmp_path, monkeypatch):
    entry = ok(run("checkin", "remember me"))
    fingerprint = ok(run("whoami", "--json")).split('"fingerprint": "')[1][:39]
    recovered = recover(run, tmp_path, monkeypatch, code)
    assert ok(recovered) == fingerprint
    new_file = tmp_path / "new-device" / "identity.json"
    assert stat.S_IMODE(new_file.stat().st_mode) == 0o600
    monkeypatch.setenv("MJ_PASSPHRASE", NEW)
    assert entry in ok(run("--identity", str(new_file), "entries", "--json"))
    ok(run("--identity", str(new_file), "checkin", "written from the new device"))


def test_the_store_holds_neither_the_code_nor_a_raw_private_key(run, code, home, store):
    from journal.identity import unlock_identity
    from journal import crypto
    from tests.conftest import PASSPHRASE, files_at_rest

    me = unlock_identity(home / "identity.json", PASSPHRASE)
    secrets = [crypto.raw_private(me.encryption_key), crypto.raw_private(me.signing_key), " ".join(code).encode(),
               " ".join(code[:3]).encode()]
    with raw_store(store) as db:
        assert db.execute("SELECT COUNT(*) FROM mj_recovery").fetchone() == (1,)
    files = [p.read_bytes() for p in files_at_rest(home, store)]
    assert [s for s in secrets if any(s in data for data in files)] == []


@pytest.mark.parametrize("damage", ["a word misspelt", "two words swapped", "a word missing", "an altered row",
                                    "no row", "an identity already here", "a weak new passphrase"])
def test_a_recovery_that_cannot_be_is_one_line_and_writes_nothing(run, code, home, store, tmp_path, monkeypatch,
                                                                   damage):
    words = list(code)
    if damage == "a word misspelt":
        words[6] = "notaword"  # in no list (a one-letter slip may land on another of the 2,048 words)
    if damage == "two words swapped":  # the first swap the 8-bit checksum catches (1 in 256 do not)
        from mnemonic import Mnemonic

        for i in range(23):
            swapped = words[:i] + [words[i + 1], words[i]] + words[i + 2:]
            if not Mnemonic("english").check(" ".join(swapped)):
                words = swapped
                break
    if damage == "a word missing":
        words.pop()
    if damage in ("an altered row", "no row"):
        with raw_store(store) as db:
            if damage == "no row":
                db.execute("DELETE FROM mj_recovery")
            else:
                sealed = bytes(db.execute("SELECT sealed FROM mj_recovery").fetchone()[0])
                db.execute("UPDATE mj_recovery SET sealed = ?", (sealed[:-1] + bytes([sealed[-1] ^ 1]),))
    target = tmp_path / "new-device"
    if damage == "an identity already here":
        target.mkdir()
        (target / "identity.json").write_text("{}")
    if damage == "a weak new passphrase":
        monkeypatch.setenv("MJ_NEW_PASSPHRASE", "password")
    before = store_state(store)
    monkeypatch.setenv("MJ_RECOVERY_CODE", " ".join(words))
    monkeypatch.setenv("MJ_NEW_PASSPHRASE", "password" if damage == "a weak new passphrase" else NEW)
    line = refused(run("--identity", str(target / "identity.json"), "recover"))
    assert {"a word misspelt": "word 7", "two words swapped": "checksum", "a word missing": "23 words",
            "an altered row": "does not open", "no row": "holds nothing", "an identity already here": "exists",
            "a weak new passphrase": "too easy"}[damage] in line
    assert store_state(store) == before
    assert not (target / "identity.json").exists() or damage == "an identity already here"
    if damage not in ("an altered row", "no row"):  # the honest path beside it, the real code
        ok(recover(run, tmp_path, monkeypatch, code, name="another-device"))


def test_a_new_code_for_an_identity_recovers_it_and_the_first_code_still_does(run, code, home, tmp_path,
                                                                               monkeypatch):
    result = run("keys", "recovery-code")
    assert result.exit_code == 0, result.output
    second = code_shown(result.stderr)
    assert len(second) == 24 and second != code
    for n, words in enumerate((second, code)):
        ok(recover(run, tmp_path, monkeypatch, words, name=f"device-{n}"))


def test_after_an_identity_rotation_the_old_code_recovers_nothing_and_the_new_one_the_new_keys(
        run, code, home, tmp_path, monkeypatch):
    rotated = run("keys", "rotate", "--identity")
    assert rotated.exit_code == 0, rotated.output
    new_code = code_shown(rotated.stderr)
    fingerprint = ok(run("whoami", "--json")).split('"fingerprint": "')[1][:39]
    assert "holds nothing sealed under that recovery code" in refused(recover(run, tmp_path, monkeypatch, code))
    assert ok(recover(run, tmp_path, monkeypatch, new_code, name="device-2")) == fingerprint
