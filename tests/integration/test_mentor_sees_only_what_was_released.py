"""The key proof of sharing: a mentor holding the whole store and her own unlocked identity opens
exactly the entries and the summary released to her, and no other record, snapshot, cached view,
key or message, however she combines what she holds."""

from datetime import timedelta
from itertools import product
from pathlib import Path
from uuid import UUID

import pytest

from journal import chain, crypto, sealed_format, view_cache
from journal.app import SNAPSHOT_INTERVAL, JournalApp
from journal.config import store_location
from journal.identity import Identity, unlock_identity
from journal.mapper import decode_event
from journal.sharing import _grant_info, released_to_me
from tests.conftest import PASSPHRASE, raw_store, table_names
from domain import clock

CHECK_INS = SNAPSHOT_INTERVAL  # with the other records, enough for a snapshot and a view cache
TO_GRACE, TO_ALAN = 7, 8  # which check-ins are released, and to whom

# Tables whose rows the search below tries to open, and tables that hold only public data
# (self-signed directory entries; hashes and signatures over ciphertext; signed lists of grant ids).
SEARCHED = {"stored_events", "stored_snapshots", "mj_view_cache", "mj_view_pages", "mj_data_keys", "mj_journal_keys",
            "mj_grants", "mj_inbox", "mj_recovery", "mj_sent"}
PUBLIC = {"mj_directory", "mj_checkpoints", "mj_live_grants"}


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def write_adas_journal(store: Path, identity_file: Path) -> dict[str, str]:
    """Every kind of record a mentee keeps, through the library; then a read, which writes the
    encrypted view cache."""
    app = JournalApp(store, unlock_identity(identity_file, PASSPHRASE))
    try:
        aspiration = app.update(lambda j: j.state_aspiration("ASPIRATION-SECRET speak at conferences",
                                                             why="WHY-SECRET"))
        goal = app.update(lambda j: j.set_goal("GOAL-SECRET give a talk", measure="MEASURE-SECRET talks",
                                               due=clock.today() + timedelta(weeks=6), aspiration_id=aspiration))
        app.update(lambda j: j.add_milestone(goal, "MILESTONE-SECRET outline"))
        meeting = app.update(lambda j: j.log_meeting(minutes=60, focus="FOCUS-SECRET rehearsal",
                                                     concerns=["CONCERN-SECRET deadline"],
                                                     actions=["ACTION-SECRET book a room"]))
        checkins = [app.update(lambda j, n=n: j.check_in(f"CHECKIN-SECRET-{n:02d}", mood=3))
                    for n in range(CHECK_INS)]
        app.update(lambda j: j.add_feedback("OWN-FEEDBACK-SECRET"))
        assert len(app.entries()) > view_cache.REFRESH_AFTER
    finally:
        app.close()
    return {"goal": goal, "meeting": meeting, **{f"checkin {n}": c for n, c in enumerate(checkins)}}


@pytest.fixture
def exchange(run, mentee, home):
    """Ada keeps a journal of 50-odd records (a snapshot and a view cache among them), takes in
    Grace's feedback, and releases two entries and a summary to Grace and one entry to Alan.
    Bob, a second mentee, releases an entry to Alan. Feedback from Alan to Ada and from Grace to
    Bob waits, unimported, in the inbox."""
    files = {who: home / f"{who}.json" for who in ("grace", "alan", "bob")}
    ok(run("--identity", str(files["grace"]), "init", "--name", "Grace Hopper", "--role", "mentor"))
    ok(run("--identity", str(files["alan"]), "init", "--name", "Alan Turing", "--role", "mentor"))
    ok(run("--identity", str(files["bob"]), "init", "--name", "Bob Babbage"))
    ids = write_adas_journal(store_location(), home / "identity.json")
    ok(run("--identity", str(files["grace"]), "feedback", "send", "--to", "ada", "GRACE-FEEDBACK-SECRET"))

    to_grace = [ok(run("share", ids[f"checkin {TO_GRACE}"][:12], "--with", "grace")),  # imports Grace's feedback
                ok(run("share", ids["meeting"][:12], "--with", "Grace Hopper")),
                ok(run("share", "--summary", "--with", "grace"))]
    to_alan = [ok(run("share", ids[f"checkin {TO_ALAN}"][:12], "--with", "alan"))]
    bobs = ok(run("--identity", str(files["bob"]), "checkin", "BOB-SECRET"))
    to_alan.append(ok(run("--identity", str(files["bob"]), "share", bobs[:12], "--with", "alan")))

    ok(run("--identity", str(files["alan"]), "feedback", "send", "--to", "ada", "ALAN-FEEDBACK-SECRET"))
    ok(run("--identity", str(files["grace"]), "feedback", "send", "--to", "bob", "GRACE-TO-BOB-SECRET"))

    ada = unlock_identity(home / "identity.json", PASSPHRASE)
    app = JournalApp(store_location(), ada)
    history = app.history()
    app.close()
    summary = next(e.id for e in history if e.kind == "summary")
    released = {ids[f"checkin {TO_GRACE}"], ids["meeting"], summary}
    return {"files": {**files, "ada": home / "identity.json"}, "store": store_location(), "ids": ids,
            "ada": ada, "to_grace": to_grace, "to_alan": to_alan, "bob_entry": bobs,
            "released_to_grace": released,
            "versions_for_grace": {(ada.journal_id.hex, e.version) for e in history if e.id in released},
            "history": history}


