"""Known-answer vectors for a programme's signed terms, the pin her journal keeps, a signed
membership, the batch, aggregate and release envelopes and the helper's memory file, and the
damage each refuses: every column of mj_programme_terms, malformed, is one line naming it."""

from __future__ import annotations

import json
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import pytest

from journal import aggregation, crypto, directory, programmes
from journal.errors import JournalError, TamperedRecord
from journal.programme_store import ProgrammeRow, ProgrammeStore
from journal.share_store import ShareRow, ShareStore
from tests.unit.known_answers import MemoryStore, flipped, person, vectors

VECTOR = vectors("programme")
MANAGER, STEWARD, MEMBER = person(VECTOR["manager"]), person(VECTOR["steward"]), person(VECTOR["member"])
ROW = VECTOR["row"]
NAME = ROW["name"]
PROGRAMME_KEY = crypto.x25519_private(bytes.fromhex(VECTOR["programme_private"]))
COLUMNS = ("name", "manager_fingerprint", "public_key", "helper_fingerprint", "helper_key", "k", "rho", "start",
           "months", "settle_days", "created", "signature")


def row(**changes) -> ProgrammeRow:
    fields = {**ROW, "public_key": bytes.fromhex(ROW["public_key"]), "helper_key": bytes.fromhex(ROW["helper_key"]),
              "rho": Fraction(ROW["rho"]), "signature": bytes.fromhex(ROW["signature"]), **changes}
    return ProgrammeRow(*(fields[c] for c in COLUMNS))


def stored(sealed_private: bytes | None = None, **changes) -> MemoryStore:
    store = MemoryStore()
    ProgrammeStore(store).insert(row(**changes), sealed_private or bytes.fromhex(ROW["sealed_private"]))
    for someone in (MANAGER, STEWARD, MEMBER):  # their verified directory entries
        directory.publish(store, someone)
    return store


def test_signing_the_terms_reproduces_their_signature_exactly():
    programme = programmes.Programme(*list(row().__dict__.values())[:-1])
    assert crypto.sign(MANAGER.signing_key, programmes._signed_part(programme)).hex() == ROW["signature"]
    without = replace(programme, helper_fingerprint="", helper_key=programme.public_key)
    assert crypto.sign(MANAGER.signing_key, programmes._signed_part(without)).hex() == \
        VECTOR["row_without_helper"]["signature"]


def test_the_stored_terms_verify_pin_as_the_vector_and_each_aggregator_opens_its_key():
    store = stored()
    programme = programmes.find_programme(store.app(MEMBER), NAME)
    assert programme.pin() == VECTOR["pin"]
    assert (programme.has_helper, programme.helper, programme.rho) == (True, ROW["helper_fingerprint"], 2)
    key = programmes.manager_key(store.app(MANAGER), programmes.find_programme(store.app(MANAGER), NAME))
    assert crypto.raw_private(key).hex() == VECTOR["programme_private"]
    helper = programmes.helper_key(store.app(STEWARD), programme)
    assert crypto.raw_public(helper.public_key()).hex() == ROW["helper_key"]
    with pytest.raises(JournalError, match="only the helper"):
        programmes.helper_key(store.app(MANAGER), programme)


def test_a_programme_without_a_helper_verifies_and_its_manager_does_the_helpers_part():
    without = VECTOR["row_without_helper"]
    store = stored(helper_fingerprint="", helper_key=bytes.fromhex(without["helper_key"]),
                   signature=bytes.fromhex(without["signature"]))
    programme = programmes.find_programme(store.app(MANAGER), NAME)
    assert not programme.has_helper and programme.helper == ROW["manager_fingerprint"]
    assert crypto.raw_private(programmes.helper_key(store.app(MANAGER), programme)).hex() == \
        VECTOR["programme_private"]


