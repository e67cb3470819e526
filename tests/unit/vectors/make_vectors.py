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


def keys(name: str, role: str, **extra) -> dict:
    x_private, ed_seed = seed(f"{name}/x25519"), seed(f"{name}/ed25519")
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
                "2026-05-11T09:05:00+00:00", 1, {"mood": 4, "text": "Paired on the parser", "tags": ["code"]}],
               ["0a9b8c7d6e5f40312233445566778899", "goal", "2026-05-12T10:00:00+00:00",
                "2026-05-12T10:00:30+00:00", 2, {"title": "Ship the first release", "tags": []}]]
    plaintext = json.dumps(entries, separators=(",", ":"), ensure_ascii=False).encode()
    dek, nonce, wrap_nonce = seed("view cache dek"), seed("view cache nonce")[:12], seed("view cache wrap")[:12]
    topic = f"mj:view-cache/2@{heads[version].hex()}"
    header = b"\x01" + jk_id.to_bytes(4, "big")
    blob = header + nonce + AESGCM(dek).encrypt(nonce, pad(plaintext), lp("mj/v1/event", JOURNAL_ID, version,
                                                                              topic, jk_id))
    wrap = b"\x01" + wrap_nonce + AESGCM(key).encrypt(wrap_nonce, dek, lp("mj/v1/dek", JOURNAL_ID, version, topic,
                                                                           jk_id))
    return {"format": "the view cache, a row of mj_view_cache (docs/FORMATS.md, View cache)",
            "note": "Sealed as an event (sealed_event.json) with stream = journal_id, version = the records covered "
                    "and topic = 'mj:view-cache/2@' + hex of heads[version] (the chain head after those records; "
                    "not stored), its data key dek wrapped under view_cache_key = HKDF-SHA256(journal_key, no salt, "
                    "info = lp('mj/v1/derive/view-cache-key', journal_id hex, jk_id)). plaintext is compact JSON "
                    "(ensure_ascii off) of [[entry_id, kind, at, recorded, version, fields], ...]. heads are "
                    "h_0..h_3 of chain.json's records.",
            "journal_id": JOURNAL_ID, "journal_key": JOURNAL_KEY.hex(), "jk_id": jk_id,
            "view_cache_key": key.hex(), "version": version, "heads": [h.hex() for h in heads], "topic": topic,
            "dek": dek.hex(), "event_nonce": nonce.hex(), "wrap_nonce": wrap_nonce.hex(),
            "plaintext": plaintext.decode(), "blob": blob.hex(), "wrap": wrap.hex()}


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
            "known_people": {"identity_file": "identity.json", "file": known}}


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


def contribution() -> dict:
    pseudonym_key = hkdf(JOURNAL_KEY, lp("mj/v1/derive/pseudonym-key", JOURNAL_ID, 1))
    public = X25519PrivateKey.from_private_bytes(PROGRAMME_KEY).public_key()
    found = []
    for period in ("2026-03", "2026-04"):
        payload = {"cohort": "2026-03", "metrics": {"active": 1, "checkins": 4, "confidence": 3, "goals_achieved": 0,
                                                    "goals_set": 1, "meeting_minutes": 60, "meetings": 1,
                                                    "met_norm": 1, "milestones": 0, "satisfaction": 4},
                   "period": period}
        body = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
        found.append({"period": period, "body": body.decode(),
                      "pseudonym": hmac.new(pseudonym_key, lp("mj/v1/pseudonym", PROGRAMME, period),
                                            "sha256").hexdigest(),
                      "sealed": hpke_seal(public, pad(body), lp("mj/v1/contribution", PROGRAMME, period)).hex()})
    return {"format": "a contribution, a row of mj_contributions, and its pseudonym (docs/FORMATS.md, Contributions)",
            "note": "pseudonym_key = HKDF-SHA256(journal_key (jk 1), no salt, info = lp('mj/v1/derive/pseudonym-key', "
                    "journal_id hex, 1)); pseudonym = HMAC-SHA256(pseudonym_key, lp('mj/v1/pseudonym', programme, "
                    "period)); body = compact JSON with sorted keys of the month's payload; sealed = HPKE base mode "
                    "of pad(body) to the programme's X25519 key, info = lp('mj/v1/contribution', programme, period) "
                    "(random: verified by opening with programme_private).",
            "journal_id": JOURNAL_ID, "journal_key": JOURNAL_KEY.hex(), "pseudonym_key": pseudonym_key.hex(),
            "programme": PROGRAMME, "programme_private": PROGRAMME_KEY.hex(), "contributions": found}