def rows(store: Path, sql: str, params: tuple = ()) -> list[tuple]:
    with raw_store(store) as db:
        return db.execute(sql, params).fetchall()


def everything_opened_with(me: Identity, store: Path) -> dict:
    """Tries every sealed row of the store with everything `me` holds, and every key so obtained
    (as a journal key and as a data key) on every wrap and every blob, until no new key turns up.
    Returns what opened: grant ids, journal keys, inbox messages, and {(table, stream, version):
    plaintext} for records, snapshots and cached views."""
    fingerprints = {me.fingerprint} | {r[0] for r in rows(store, "SELECT fingerprint FROM mj_directory")}
    grants = rows(store, "SELECT grant_id, journal_id, version, mentor_fingerprint, sealed FROM mj_grants")
    journal_keys = rows(store, "SELECT journal_id, jk_id, sealed FROM mj_journal_keys")
    messages = rows(store, "SELECT message_id, recipient_fingerprint, sender_fingerprint, sealed FROM mj_inbox")
    # A snapshot's topic is in its row; the view cache's names the chain head at its version.
    snapshot_topics = {(s, v): t for s, v, t in rows(store, "SELECT originator_id, originator_version, topic "
                                                            "FROM stored_snapshots")}
    wraps = [(stream, version, sealed_format.EVENT_TOPIC if kind == "e" else snapshot_topics.get((stream, version), ""),
              jk_id, bytes(wrap)) for stream, kind, version, jk_id, wrap
             in rows(store, "SELECT stream_id, kind, version, jk_id, wrap FROM mj_data_keys")]
    caches = [(j, v, sealed_format.bound_topic(view_cache.CACHE_TOPIC, head_at(store, j, v)), blob, wrap)
              for j, v, blob, wrap in rows(store, "SELECT journal_id, version, blob, wrap FROM mj_view_cache")]
    pages = [(j, v, f"{view_cache.PAGE_TOPIC}:{n}", blob, wrap)
             for j, n, v, blob, wrap in rows(store, "SELECT journal_id, page, version, blob, wrap FROM mj_view_pages")]
    wraps += [(j, v, topic, sealed_format.key_id_of(bytes(blob)), bytes(wrap))
              for j, v, topic, blob, wrap in caches + pages]
    blobs = [("stored_events", *r) for r in rows(store, "SELECT originator_id, originator_version, topic, state "
                                                        "FROM stored_events")]
    blobs += [("stored_snapshots", *r) for r in rows(store, "SELECT originator_id, originator_version, topic, "
                                                            "state FROM stored_snapshots")]
    blobs += [("mj_view_cache", j, v, topic, blob) for j, v, topic, blob, _ in caches]
    blobs += [("mj_view_pages", j, v, topic, blob) for j, v, topic, blob, _ in pages]

    found = {"grants": set(), "journal_keys": set(), "messages": set(), "records": {}}
    keys: set[bytes] = set()
    for (grant_id, journal, version, _, sealed), fp in product(grants, fingerprints | {r[3] for r in grants}):
        try:
            keys.add(crypto.hpke_open(me.encryption_key, bytes(sealed), _grant_info(journal, version, fp, grant_id)))
            found["grants"].add(grant_id)
        except crypto.Unopenable:
            pass
    for journal, jk_id, sealed in journal_keys:
        try:
            journal_key = sealed_format.open_journal_key(bytes(sealed), me.encryption_key, journal_id=UUID(journal),
                                                         jk_id=jk_id)
            # and what the holder of a journal key derives from it: the view cache's wrapping key
            keys |= {journal_key, crypto.derive_key(journal_key, crypto.VIEW_CACHE_KEY_LABEL, UUID(journal).hex, jk_id)}
            found["journal_keys"].add((journal, jk_id))
        except crypto.Unopenable:
            pass
    recipients = fingerprints | {recipient for _, recipient, _, _ in messages}
    for (message_id, _, sender, sealed), fp in product(messages, recipients):
        try:
            crypto.hpke_open(me.encryption_key, bytes(sealed), crypto.lp("mj/v1/feedback", message_id, fp, sender))
            found["messages"].add(message_id)
        except crypto.Unopenable:
            pass
    tried: set[bytes] = set()
    while keys - tried:  # a data key that unwrapped another would be a way in: follow every one
        fresh, tried = keys - tried, tried | keys
        for (stream, version, topic, jk_id, wrap), key in product(wraps, fresh):
            try:
                keys.add(sealed_format.unwrap_data_key(wrap, journal_key=key, jk_id=jk_id, stream_id=UUID(stream),
                                                       version=version, topic=topic))
            except crypto.Unopenable:
                pass
    for (table, stream, version, topic, blob), key in product(blobs, keys):
        try:
            found["records"][(table, stream, version)] = sealed_format.open_with_data_key(
                bytes(blob), key, stream_id=UUID(stream), version=version, topic=topic)
        except crypto.Unopenable:
            pass
    # A mentor's own copies of what she sent: sealed to her own key, tried under every owner named.
    found["sent"] = set()
    owners = fingerprints | {r[1] for r in rows(store, "SELECT message_id, owner FROM mj_sent")}
    for (message_id, sealed), owner in product(rows(store, "SELECT message_id, sealed FROM mj_sent"), owners):
        try:
            crypto.hpke_open(me.encryption_key, bytes(sealed), crypto.lp("mj/v1/sent", message_id, owner))
            found["sent"].add(message_id)
        except crypto.Unopenable:
            pass
    # Recovery rows open under a key derived from a 24-word code: try every key found as the code's
    # bits too (her own code was shown once, to her terminal, and is in no file).
    found["recovery"] = set()
    for (recovery_id, sealed), key in product(rows(store, "SELECT recovery_id, sealed FROM mj_recovery"), keys):
        for candidate in (key, crypto.derive_key(key, "mj/v1/recovery-key")):
            try:
                crypto.chacha_open(candidate, bytes(sealed), crypto.lp("mj/v1/recovery", recovery_id))
                found["recovery"].add(recovery_id)
            except Exception:
                pass
    return found