@pytest.mark.parametrize("change", [
    {"k": 6}, {"rho": Fraction(10)}, {"start": "2026-03"}, {"months": 12}, {"settle_days": 0},
    {"created": "2026-05-13T15:00:01+00:00"}, {"helper_fingerprint": ""},
    {"helper_key": bytes.fromhex(VECTOR["manager"]["x25519_public"])},
    {"public_key": bytes.fromhex(VECTOR["manager"]["x25519_public"])},
    {"signature": flipped(bytes.fromhex(ROW["signature"]), 5)},
], ids=lambda change: next(iter(change)))
def test_terms_changed_after_signing_are_not_used(change):
    with pytest.raises(JournalError, match="not signed by a manager in the directory") as refused:
        programmes.find_programme(stored(**change).app(MEMBER), NAME)
    assert "\n" not in str(refused.value)


def test_terms_signed_by_someone_not_a_manager_in_the_directory_are_not_used():
    store = stored()
    for signer, fingerprint in ((STEWARD, STEWARD.fingerprint), (MEMBER, ROW["manager_fingerprint"])):
        forged = row(manager_fingerprint=fingerprint)
        forged = replace(forged, signature=crypto.sign(signer.signing_key, programmes._signed_part(
            programmes.Programme(*list(forged.__dict__.values())[:-1]))))
        with store.transaction(commit=True) as c:
            c.execute("DELETE FROM mj_programme_terms")
        ProgrammeStore(store).insert(forged, bytes.fromhex(ROW["sealed_private"]))
        with pytest.raises(JournalError, match="not signed by a manager in the directory"):
            programmes.find_programme(store.app(MEMBER), NAME)


def test_a_flipped_sealed_private_key_does_not_open():
    sealed = bytes.fromhex(ROW["sealed_private"])
    store = stored(sealed_private=flipped(sealed, len(sealed) - 1))
    programme = programmes.find_programme(store.app(MANAGER), NAME)
    with pytest.raises(JournalError, match="does not open"):
        programmes.manager_key(store.app(MANAGER), programme)


# Each column of mj_programme_terms, and values a writer of the store could put there.
MALFORMED = [
    ("manager_fingerprint", "manager fingerprint", [None, 7, "2887 0c5e", "X" * 200]),
    ("public_key", "public key", [None, "text", b"\x00" * 31]),
    ("sealed_private", "sealed private key", [None, 42, b"\x00" * 2000]),
    ("helper_fingerprint", "helper fingerprint", [None, 7, "not a fingerprint"]),
    ("helper_key", "helper key", [None, "text", b"\x01" * 33]),
    ("k", "k", [None, "many", 4, 10**7, 2.5]),
    ("rho", "rho", [None, "abc", "1/0", "0", "11", "-1", b"2", "1" * 30]),
    ("start", "start", [None, "2026-13", "2026-2", 202602]),
    ("months", "months", [None, 0, 37, "six"]),
    ("settle_days", "settling window", [None, -1, 91, "seven"]),
    ("created", "creation time", [None, b"2026-05-13", "x" * 100]),
    ("signature", "signature", [None, "text", b"\x00" * 63]),
]


@pytest.mark.parametrize("column, words, value", [(c, w, v) for c, w, values in MALFORMED for v in values],
                         ids=lambda x: repr(x)[:20])
def test_a_malformed_column_of_the_terms_is_one_error_naming_it(column, words, value):
    store = stored()
    with store.transaction(commit=True) as c:
        c.execute(f"UPDATE mj_programme_terms SET {column} = ?", (value,))
    with pytest.raises(JournalError) as refused:
        if column == "sealed_private":
            programmes.manager_key(store.app(MANAGER), programmes.find_programme(store.app(MANAGER), NAME))
        else:
            programmes.find_programme(store.app(MEMBER), NAME)
    message = str(refused.value)
    assert f"malformed {words}" in message and repr(NAME) in message and "\n" not in message


def test_every_column_of_the_terms_table_is_covered():
    store = MemoryStore()
    with store.transaction(commit=False) as c:
        c.execute("PRAGMA table_info(mj_programme_terms)")
        columns = {r[1] for r in c.fetchall()}
    assert columns == {c for c, _, _ in MALFORMED} | {"name"}  # the name is the key it is found by


