"""Writes the known-answer vector files of the stored formats (docs/FORMATS.md). Run by hand,
once, from the repository root: `python3 tests/unit/vectors/make_vectors.py`. The tests compare
the program against the committed files and never run this.

Each deterministic value is computed here from the primitives as docs/FORMATS.md describes
them (Argon2id, HKDF, HMAC, SHA-256, Ed25519, AES-GCM, ChaCha20-Poly1305), not by the program's
own functions, so a test that passes shows the code and the document agree. Only HPKE, whose
ephemeral key is random, is sealed with the program's `crypto.hpke_seal`: those bytes change
from run to run and are checked by opening. Every key is a fixed seed, SHA-256 of a name.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import sys
import unicodedata
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parents[2]))

from journal.crypto import hpke_seal, lp, pad  # noqa: E402  (lp and pad have their own tests)


def seed(name: str) -> bytes:
    return hashlib.sha256(f"mj known-answer vectors/{name}".encode()).digest()


def hkdf(key: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(key)


def raw(public_key) -> bytes:
    return public_key.public_bytes_raw()


def fingerprint(x25519: bytes, ed25519: bytes) -> str:
    digest = hashlib.sha256(x25519 + ed25519).digest()[:16].hex()
    return " ".join(digest[i:i + 4] for i in range(0, 32, 4))


def keys(name: str, role: str, *, label: str | None = None, **extra) -> dict:
    x_private, ed_seed = seed(f"{label or name}/x25519"), seed(f"{label or name}/ed25519")
    x_public = raw(X25519PrivateKey.from_private_bytes(x_private).public_key())
    ed_public = raw(Ed25519PrivateKey.from_private_bytes(ed_seed).public_key())
    return {"name": name, "role": role, **extra, "x25519_private": x_private.hex(), "ed25519_seed": ed_seed.hex(),
            "x25519_public": x_public.hex(), "ed25519_public": ed_public.hex(),
            "fingerprint": fingerprint(x_public, ed_public)}


def signer(person: dict) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(person["ed25519_seed"]))


def x25519_public(person: dict):
    return X25519PrivateKey.from_private_bytes(bytes.fromhex(person["x25519_private"])).public_key()


JOURNAL_ID = seed("journal id")[:16].hex()
JOURNAL_KEY = seed("journal key 1")
MENTEE = keys("Ada Lovelace", "mentee", journal_id=JOURNAL_ID)
MENTOR = keys("Zoë Okafor", "mentor")
MANAGER = keys("Mary Somerville", "manager")
NOW = "2026-05-13T15:00:00+00:00"


def write(name: str, document: dict) -> None:
    (HERE / f"{name}.json").write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def identity() -> dict:
    kdf = {"memory_kib": 19456, "iterations": 2, "lanes": 1}  # the reader's floor
    salt, nonce, passphrase = seed("identity salt")[:16], seed("identity nonce")[:12], "correct horse battery"
    header = {"format": "mj-identity/1", "name": MENTEE["name"], "role": "mentee", "journal_id": JOURNAL_ID,
              "public": {"x25519": base64.b64encode(bytes.fromhex(MENTEE["x25519_public"])).decode(),
                         "ed25519": base64.b64encode(bytes.fromhex(MENTEE["ed25519_public"])).decode()},
              "kdf": dict(kdf, name="argon2id", salt=base64.b64encode(salt).decode())}
    aad = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    key = Argon2id(salt=salt, length=32, iterations=kdf["iterations"], lanes=kdf["lanes"],
                   memory_cost=kdf["memory_kib"]).derive(passphrase.encode())
    secret = bytes.fromhex(MENTEE["x25519_private"]) + bytes.fromhex(MENTEE["ed25519_seed"])
    sealed = nonce + ChaCha20Poly1305(key).encrypt(nonce, secret, aad)
    file = json.dumps(dict(header, sealed=base64.b64encode(sealed).decode()), indent=2)
    return {"format": "mj-identity/1: the identity file (docs/FORMATS.md, Identity file)",
            "note": "file is the exact text save_identity writes, given kdf, salt and nonce. sealing_key = "
                    "Argon2id(passphrase UTF-8, salt, memory_kib, iterations, lanes, 32 bytes); aad is the "
                    "canonical JSON (sorted keys, no spaces) of every field of the file but 'sealed'; sealed = "
                    "base64(nonce ‖ ChaCha20-Poly1305(sealing_key, nonce, x25519_private ‖ ed25519_seed, aad)). "
                    "fingerprint = the first 16 bytes of SHA-256(x25519_public ‖ ed25519_public), as eight groups "
                    "of four hex digits. The KDF parameters are the reader's floor, so the test stays quick.",
            "owner": MENTEE, "passphrase": passphrase, "kdf": kdf, "salt": salt.hex(), "nonce": nonce.hex(),
            "aad": aad.decode(), "sealing_key": key.hex(), "file": file}


def chain_records() -> tuple[list[dict], list[bytes]]:
    heads, records = [bytes(32)], []
    for version in (1, 2, 3):
        blob = seed(f"chain blob {version}")[: 8 + version]
        topic = "mj:sealed/1"
        heads.append(hashlib.sha256(b"\x00" + heads[-1] + lp(JOURNAL_ID, version, topic, blob)).digest())
        records.append({"version": version, "topic": topic, "blob": blob.hex(), "head": heads[-1].hex()})
    return records, heads


def chain() -> dict:
    records, heads = chain_records()
    checkpoint_key = Ed25519PrivateKey.from_private_bytes(hkdf(JOURNAL_KEY, lp("mj/v1/derive/checkpoint-key",
                                                                              JOURNAL_ID)))
    size = len(records)
    signature = checkpoint_key.sign(lp("mj/v1/checkpoint", JOURNAL_ID, size, heads[size]))
    return {"format": "the hash chain over stored records and its signed checkpoint (docs/FORMATS.md, Hash chain)",
            "note": "h_0 = 32 zero bytes; h_n = SHA-256(0x00 ‖ h_(n-1) ‖ lp(stream_id hex, version, topic, blob)); "
                    "each record's head is h_version. The checkpoint key is the Ed25519 seed HKDF-SHA256(journal_key, "
                    "no salt, info = lp('mj/v1/derive/checkpoint-key', stream_id hex)); checkpoint.signature = "
                    "Ed25519(checkpoint key, lp('mj/v1/checkpoint', stream_id hex, size, head)), deterministic. "
                    "Blobs are arbitrary bytes: the chain covers ciphertext only.",
            "stream_id": JOURNAL_ID, "journal_key": JOURNAL_KEY.hex(), "records": records,
            "checkpoint_public_key": raw(checkpoint_key.public_key()).hex(),
            "checkpoint": {"size": size, "head": heads[size].hex(), "signature": signature.hex()}}


def view_cache() -> dict:
    jk_id, version = 1, 2
    _, heads = chain_records()
    key = hkdf(JOURNAL_KEY, lp("mj/v1/derive/view-cache-key", JOURNAL_ID, jk_id))
    entries = [["6f1c0c5bd6d54c7a9d3f0e1b2a394857", "checkin", "2026-05-11T09:00:00+00:00",
                "2026-05-11T09:05:00+00:00", 1, {"mood": 4, "text": "Paired on the parser", "tags": ["Code"]}],
               ["0a9b8c7d6e5f40312233445566778899", "goal", "2026-05-12T10:00:00+00:00",
                "2026-05-12T10:00:30+00:00", 2, {"title": "Ship the first release", "tags": []}]]

    def sealed(plaintext: bytes, topic: str, name: str) -> dict:
        dek, nonce, wrap_nonce = seed(f"{name} dek"), seed(f"{name} nonce")[:12], seed(f"{name} wrap")[:12]
        header = b"\x01" + jk_id.to_bytes(4, "big")
        blob = header + nonce + AESGCM(dek).encrypt(nonce, pad(plaintext), lp("mj/v1/event", JOURNAL_ID, version,
                                                                                  topic, jk_id))
        wrap = b"\x01" + wrap_nonce + AESGCM(key).encrypt(wrap_nonce, dek, lp("mj/v1/dek", JOURNAL_ID, version,
                                                                               topic, jk_id))
        return {"topic": topic, "dek": dek.hex(), "event_nonce": nonce.hex(), "wrap_nonce": wrap_nonce.hex(),
                "plaintext": plaintext.decode(), "blob": blob.hex(), "wrap": wrap.hex()}

    page = sealed(json.dumps(entries, separators=(",", ":"), ensure_ascii=False).encode(), "mj:view-page/1:0",
                  "view page")
    digest = hashlib.sha256(lp(bytes.fromhex(page["blob"]), bytes.fromhex(page["wrap"]))).hexdigest()
    index = {"page_size": 500,
             "pages": [[0, version, 2, entries[0][2], entries[1][2], ["checkin", "goal"], ["code"], digest]],
             "corrected": {}}
    index_row = sealed(json.dumps(index, separators=(",", ":"), ensure_ascii=False).encode(),
                       f"mj:view-cache/3@{heads[version].hex()}", "view cache")
    return {"format": "the view cache: its index, a row of mj_view_cache, and a page, a row of mj_view_pages "
                      "(docs/FORMATS.md, View cache)",
            "note": "Each is sealed as an event (sealed_event.json) with stream = journal_id and version = the last "
                    "record it covers, its data key dek wrapped under view_cache_key = HKDF-SHA256(journal_key, no "
                    "salt, info = lp('mj/v1/derive/view-cache-key', journal_id hex, jk_id)). Page n (records "
                    "n*500+1 .. (n+1)*500) has topic 'mj:view-page/1:' + n and plaintext compact JSON (ensure_ascii "
                    "off) of [[entry_id, kind, at, recorded, version, fields], ...]. The index has topic "
                    "'mj:view-cache/3@' + hex of heads[version] (the chain head after the records it covers; not "
                    "stored) and plaintext compact JSON of {page_size, pages: [[n, last version, views, earliest at, "
                    "latest at, sorted kinds, sorted casefolded tags, hex SHA-256 of lp(page blob, page wrap)]], "
                    "corrected: {id: [page of its first version, [pages of its corrections]]}}. heads are h_0..h_3 "
                    "of chain.json's records.",
            "journal_id": JOURNAL_ID, "journal_key": JOURNAL_KEY.hex(), "jk_id": jk_id,
            "view_cache_key": key.hex(), "version": version, "heads": [h.hex() for h in heads],
            "index": index_row, "page": page}


def grant() -> dict:
    version, grant_id, dek = 7, seed("grant id")[:16].hex(), seed("released data key")
    mentee_fp, mentor_fp = MENTEE["fingerprint"], MENTOR["fingerprint"]
    info = lp("mj/v1/grant", JOURNAL_ID, JOURNAL_ID, version, mentor_fp, grant_id)
    sealed = hpke_seal(x25519_public(MENTOR), dek, info)
    signature = signer(MENTEE).sign(lp("mj/v1/grant-signature", grant_id, JOURNAL_ID, version, mentee_fp, mentor_fp,
                                       NOW, sealed))
    ids = sorted([grant_id, seed("another grant id")[:16].hex()])
    sequence = 9
    live_signature = signer(MENTEE).sign(lp("mj/v1/live-grants", JOURNAL_ID, sequence, *ids))
    return {"format": "a grant row of mj_grants and a live-grants list of mj_live_grants (docs/FORMATS.md, Grants)",
            "note": "grant.sealed = HPKE base mode (X25519, HKDF-SHA256, ChaCha20-Poly1305) of the entry's data key "
                    "to the mentor, info = lp('mj/v1/grant', journal_id, journal_id, version, mentor fingerprint, "
                    "grant_id); random, so verified by opening. grant.signature = Ed25519(mentee, "
                    "lp('mj/v1/grant-signature', grant_id, journal_id, version, mentee fp, mentor fp, granted_at, "
                    "sealed)). live.grant_ids is the stored column, json.dumps of the sorted ids; live.signature = "
                    "Ed25519(mentee, lp('mj/v1/live-grants', journal_id, sequence, *sorted ids)).",
            "mentee": MENTEE, "mentor": MENTOR,
            "grant": {"grant_id": grant_id, "journal_id": JOURNAL_ID, "version": version,
                      "mentee_fingerprint": mentee_fp, "mentor_fingerprint": mentor_fp, "granted_at": NOW,
                      "data_key": dek.hex(), "sealed": sealed.hex(), "signature": signature.hex()},
            "live": {"journal_id": JOURNAL_ID, "sequence": sequence, "grant_ids": json.dumps(ids),
                     "signature": live_signature.hex()}}


def seen_lists() -> dict:
    owner = MENTOR["fingerprint"]
    seen = {f"{MENTEE['fingerprint']}/{JOURNAL_ID}": 9, f"{MANAGER['fingerprint']}/{'0' * 31}1": 3}
    key = hkdf(bytes.fromhex(MENTOR["ed25519_seed"]), lp("mj/v1/derive/seen-lists-key", owner))
    canonical = json.dumps(seen, sort_keys=True, separators=(",", ":"))
    mac = hmac.new(key, lp("mj/v1/seen-lists", owner, canonical), "sha256").hexdigest()
    file = json.dumps({"format": 1, "owner": owner, "seen": seen, "mac": mac}, sort_keys=True)
    return {"format": "a mentor device's seen-lists file (docs/FORMATS.md, Grants)",
            "note": "key = HKDF-SHA256(mentor's Ed25519 seed, no salt, info = lp('mj/v1/derive/seen-lists-key', "
                    "owner fingerprint)); mac = hex HMAC-SHA256(key, lp('mj/v1/seen-lists', owner, canonical)) where "
                    "canonical is the JSON of seen with sorted keys and no spaces; file is the exact text written "
                    "(json.dumps of the document, sorted keys, default spacing).",
            "owner": MENTOR, "seen": seen, "key": key.hex(), "canonical": canonical, "mac": mac, "file": file}


def directory_entry(person: dict) -> dict:
    entry = json.dumps({"format": "mj-directory/1", "name": person["name"], "role": person["role"],
                        "x25519": person["x25519_public"], "ed25519": person["ed25519_public"]},
                       sort_keys=True, separators=(",", ":")).encode()
    signature = signer(person).sign(lp("mj/v1/directory", entry))
    return {"person": person, "fingerprint": person["fingerprint"], "entry": entry.decode(),
            "signature": signature.hex()}


def succession(old: dict, new: dict) -> dict:
    """`new`'s entry after `mj keys rotate --identity` replaced `old`: the old keys as a link, signed
    by the old key over the new keys."""
    message = lp("mj/v1/succession", new["name"], new["role"], bytes.fromhex(old["x25519_public"]),
                 bytes.fromhex(old["ed25519_public"]), bytes.fromhex(new["x25519_public"]),
                 bytes.fromhex(new["ed25519_public"]))
    link = [old["x25519_public"], old["ed25519_public"], signer(old).sign(message).hex()]
    entry = json.dumps({"format": "mj-directory/1", "name": new["name"], "role": new["role"],
                        "x25519": new["x25519_public"], "ed25519": new["ed25519_public"], "before": [link]},
                       sort_keys=True, separators=(",", ":")).encode()
    return {"old": old, "new": new, "fingerprint": new["fingerprint"], "entry": entry.decode(),
            "signature": signer(new).sign(lp("mj/v1/directory", entry)).hex()}


def directory() -> dict:
    name_key = " ".join(unicodedata.normalize("NFKC", MENTEE["name"]).casefold().split())
    known = json.dumps({"format": "mj-known-people/1", "people": {name_key: [MENTEE["fingerprint"]]}}, indent=2,
                       ensure_ascii=False)
    return {"format": "a directory entry of mj_directory, and a device's known-people (pin) file "
                      "(docs/FORMATS.md, Directory entries)",
            "note": "entry = the canonical JSON (sorted keys, no spaces, ASCII escapes) of {format: 'mj-directory/1', "
                    "name, role, x25519: hex, ed25519: hex}, stored as bytes; signature = Ed25519(the person's key, "
                    "lp('mj/v1/directory', entry)); the row's key is the fingerprint of the two public keys. "
                    "known_people is the exact text of the mentor's <identity>.people.json after she first sent "
                    "feedback to the mentee: NFKC-casefolded name to sorted fingerprints, indent 2, UTF-8.",
            "entries": [directory_entry(MENTEE), directory_entry(MENTOR)],
            "known_people": {"identity_file": "identity.json", "file": known},
            "succession_note": "after a rotation the entry also holds before: [[x25519 hex, ed25519 hex, signature "
                               "hex], ...], oldest first; each signature = Ed25519(that link's key, lp("
                               "'mj/v1/succession', name, role, its x25519, its ed25519, the next keys' x25519, "
                               "ed25519)), the next keys being the following link's or the entry's own.",
            "succession": succession(MENTEE, keys("Ada Lovelace", "mentee", label="Ada Lovelace/rotated",
                                                  journal_id=JOURNAL_ID))}


def feedback() -> dict:
    message_id, about = seed("feedback id")[:16].hex(), "6f1c0c5bd6d54c7a9d3f0e1b2a394857"
    text = "Good progress on the parser: next, write the tests first."
    body = json.dumps({"message_id": message_id, "text": text, "about": about, "sent_at": NOW,
                       "from_name": MENTOR["name"], "from_fingerprint": MENTOR["fingerprint"]},
                      sort_keys=True).encode()
    recipient, sender = MENTEE["fingerprint"], MENTOR["fingerprint"]
    sealed = hpke_seal(x25519_public(MENTEE), pad(body), lp("mj/v1/feedback", message_id, recipient, sender))
    signature = signer(MENTOR).sign(lp("mj/v1/feedback-signature", message_id, recipient, sender, NOW, sealed))
    return {"format": "a feedback message, a row of mj_inbox (docs/FORMATS.md, Inbox messages)",
            "note": "body = json.dumps (sorted keys, default spacing, ASCII escapes) of {about, from_fingerprint, "
                    "from_name, message_id, sent_at, text}; sealed = HPKE base mode to the mentee of pad(body), "
                    "info = lp('mj/v1/feedback', message_id, recipient fp, sender fp) (random: verified by opening); "
                    "signature = Ed25519(mentor, lp('mj/v1/feedback-signature', message_id, recipient fp, sender fp, "
                    "sent_at, sealed)).",
            "mentee": MENTEE, "mentor": MENTOR,
            "message": {"message_id": message_id, "recipient_fingerprint": recipient, "sender_fingerprint": sender,
                        "sent_at": NOW, "text": text, "about": about, "body": body.decode(), "sealed": sealed.hex(),
                        "signature": signature.hex()}}


PROGRAMME, PROGRAMME_KEY = "Spring cohort", seed("programme x25519")
STEWARD = keys("Caroline Herschel", "steward")


def pseudonym_key() -> bytes:
    return hkdf(JOURNAL_KEY, lp("mj/v1/derive/pseudonym-key", JOURNAL_ID, 1))


def contribution() -> dict:
    key = pseudonym_key()
    receipt_key = hkdf(key, lp("mj/v2/derive/receipt-key"))
    found = []
    # March closes Q1, so it carries the quarter's ratings (sent as rating - 1); April had no entry: zeros.
    for period, version, vector in (("2026-03", 41, [1, 2, 1, 1, 0, 2, 1, 3, 1]), ("2026-04", 41, [0] * 9)):
        pseudonym = hmac.new(key, lp("mj/v1/pseudonym", PROGRAMME, period), "sha256").digest()
        body = json.dumps({"version": version, "vector": vector}, separators=(",", ":")).encode()
        nonce = seed(f"receipt nonce {period}")[:12]
        sealed = nonce + AESGCM(receipt_key).encrypt(nonce, pad(body), lp("mj/v2/receipt", PROGRAMME, period,
                                                                           pseudonym))
        found.append({"period": period, "pseudonym": pseudonym.hex(), "version": version, "vector": vector,
                      "body": body.decode(), "nonce": nonce.hex(), "receipt": sealed.hex()})
    return {"format": "a month's pseudonym and the receipt of a row of mj_shares (docs/FORMATS.md, Contributions "
                      "and pseudonyms)",
            "note": "pseudonym_key = HKDF-SHA256(journal_key (jk 1), no salt, info = lp('mj/v1/derive/pseudonym-key', "
                    "journal_id hex, 1)); pseudonym = HMAC-SHA256(pseudonym_key, lp('mj/v1/pseudonym', programme, "
                    "period)); receipt_key = HKDF-SHA256(pseudonym_key, no salt, info = lp('mj/v2/derive/receipt-key'))"
                    "; body = compact JSON of {version, vector} in that order (version: her journal's version when "
                    "sent; vector: the nine bounded figures in the catalogue's order); receipt = nonce ‖ "
                    "AES-256-GCM(receipt_key, nonce, pad(body), lp('mj/v2/receipt', programme, period, pseudonym "
                    "bytes)) ‖ tag. The two shares beside it have their own vector file.",
            "journal_id": JOURNAL_ID, "journal_key": JOURNAL_KEY.hex(), "pseudonym_key": key.hex(),
            "receipt_key": receipt_key.hex(), "programme": PROGRAMME, "months": found}


def canonical(body: dict) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def envelope(person: dict, kind: str, period: str, body: dict) -> dict:
    body = body | {"format": {"batch": "mj-batch/1", "aggregate": "mj-aggregate/1", "release": "mj-release/2"}[kind],
                   "period": period}
    signature = signer(person).sign(lp(f"mj/v2/{kind}", PROGRAMME, period, canonical(body)))
    return body | {"signature": signature.hex()}


def programme() -> dict:
    public = raw(X25519PrivateKey.from_private_bytes(PROGRAMME_KEY).public_key())
    fp, helper_fp, helper_key = MANAGER["fingerprint"], STEWARD["fingerprint"], bytes.fromhex(STEWARD["x25519_public"])
    k, rho, start, months, settle_days = 5, "2", "2026-02", 6, 7

    def terms_signature(helper: str, key: bytes) -> str:
        return signer(MANAGER).sign(lp("mj/v2/programme", PROGRAMME, fp, public, helper, key, k, rho, start, months,
                                       settle_days, NOW)).hex()

    sealed_private = hpke_seal(x25519_public(MANAGER), PROGRAMME_KEY, lp("mj/v1/programme-key", PROGRAMME))
    member = MENTEE["fingerprint"]
    memberships = [{"programme": PROGRAMME, "fingerprint": member, "joined": joined, "left": left,
                    "signature": signer(MENTEE).sign(lp("mj/v2/membership", PROGRAMME, member, joined,
                                                        left or "")).hex()}
                   for joined, left in (("2026-02", None), ("2026-02", "2026-04"))]
    period = "2026-03"
    rows = [(seed(f"share row {n}/pseudonym"), seed(f"share row {n}/leader") * 3, seed(f"share row {n}/helper") * 2)
            for n in range(5)]
    digest = hashlib.sha256(lp(*[lp(p, hashlib.sha256(lead).digest(), hashlib.sha256(help_).digest())
                                 for p, lead, help_ in sorted(rows)])).hexdigest()
    batch = envelope(MANAGER, "batch", period, {"round": 1, "count": len(rows), "digest": digest,
                                                "excluded": [seed("share row excluded").hex()]})
    coordinates = ["active", "meetings", "met_norm", "goals_achieved", "milestones", "confidence",
                   "rated_confidence", "satisfaction", "rated_satisfaction"]
    aggregate = envelope(STEWARD, "aggregate", period, {
        "batch": hashlib.sha256(batch["signature"].encode()).hexdigest(), "status": "aggregated", "count": len(rows),
        "coordinates": coordinates, "share": [int.from_bytes(seed(f"aggregate share {c}")[:8], "big")
                                              for c in coordinates],
        "quarter": "2026-Q1", "cost": "18/19"})
    refused = envelope(STEWARD, "aggregate", "2026-02", {
        "batch": hashlib.sha256(b"another batch").hexdigest(), "status": "refused",
        "reason": "it has months from 4 members, fewer than k = 5", "rejected": []})
    row = {"members": 5, "figures": {"members sending": {"value": 5, "half_width": 0},
                                     "active mentees": {"value": 4, "half_width": 5.31},
                                     "confidence": {"suppressed": True}}}
    release = envelope(MANAGER, "release", period, {"row": row})
    release_key = hkdf(PROGRAMME_KEY, lp("mj/v2/derive/release-key", PROGRAMME))
    nonce = seed("release nonce")[:12]
    sealed_release = nonce + AESGCM(release_key).encrypt(nonce, canonical(release), lp("mj/v2/release", PROGRAMME,
                                                                                        period))
    stored_release = {"format": "mj-release-sealed/1", "sealed": sealed_release.hex()}
    owner = STEWARD["fingerprint"]
    published = {f"{PROGRAMME}/{period}": aggregate}
    memory_key = hkdf(bytes.fromhex(STEWARD["ed25519_seed"]), lp("mj/v2/derive/aggregates-key", owner))
    memory_canonical = json.dumps(published, sort_keys=True, separators=(",", ":"))
    mac = hmac.new(memory_key, lp("mj/v2/aggregates", owner, memory_canonical), "sha256").hexdigest()
    return {"format": "a programme's terms (mj_programme_terms), the pin her journal keeps at join, a membership "
                      "(mj_memberships), the signed batch, aggregate and release envelopes (mj_batches, mj_aggregates, "
                      "mj_releases) and the helper's memory file (docs/FORMATS.md, Programme rows)",
            "note": "row.signature = Ed25519(manager, lp('mj/v2/programme', name, manager fp, public_key, helper fp, "
                    "helper_key, k, rho text, start, months, settle_days, created)); without a helper, helper fp is '' "
                    "and helper_key the programme's own public key (row_without_helper). sealed_private = HPKE base "
                    "mode of programme_private to the manager, info = lp('mj/v1/programme-key', name) (random: "
                    "verified by opening). pin: public_key and helper_key are hex SHA-256 of the keys. membership "
                    "signature = Ed25519(member, lp('mj/v2/membership', programme, fingerprint, joined, left or '')). "
                    "Each envelope is its body plus format and period, and signature = hex Ed25519(signer, "
                    "lp('mj/v2/<kind>', programme, period, canonical JSON (sorted keys, no spaces) of the envelope "
                    "without signature)); the batch is the manager's, the aggregate the helper's (steward), the "
                    "release the manager's. Stored text is json.dumps(envelope, sort_keys=True). batch.digest = hex "
                    "SHA-256(lp(lp(pseudonym, SHA-256(leader), SHA-256(helper)) for each share row, in pseudonym "
                    "order)); aggregate.batch = hex SHA-256 of the batch's signature hex (ASCII). A release is stored "
                    "as {format: 'mj-release-sealed/1', sealed: hex(nonce ‖ AES-256-GCM(release_key, nonce, "
                    "canonical JSON of the signed envelope, lp('mj/v2/release', programme, period)) ‖ tag)}, "
                    "release_key = HKDF-SHA256(programme_private, no salt, info = lp('mj/v2/derive/release-key', "
                    "programme)). helper_memory: key = HKDF-SHA256(steward's Ed25519 seed, no salt, info = "
                    "lp('mj/v2/derive/aggregates-key', owner)); mac = hex HMAC-SHA256(key, lp('mj/v2/aggregates', "
                    "owner, canonical JSON of published)); file = json.dumps of the document, sorted keys.",
            "manager": MANAGER, "steward": STEWARD, "member": MENTEE, "programme_private": PROGRAMME_KEY.hex(),
            "row": {"name": PROGRAMME, "manager_fingerprint": fp, "public_key": public.hex(),
                    "helper_fingerprint": helper_fp, "helper_key": helper_key.hex(), "k": k, "rho": rho,
                    "start": start, "months": months, "settle_days": settle_days, "created": NOW,
                    "signature": terms_signature(helper_fp, helper_key), "sealed_private": sealed_private.hex()},
            "row_without_helper": {"helper_fingerprint": "", "helper_key": public.hex(),
                                   "signature": terms_signature("", public)},
            "pin": {"manager_fingerprint": fp, "public_key": hashlib.sha256(public).hexdigest(),
                    "helper_fingerprint": helper_fp, "helper_key": hashlib.sha256(helper_key).hexdigest(), "k": k,
                    "rho": rho, "start": start, "months": months, "settle_days": settle_days},
            "memberships": memberships,
            "share_rows": [{"pseudonym": p.hex(), "leader": lead.hex(), "helper": help_.hex()}
                           for p, lead, help_ in rows],
            "batch": {"envelope": batch, "stored": json.dumps(batch, sort_keys=True)},
            "aggregate": {"envelope": aggregate, "stored": json.dumps(aggregate, sort_keys=True)},
            "refused": {"envelope": refused, "stored": json.dumps(refused, sort_keys=True)},
            "release": {"envelope": release, "release_key": release_key.hex(), "nonce": nonce.hex(),
                        "stored": json.dumps(stored_release, sort_keys=True)},
            "helper_memory": {"owner": owner, "published": published, "key": memory_key.hex(),
                              "canonical": memory_canonical, "mac": mac,
                              "file": json.dumps({"format": 1, "owner": owner, "published": published, "mac": mac},
                                                 sort_keys=True)}}


def anchor() -> dict:
    _, heads = chain_records()
    size = 3
    key = hkdf(JOURNAL_KEY, lp("mj/v1/derive/anchor-key", JOURNAL_ID))
    mac = hmac.new(key, lp("mj/v1/anchor", JOURNAL_ID, size, heads[size]), "sha256").hexdigest()
    file = json.dumps({"format": 1, "journal": JOURNAL_ID, "size": size, "head": heads[size].hex(), "mac": mac})
    return {"format": "a device anchor, anchors/<journal id>.json (docs/FORMATS.md, Device anchor)",
            "note": "anchor_key = HKDF-SHA256(journal_key (jk 1), no salt, info = lp('mj/v1/derive/anchor-key', "
                    "journal_id hex)); mac = hex HMAC-SHA256(anchor_key, lp('mj/v1/anchor', journal_id hex, size, "
                    "head)); head is h_3 of chain.json; file is the exact text written (json.dumps, keys in the "
                    "order format, journal, size, head, mac; default spacing).",
            "journal_id": JOURNAL_ID, "journal_key": JOURNAL_KEY.hex(), "anchor_key": key.hex(), "size": size,
            "head": heads[size].hex(), "mac": mac, "file": file}


def contribution_shares() -> dict:
    """From the primitives alone: framing and padding written out here, ChaCha20, HKDF and the HPKE
    suite of cryptography directly (not journal/shares.py, crypto.lp, crypto.pad or crypto.hpke_seal)."""
    from cryptography.hazmat.primitives import hpke
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms

    def frame(*parts: bytes | str | int) -> bytes:  # lp: 4-byte BE length, then UTF-8 / u64 BE / bytes
        chunks = [p.encode() if isinstance(p, str) else p.to_bytes(8, "big") if isinstance(p, int) else p
                  for p in parts]
        return b"".join(len(c).to_bytes(4, "big") + c for c in chunks)

    def padded(data: bytes) -> bytes:  # 0x80, then zeros to 256 bytes (every share here is under 256)
        return data + b"\x80" + bytes(256 - len(data) - 1)

    share_seed, period, pseudonym = seed("share seed"), "2026-04", seed("share pseudonym")
    vector = [1, 4, 3, 0, 1, 60, 2**63 - 1, 1, 0]
    length = len(vector)
    context = frame("mj/v2/share-prf", length)
    prf_key = hkdf(share_seed, frame("mj/v2/derive/share-prf", context))
    stream = Cipher(algorithms.ChaCha20(prf_key, bytes(16)), mode=None).encryptor().update(bytes(8 * length))
    prf = [int.from_bytes(stream[i:i + 8], "big") for i in range(0, 8 * length, 8)]
    leader = [(v - h) % 2**64 for v, h in zip(vector, prf, strict=True)]
    header = b"\x01" + length.to_bytes(2, "big")
    plaintexts = {"leader": header + b"".join(w.to_bytes(8, "big") for w in leader), "helper": header + share_seed}
    suite = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305)
    recipients = {kind: seed(f"share {kind} x25519") for kind in plaintexts}
    found = {}
    for kind, plaintext in plaintexts.items():
        info = frame("mj/v2/contribution-share", PROGRAMME, period, pseudonym, kind)
        public = X25519PrivateKey.from_private_bytes(recipients[kind]).public_key()
        found[kind] = {"private": recipients[kind].hex(), "public": raw(public).hex(), "info": info.hex(),
                       "plaintext": plaintext.hex(), "padded": padded(plaintext).hex(),
                       "sealed": suite.encrypt(padded(plaintext), public, info=info).hex()}
    return {"format": "a contribution's two additive shares, the leader and helper columns of a row of mj_shares "
                      "(docs/FORMATS.md, Contribution shares (mj/v2))",
            "note": "prf_key = HKDF-SHA256(seed, no salt, info = lp('mj/v2/derive/share-prf', lp('mj/v2/share-prf', "
                    "length))); prf = the first 8 × length bytes of the ChaCha20 keystream under prf_key with a "
                    "16-byte zero nonce (counter and nonce), read as big-endian u64 words: the helper's share. leader"
                    " = (vector − prf) mod 2^64. leader plaintext = 0x01 ‖ u16 BE length ‖ leader words (u64 BE); "
                    "helper plaintext = 0x01 ‖ u16 BE length ‖ seed; padded = pad(plaintext) (0x80 then zeros to 256 "
                    "bytes); sealed = HPKE base mode (X25519, HKDF-SHA256, ChaCha20-Poly1305) of padded to the kind's"
                    " public key, info = lp('mj/v2/contribution-share', programme, period, pseudonym, kind) (random: "
                    "verified by opening with the kind's private key). Words are decimal integers.",
            "programme": PROGRAMME, "period": period, "pseudonym": pseudonym.hex(), "vector": vector,
            "seed": share_seed.hex(), "prf_context": context.hex(), "prf_key": prf_key.hex(), "prf_words": prf,
            "leader_words": leader, "leader": found["leader"], "helper": found["helper"]}


if __name__ == "__main__":
    for make in (identity, chain, view_cache, grant, seen_lists, directory, feedback, contribution, programme,
                 anchor, contribution_shares):
        write(make.__name__, make())