def head_at(store, journal: str, version: int) -> bytes:
    """The hash chain's head after `version` records of `journal`: public, computed from ciphertext."""
    head = chain.GENESIS
    for v, topic, state in rows(store, "SELECT originator_version, topic, state FROM stored_events WHERE "
                                       "originator_id = ? AND originator_version <= ? ORDER BY originator_version",
                                (journal, version)):
        head = chain.link(head, UUID(journal), v, topic, bytes(state))
    return head


@pytest.fixture
def graces_haul(exchange):
    return everything_opened_with(unlock_identity(exchange["files"]["grace"], PASSPHRASE), exchange["store"])


def test_the_store_holds_a_snapshot_a_view_cache_and_every_kind_of_sealed_row(exchange):
    store = exchange["store"]
    journal = exchange["ada"].journal_id.hex
    assert rows(store, "SELECT COUNT(*) FROM stored_snapshots WHERE originator_id = ?", (journal,)) == [(1,)]
    assert rows(store, "SELECT COUNT(*) FROM mj_view_cache WHERE journal_id = ?", (journal,)) == [(1,)]
    assert rows(store, "SELECT COUNT(*) FROM mj_grants") == [(5,)]
    assert rows(store, "SELECT COUNT(*) FROM mj_inbox") == [(2,)]  # Alan's to Ada, Grace's to Bob
    assert rows(store, "SELECT COUNT(DISTINCT journal_id) FROM mj_journal_keys") == [(2,)]
    tables_with_rows = {t for t in table_names(store)
                        if rows(store, f"SELECT COUNT(*) FROM {t}") != [(0,)]}
    assert tables_with_rows <= SEARCHED | PUBLIC  # nothing sealed escapes the search below
    assert SEARCHED <= tables_with_rows


def test_with_the_whole_store_a_mentor_opens_exactly_the_two_entries_and_the_summary_released_to_her(
        exchange, graces_haul):
    opened = {(stream, version) for table, stream, version in graces_haul["records"]}
    assert opened == exchange["versions_for_grace"]
    assert len(opened) == 3
    assert {table for table, _, _ in graces_haul["records"]} == {"stored_events"}


def test_a_mentor_opens_only_the_grants_addressed_to_her(exchange, graces_haul):
    assert graces_haul["grants"] == set(exchange["to_grace"])


def test_a_mentor_opens_no_journal_key_no_snapshot_no_cached_view_and_no_inbox_message(graces_haul):
    assert graces_haul["journal_keys"] == set()
    assert graces_haul["messages"] == set()  # not even the one she wrote to Bob
    assert graces_haul["recovery"] == set()
    assert not [key for key in graces_haul["records"] if key[0] in {"stored_snapshots", "mj_view_cache",
                                                                     "mj_view_pages"}]