def programme() -> dict:
    public = raw(X25519PrivateKey.from_private_bytes(PROGRAMME_KEY).public_key())
    k, epsilon, months, fp = 5, "1/3", 6, MANAGER["fingerprint"]
    signature = signer(MANAGER).sign(lp("mj/v1/programme", PROGRAMME, fp, public, k, epsilon, months, NOW))
    sealed_private = hpke_seal(x25519_public(MANAGER), PROGRAMME_KEY, lp("mj/v1/programme-key", PROGRAMME))
    period, quarter, cost = "2026-04", "2026-Q2", "1/33"
    row = {"active": 7.0, "checkins": 3.14, "confidence": "suppressed", "period": period}
    body = json.dumps({"cost": cost, "quarter": quarter, "row": row}, sort_keys=True, separators=(",", ":"))
    release_signature = signer(MANAGER).sign(lp("mj/v1/programme-release", PROGRAMME, period, body.encode()))
    stored = json.dumps({"format": "mj-programme-release/1", "row": row, "quarter": quarter, "cost": cost,
                         "signature": release_signature.hex()}, sort_keys=True)
    return {"format": "a programme row of mj_programmes, the pin her journal keeps at join, and a release row of "
                      "mj_programme_releases (docs/FORMATS.md, Programme rows)",
            "note": "signature = Ed25519(manager, lp('mj/v1/programme', name, manager fp, public_key, k, epsilon text, "
                    "months, created)); sealed_private = HPKE base mode of programme_private to the manager, info = "
                    "lp('mj/v1/programme-key', name) (random: verified by opening). pin: public_key is hex "
                    "SHA-256(public_key). release.row_text is the stored column: json.dumps (sorted keys, default "
                    "spacing) of {format, row, quarter, cost, signature}, where signature = Ed25519(manager, "
                    "lp('mj/v1/programme-release', programme, period, compact sorted JSON of {cost, quarter, row})).",
            "manager": MANAGER, "programme_private": PROGRAMME_KEY.hex(),
            "row": {"name": PROGRAMME, "manager_fingerprint": fp, "public_key": public.hex(), "k": k,
                    "epsilon": epsilon, "months": months, "created": NOW, "signature": signature.hex(),
                    "sealed_private": sealed_private.hex()},
            "pin": {"manager_fingerprint": fp, "public_key": hashlib.sha256(public).hexdigest(), "k": k,
                    "epsilon": epsilon, "months": months},
            "release": {"period": period, "quarter": quarter, "cost": cost, "row": row, "signed_body": body,
                        "signature": release_signature.hex(), "row_text": stored}}


def programme_view() -> dict:
    position = 12
    view = {"2026-03|2026-03|checkins": [17, 5], "2026-03|2026-04|meeting_minutes": [300, 5]}
    key = hashlib.sha256(lp("mj/v1/programme-view", PROGRAMME, PROGRAMME_KEY)).digest()
    nonce, plaintext = seed("programme view nonce")[:12], json.dumps(view).encode()
    sealed = nonce + AESGCM(key).encrypt(nonce, plaintext, lp("mj/v1/programme-view", PROGRAMME, position))
    return {"format": "the manager's programme view, a row of mj_programme_views (docs/FORMATS.md, Programme view)",
            "note": "view_key = SHA-256(lp('mj/v1/programme-view', programme, programme_private)); sealed = nonce ‖ "
                    "AES-256-GCM(view_key, nonce, plaintext, lp('mj/v1/programme-view', programme, position)) ‖ tag; "
                    "plaintext = json.dumps(view) with default spacing, in insertion order. Each cell is "
                    "'cohort|period|metric': [sum, count].",
            "programme": PROGRAMME, "programme_private": PROGRAMME_KEY.hex(), "position": position, "view": view,
            "view_key": key.hex(), "nonce": nonce.hex(), "plaintext": plaintext.decode(), "sealed": sealed.hex()}


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


if __name__ == "__main__":
    for make in (identity, chain, view_cache, grant, seen_lists, directory, feedback, contribution, programme,
                 programme_view, anchor):
        write(make.__name__, make())