def test_a_programme_under_another_name_is_not_found_and_the_known_ones_are_named():
    with pytest.raises(JournalError, match=r"no programme 'Autumn' in this store \(known: Spring cohort\)"):
        programmes.find_programme(stored().app(MEMBER), "Autumn")


# -- memberships ------------------------------------------------------------------------


def test_her_membership_is_signed_as_the_vector_and_counts():
    store = stored()
    app = store.app(MEMBER)
    for membership in VECTOR["memberships"]:
        programmes.sign_membership(app, NAME, membership["joined"], membership["left"])
        with store.transaction(commit=False) as c:
            c.execute("SELECT programme, fingerprint, joined, left_month, signature FROM mj_memberships")
            assert c.fetchall() == [(NAME, membership["fingerprint"], membership["joined"], membership["left"] or "",
                                     bytes.fromhex(membership["signature"]))]
    programme = programmes.find_programme(app, NAME)
    signed = programmes.signed_memberships(app, programme)
    assert [(m.joined, m.left) for m in signed] == [("2026-02", "2026-04")]
    assert [programmes.members_in(signed, p) for p in ("2026-01", "2026-02", "2026-04", "2026-05")] == [0, 1, 1, 0]


def test_a_membership_its_member_did_not_sign_counts_for_nothing():
    store = stored()
    app = store.app(MEMBER)
    membership = VECTOR["memberships"][0]
    good = bytes.fromhex(membership["signature"])
    forged = [
        (MEMBER.fingerprint, "2026-01", "", good),  # moved to an earlier month
        (MEMBER.fingerprint, "2026-02", "", flipped(good, 0)),
        (STEWARD.fingerprint, "2026-02", "", crypto.sign(STEWARD.signing_key, programmes._membership_message(
            NAME, STEWARD.fingerprint, "2026-02", None))),  # signed, but by no mentee
        (MANAGER.fingerprint, "2026-02", "", good),
        ("0000 " * 7 + "0000", "2026-02", "", good),  # nobody in the directory
    ]
    programme = programmes.find_programme(app, NAME)
    for values in forged:
        with store.transaction(commit=True) as c:
            c.execute("DELETE FROM mj_memberships")
            c.execute("INSERT INTO mj_memberships VALUES (?,?,?,?,?)", (NAME, *values))
        assert programmes.signed_memberships(app, programme) == [], values
    with store.transaction(commit=True) as c:
        c.execute("DELETE FROM mj_memberships")
        for values in forged[2:]:  # other people's rows, beside her honest one
            c.execute("INSERT INTO mj_memberships VALUES (?,?,?,?,?)", (NAME, *values))
    programmes.sign_membership(app, NAME, "2026-02", None)
    assert programmes.members_in(programmes.signed_memberships(app, programme), "2026-03") == 1


# -- envelopes ---------------------------------------------------------------------------


def test_the_share_rows_digest_is_the_vectors():
    rows = [ShareRow(bytes.fromhex(r["pseudonym"]), bytes.fromhex(r["leader"]), bytes.fromhex(r["helper"]))
            for r in VECTOR["share_rows"]]
    assert aggregation.digest(rows) == VECTOR["batch"]["envelope"]["digest"]
    assert aggregation.digest(list(reversed(rows))) == aggregation.digest(rows)  # in pseudonym order
    batch = VECTOR["batch"]["envelope"]
    assert aggregation.chosen(rows, batch) == rows  # every whole row the batch did not exclude
    assert aggregation.chosen(rows[1:], batch) is None  # a row gone: not the batch's rows
    assert aggregation.batch_id(batch) == VECTOR["aggregate"]["envelope"]["batch"]


def body(envelope: dict) -> dict:
    return {k: v for k, v in envelope.items() if k not in ("signature", "format", "period")}


@pytest.mark.parametrize("kind, signer, vector", [("batch", MANAGER, "batch"), ("aggregate", STEWARD, "aggregate"),
                                                  ("aggregate", STEWARD, "refused"), ("release", MANAGER, "release")])