def test_a_mentor_opens_her_own_copies_of_what_she_sent_and_nobody_elses(exchange, graces_haul):
    store, grace = exchange["store"], unlock_identity(exchange["files"]["grace"], PASSPHRASE)
    hers = {m for m, owner in rows(store, "SELECT message_id, owner FROM mj_sent") if owner == grace.fingerprint}
    assert len(hers) == 2 and graces_haul["sent"] == hers  # to Ada and to Bob
    alans = everything_opened_with(unlock_identity(exchange["files"]["alan"], PASSPHRASE), store)["sent"]
    assert alans and not alans & hers
    assert everything_opened_with(exchange["ada"], store)["sent"] == set()


def test_what_a_mentor_opened_holds_the_released_texts_and_no_other_secret(exchange, graces_haul):
    opened = {decode_event(text, UUID(stream), version).entry_id: text.decode()
              for (_, stream, version), text in graces_haul["records"].items()}
    assert set(opened) == exchange["released_to_grace"]
    everything = " ".join(opened.values())
    assert f"CHECKIN-SECRET-{TO_GRACE:02d}" in everything
    assert "FOCUS-SECRET rehearsal" in everything  # in the meeting, and in the summary
    hidden = [f"CHECKIN-SECRET-{n:02d}" for n in range(CHECK_INS) if n != TO_GRACE] + [
        "ASPIRATION-SECRET", "WHY-SECRET", "GOAL-SECRET", "MILESTONE-SECRET", "OWN-FEEDBACK-SECRET",
        "GRACE-FEEDBACK-SECRET", "ALAN-FEEDBACK-SECRET", "BOB-SECRET", "GRACE-TO-BOB-SECRET"]
    assert [secret for secret in hidden if secret in everything] == []


def test_a_mentors_own_feedback_once_imported_is_a_record_she_cannot_open(exchange, graces_haul):
    [imported] = [e for e in exchange["history"] if e.kind == "mentor-feedback"]
    assert imported.fields["text"] == "GRACE-FEEDBACK-SECRET"
    assert (exchange["ada"].journal_id.hex, imported.version) not in {
        (stream, version) for _, stream, version in graces_haul["records"]}


def test_the_same_search_with_the_mentees_identity_opens_every_record_of_her_journal(exchange):
    """The search is able to open things: given Ada's identity it opens her whole journal, its
    snapshot and its cached view, and the message waiting for her; none of Bob's records."""
    store, ada = exchange["store"], exchange["ada"]
    haul = everything_opened_with(ada, store)
    journal = ada.journal_id.hex
    events = {("stored_events", s, v) for s, v in rows(store, "SELECT originator_id, originator_version "
                                                               "FROM stored_events")}
    assert set(haul["records"]) == {key for key in events if key[1] == journal} | {
        ("stored_snapshots", journal, SNAPSHOT_INTERVAL)} | {
        ("mj_view_cache", j, v) for j, v in rows(store, "SELECT journal_id, version FROM mj_view_cache")} | {
        ("mj_view_pages", j, v) for j, v in rows(store, "SELECT journal_id, version FROM mj_view_pages")}
    assert haul["journal_keys"] == {(journal, 1)}
    assert len(haul["messages"]) == 1 and haul["grants"] == set()


def test_another_mentor_opens_only_what_two_mentees_released_to_him(exchange):
    haul = everything_opened_with(unlock_identity(exchange["files"]["alan"], PASSPHRASE), exchange["store"])
    opened = {decode_event(text, UUID(stream), version).entry_id
              for (_, stream, version), text in haul["records"].items()}
    assert opened == {exchange["ids"][f"checkin {TO_ALAN}"], exchange["bob_entry"]}
    assert haul["grants"] == set(exchange["to_alan"]) and haul["journal_keys"] == set()


def test_released_to_me_gives_the_mentor_exactly_the_three_releases_and_rejects_none(exchange):
    grace = unlock_identity(exchange["files"]["grace"], PASSPHRASE)
    app = JournalApp(exchange["store"], grace)
    try:
        released, rejected = released_to_me(app)
    finally:
        app.close()
    assert rejected == []
    assert sorted(r.grant_id for r in released) == sorted(exchange["to_grace"])
    assert {r.entry.id for r in released} == exchange["released_to_grace"]
    assert {(r.mentee, r.mentee_fingerprint) for r in released} == {("Ada Lovelace", exchange["ada"].fingerprint)}
    summary = next(r.entry for r in released if r.entry.kind == "summary")
    assert summary.fields["summary"]["checkins"] == CHECK_INS  # the counts travel; the check-ins do not
