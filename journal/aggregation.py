"""The signed envelopes of a programme's aggregation, and the helper's memory of what it published.

    batch      (manager) {"format": "mj-batch/1", "period", "round", "count", "digest", "excluded": [hex]}
    aggregate  (helper)  {"format": "mj-aggregate/1", "period", "batch", "status": "aggregated",
                          "count", "share": [u64…], "quarter", "cost"}
                      or {"format": "mj-aggregate/1", "period", "batch", "status": "refused", "reason",
                          "rejected": [hex]}
    release    (manager) {"format": "mj-release/2", "period", "row": {…}}

Each carries "signature": hex(Ed25519(signer, lp(label, programme, period, canonical JSON of the
rest))), label "mj/v2/batch", "mj/v2/aggregate" or "mj/v2/release". A release is stored sealed, as
{"format": "mj-release-sealed/1", "sealed": hex(AES-256-GCM(release key, canonical JSON of the
signed envelope, aad lp("mj/v2/release", programme, period)))}, the release key
HKDF(programme private key, lp("mj/v2/derive/release-key", programme)): the helper knows the noise
it drew, so it must never read a released figure, which would give it the exact total. `digest` is
SHA-256(lp(pseudonym ‖ SHA-256(leader) ‖ SHA-256(helper), …)) over the rows chosen, in pseudonym
order; `batch` in an aggregate is the hex SHA-256 of its batch's signature, binding one to the other.

The helper's device remembers every aggregate it published (a MAC'd file beside its identity,
like a mentor's seen lists): the store can withhold or delete them, and the helper re-publishes
the same envelope, never a second draw of noise, and counts them against the budget whatever
the store says.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from journal import crypto
from journal.errors import JournalError, TamperedRecord
from journal.private_files import write_private
from journal.programme_store import PERIOD
from journal.share_store import ShareRow, ShareStore

FORMATS = {"batch": "mj-batch/1", "aggregate": "mj-aggregate/1", "release": "mj-release/2"}
TABLES = {"batch": "mj_batches", "aggregate": "mj_aggregates", "release": "mj_releases"}


def _message(kind: str, programme: str, period: str, body: dict[str, Any]) -> bytes:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return crypto.lp(f"mj/v2/{kind}", programme, period, canonical.encode())


def sign(app: Any, kind: str, programme: str, period: str, body: dict[str, Any]) -> dict[str, Any]:
    """`body` as an envelope signed by this identity (not yet written)."""
    body = body | {"format": FORMATS[kind], "period": period}
    return body | {"signature": crypto.sign(app.identity.signing_key, _message(kind, programme, period, body)).hex()}


def publish(app: Any, kind: str, programme: str, period: str, body: dict[str, Any], *,
            release_key: bytes | None = None) -> dict[str, Any]:
    """Signs `body` as this identity and writes it to its table (a release sealed under
    `release_key`); returns the envelope."""
    envelope = sign(app, kind, programme, period, body)
    stored = envelope if release_key is None else _sealed_release(release_key, programme, period, envelope)
    republish(app, kind, programme, period, stored)
    return envelope


SEALED_RELEASE = "mj-release-sealed/1"


def release_key(programme_private_key: Any, programme: str) -> bytes:
    return crypto.derive_key(crypto.raw_private(programme_private_key), "mj/v2/derive/release-key", programme)


def _sealed_release(key: bytes, programme: str, period: str, envelope: dict[str, Any]) -> dict[str, Any]:
    canonical = json.dumps(envelope, sort_keys=True, separators=(",", ":")).encode()
    return {"format": SEALED_RELEASE, "sealed": crypto.seal(key, canonical, crypto.lp("mj/v2/release", programme,
                                                                                       period)).hex()}


def _opened_release(key: bytes, programme: str, period: str, stored: dict[str, Any]) -> dict[str, Any] | str:
    try:
        if stored.get("format") != SEALED_RELEASE:
            return "it is not sealed"
        opened = json.loads(crypto.open_sealed(key, bytes.fromhex(str(stored.get("sealed"))),
                                               crypto.lp("mj/v2/release", programme, period)))
    except (crypto.Unopenable, ValueError, RecursionError):
        return "it does not open"
    return opened if isinstance(opened, dict) else "it does not open"


def republish(app: Any, kind: str, programme: str, period: str, envelope: dict[str, Any]) -> None:
    ShareStore(app.recorder.datastore).put_envelope(TABLES[kind], programme, period, envelope)


def signed(app: Any, kind: str, programme: str, signer_key: Any, ignored: list[str] | None = None, *,
           release_key: bytes | None = None) -> dict[str, dict[str, Any]]:
    """Every envelope of `kind` whose signature by `signer_key` holds, by period (releases opened
    with `release_key` first); each other row is one line in `ignored`."""
    found: dict[str, dict[str, Any]] = {}
    for period, envelope in ShareStore(app.recorder.datastore).envelopes(TABLES[kind], programme):
        if release_key is not None and not isinstance(envelope, str):
            envelope = _opened_release(release_key, programme, period, envelope)
        reason = envelope if isinstance(envelope, str) else None
        if reason is None:
            body = {k: v for k, v in envelope.items() if k != "signature"}
            try:
                signature = bytes.fromhex(str(envelope.get("signature")))
            except ValueError:
                signature = b""
            if (signer_key is None or body.get("format") != FORMATS[kind] or body.get("period") != period
                    or not crypto.signature_holds(signer_key, signature, _message(kind, programme, period, body))):
                reason = "it is not signed by whoever must sign it"
        if reason is not None:
            if ignored is not None:
                ignored.append(f"ignored the {kind} of {period} in the store for {programme!r}: {reason}")
            continue
        found[period] = envelope
    return found


def digest(rows: list[ShareRow]) -> str:
    parts = [crypto.lp(row.pseudonym, crypto.sha256(row.leader), crypto.sha256(row.helper))
             for row in sorted(rows, key=lambda r: r.pseudonym)]
    return crypto.sha256(crypto.lp(*parts) if parts else b"").hex()


def batch_id(batch: dict[str, Any]) -> str:
    return crypto.sha256(str(batch.get("signature")).encode()).hex()


def chosen(rows: list[ShareRow], batch: dict[str, Any]) -> list[ShareRow] | None:
    """The rows a batch chose (every whole row not excluded), or None when they are no longer the
    rows the batch was made of."""
    excluded = set(batch.get("excluded") or [])
    picked = [r for r in rows if None not in (r.pseudonym, r.leader, r.helper) and r.pseudonym.hex() not in excluded]
    if len(picked) != batch.get("count") or digest(picked) != batch.get("digest"):
        return None
    return picked


class HelperMemory:
    """`<identity file without .json>.aggregates.json`, mode 0600:
    {"format": 1, "owner": fingerprint, "published": {"<programme>/<period>": envelope}, "mac": hex}
    mac = HMAC-SHA256(HKDF(Ed25519 private key, lp("mj/v2/derive/aggregates-key", owner)),
                      lp("mj/v2/aggregates", owner, canonical JSON of published))"""

    FORMAT, LABEL, KEY_LABEL, MAX_BYTES = 1, "mj/v2/aggregates", "mj/v2/derive/aggregates-key", 16 << 20

    def __init__(self, identity: Any):
        path = Path(identity.path)
        self.path, self.owner = path.with_name(path.name.removesuffix(".json") + ".aggregates.json"), \
            identity.fingerprint
        self._key = crypto.derive_key(crypto.raw_private(identity.signing_key), self.KEY_LABEL, self.owner)
        self.published = self._load()

    def _mac(self, published: dict[str, Any]) -> str:
        canonical = json.dumps(published, sort_keys=True, separators=(",", ":"))
        return crypto.mac(self._key, self.LABEL, self.owner, canonical).hex()

    def _load(self) -> dict[str, Any]:
        try:
            with open(self.path, "rb") as file:
                text = file.read(self.MAX_BYTES + 1)
        except FileNotFoundError:
            return {}
        except OSError as error:
            raise TamperedRecord(f"cannot read this device's memory of aggregates {self.path}: {error.strerror}") \
                from None
        try:
            document = json.loads(text)
            published = document["published"]
            good = (len(text) <= self.MAX_BYTES and document["format"] == self.FORMAT
                    and document["owner"] == self.owner and type(published) is dict
                    and crypto.mac_holds(str(document["mac"]), self._mac(published)))
        except (ValueError, TypeError, KeyError, AttributeError, UnicodeDecodeError):
            good = False
        if not good:
            raise TamperedRecord(f"this device's memory of aggregates ({self.path}) was altered or copied from "
                                 "elsewhere: its MAC does not hold; nothing is aggregated until it is restored")
        return published

    def of(self, programme: str) -> dict[str, dict[str, Any]]:
        """The aggregates remembered for `programme`, by month."""
        prefix = f"{programme}/"
        return {key[len(prefix):]: value for key, value in self.published.items()
                if key.startswith(prefix) and PERIOD.fullmatch(key[len(prefix):])}

    def pinned(self, programme: str) -> str | None:
        """The digest of the terms this helper first aggregated `programme` under."""
        entry = self.published.get(f"{programme}/terms")
        return entry.get("digest") if isinstance(entry, dict) else None

    def pin(self, programme: str, digest: str) -> None:
        self.remember_entry(f"{programme}/terms", {"digest": digest})

    def remember(self, programme: str, period: str, envelope: dict[str, Any]) -> None:
        """Written before the envelope goes to the store: a crash between the two re-publishes it."""
        self.remember_entry(f"{programme}/{period}", envelope)

    def remember_entry(self, key: str, value: dict[str, Any]) -> None:
        self.published[key] = value
        document = {"format": self.FORMAT, "owner": self.owner, "published": self.published,
                    "mac": self._mac(self.published)}
        try:
            write_private(self.path, json.dumps(document, sort_keys=True).encode())
        except OSError as error:  # a full disk or a read-only home: one line, and nothing is published
            raise JournalError(f"cannot write this device's memory of aggregates {self.path}: {error.strerror}; "
                               "nothing was aggregated") from None