def test_signing_an_envelope_reproduces_the_vector_exactly(kind, signer, vector):
    envelope = VECTOR[vector]["envelope"]
    period = envelope["period"]
    assert aggregation.sign(MemoryStore().app(signer), kind, NAME, period, body(envelope)) == envelope


@pytest.mark.parametrize("kind, signer, vector", [("batch", MANAGER, "batch"), ("aggregate", STEWARD, "aggregate")])
def test_a_published_envelope_is_stored_as_the_vector_and_believed(kind, signer, vector):
    store = stored()
    envelope = VECTOR[vector]["envelope"]
    aggregation.publish(store.app(signer), kind, NAME, envelope["period"], body(envelope))
    with store.transaction(commit=False) as c:
        c.execute(f"SELECT envelope FROM {aggregation.TABLES[kind]}")
        assert c.fetchone()[0] == VECTOR[vector]["stored"]
    ignored: list[str] = []
    assert aggregation.signed(store.app(signer), kind, NAME, signer.signing_key.public_key(), ignored) == \
        {envelope["period"]: envelope}
    assert ignored == []


def test_the_release_is_sealed_under_the_release_key_and_only_opens_with_it(monkeypatch):
    release = VECTOR["release"]
    envelope, period = release["envelope"], release["envelope"]["period"]
    key = aggregation.release_key(PROGRAMME_KEY, NAME)
    assert key.hex() == release["release_key"]
    store = stored()
    sealing = crypto.seal
    monkeypatch.setattr(crypto, "seal", lambda k, p, a: sealing(k, p, a, _nonce=bytes.fromhex(release["nonce"])))
    assert aggregation.publish(store.app(MANAGER), "release", NAME, period, body(envelope), release_key=key) == envelope
    with store.transaction(commit=False) as c:
        c.execute("SELECT envelope FROM mj_releases")
        assert c.fetchone()[0] == release["stored"]
    public = MANAGER.signing_key.public_key()
    assert aggregation.signed(store.app(MANAGER), "release", NAME, public, release_key=key) == {period: envelope}
    ignored: list[str] = []
    other = aggregation.release_key(crypto.x25519_private(bytes(31) + b"\x01"), NAME)  # the helper has no other
    assert aggregation.signed(store.app(MANAGER), "release", NAME, public, ignored, release_key=other) == {}
    assert ignored == [f"ignored the release of {period} in the store for {NAME!r}: it does not open"]


def with_row(table: str, period: str, text: str) -> MemoryStore:
    store = stored()
    with store.transaction(commit=True) as c:
        c.execute(f"INSERT INTO {table} VALUES (?,?,?)", (NAME, period, text))
    return store


def _resigned(signer, kind: str, envelope: dict) -> dict:
    unsigned = {k: v for k, v in envelope.items() if k != "signature"}
    return unsigned | {"signature": crypto.sign(signer.signing_key, aggregation._message(
        kind, NAME, envelope["period"], unsigned)).hex()}


@pytest.mark.parametrize("kind, signer, vector", [("batch", MANAGER, "batch"), ("aggregate", STEWARD, "aggregate")])
def test_an_envelope_its_signer_did_not_sign_is_ignored_with_one_line(kind, signer, vector):
    envelope = VECTOR[vector]["envelope"]
    period = envelope["period"]
    other = STEWARD if signer is MANAGER else MANAGER
    forgeries = {
        "another signer": json.dumps(_resigned(other, kind, envelope)),
        "a changed count": json.dumps(envelope | {"count": 99}),
        "another month": json.dumps(envelope | {"period": "2026-04"}),
        "another kind's label": json.dumps(_resigned(signer, "release", envelope)),
        "no signature": json.dumps({k: v for k, v in envelope.items() if k != "signature"}),
        "not hex": json.dumps(envelope | {"signature": "zz"}),
        "not JSON": "{",
        "not an object": "[1, 2]",
    }
    for what, text in forgeries.items():
        store = with_row(aggregation.TABLES[kind], period, text)
        ignored: list[str] = []
        assert aggregation.signed(store.app(signer), kind, NAME, signer.signing_key.public_key(), ignored) == {}, what
        assert len(ignored) == 1 and f"the {kind} of {period}" in ignored[0] and "\n" not in ignored[0], what
    honest = with_row(aggregation.TABLES[kind], period, VECTOR[vector]["stored"])  # the honest path
    assert aggregation.signed(honest.app(signer), kind, NAME, signer.signing_key.public_key()) == {period: envelope}


def test_an_unsealed_release_even_one_the_manager_signed_is_ignored():
    envelope = VECTOR["release"]["envelope"]
    store = with_row("mj_releases", envelope["period"], json.dumps(envelope))
    key = aggregation.release_key(PROGRAMME_KEY, NAME)
    ignored: list[str] = []
    assert aggregation.signed(store.app(MANAGER), "release", NAME, MANAGER.signing_key.public_key(), ignored,
                              release_key=key) == {}
    assert ignored == [f"ignored the release of {envelope['period']} in the store for {NAME!r}: it is not sealed"]


def test_an_aggregate_row_of_a_month_stops_her_re_sending_only_when_it_says_aggregated():
    store = stored()
    pseudonym = bytes(32)
    for vector, written in (("refused", True), ("aggregate", False)):
        period = VECTOR[vector]["envelope"]["period"]
        with store.transaction(commit=True) as c:
            c.execute("INSERT INTO mj_aggregates VALUES (?,?,?)", (NAME, period, VECTOR[vector]["stored"]))
        assert ShareStore(store).put_shares(NAME, period, pseudonym, b"l", b"h", b"r") is written


# -- the helper's memory -----------------------------------------------------------------


def steward_at(tmp_path: Path):
    return person(VECTOR["steward"], tmp_path / "steward.json")


def test_the_helpers_memory_is_written_as_the_vector(tmp_path):
    memory = VECTOR["helper_memory"]
    helper = aggregation.HelperMemory(steward_at(tmp_path))
    assert helper.path == tmp_path / "steward.aggregates.json" and helper.published == {}  # first use
    for key, envelope in memory["published"].items():
        programme, period = key.split("/")
        helper.remember(programme, period, envelope)
    assert helper.path.read_text() == memory["file"]
    assert helper.path.stat().st_mode & 0o777 == 0o600
    again = aggregation.HelperMemory(steward_at(tmp_path))
    assert again.of(NAME) == {"2026-03": VECTOR["aggregate"]["envelope"]} and again.of("Autumn") == {}


@pytest.mark.parametrize("damage", ["flipped mac", "another envelope", "another owner", "not json", "format 2",
                                    "too large"])
def test_a_helpers_memory_altered_on_disk_is_refused(tmp_path, damage):
    memory = VECTOR["helper_memory"]
    document = json.loads(memory["file"])
    path = tmp_path / "steward.aggregates.json"
    if damage == "flipped mac":
        document["mac"] = ("0" if document["mac"][0] != "0" else "1") + document["mac"][1:]
    elif damage == "another envelope":
        document["published"][f"{NAME}/2026-03"]["share"][0] += 1
    elif damage == "another owner":
        document["owner"] = VECTOR["manager"]["fingerprint"]
    elif damage == "format 2":
        document["format"] = 2
    text = json.dumps(document, sort_keys=True)
    if damage == "not json":
        text = memory["file"][:-1]
    elif damage == "too large":
        text = memory["file"] + " " * aggregation.HelperMemory.MAX_BYTES
    path.write_text(text)
    with pytest.raises(TamperedRecord, match="altered or copied from elsewhere") as refused:
        aggregation.HelperMemory(steward_at(tmp_path))
    assert "\n" not in str(refused.value)
    path.write_text(memory["file"])  # the intact file: believed
    assert aggregation.HelperMemory(steward_at(tmp_path)).of(NAME) == {"2026-03": VECTOR["aggregate"]["envelope"]}


def test_another_helpers_memory_copied_here_is_refused(tmp_path):
    (tmp_path / "manager.aggregates.json").write_text(VECTOR["helper_memory"]["file"])
    with pytest.raises(TamperedRecord):
        aggregation.HelperMemory(person(VECTOR["manager"], tmp_path / "manager.json"))
