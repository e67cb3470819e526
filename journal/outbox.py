"""A mentor's own record of what she sent (feedback and evaluations), sealed to herself:

    mj_sent (message_id, owner, sent_at, sealed, signature)
    sealed    = HPKE(her own X25519 key, pad(JSON {message_id, to_name, to_fingerprint, text, about,
                                                  ratings, sent_at}), info lp("mj/v1/sent", message_id, owner))
    signature = Ed25519(her key, lp("mj/v1/sent-signature", message_id, owner, sent_at, sealed))

Written in the transaction that posts the message, so the copy and the message go together.
Anyone can seal to her public key, so a copy is believed only when her own signature holds; a
row that does not is one line, and her command goes on. The store can delete copies (withholding).
"""

from __future__ import annotations

import json
from typing import Any

from journal import columns, crypto, sql

MAX_SEALED = 64 * 1024


class OutboxStore:
    TABLES = ["CREATE TABLE IF NOT EXISTS mj_sent (message_id TEXT PRIMARY KEY, owner TEXT, sent_at TEXT, "
              "sealed BLOB, signature BLOB)"]

    @staticmethod
    def keep(c: Any, identity: Any, message_id: str, sent_at: str, copy: dict[str, Any]) -> None:
        """In the caller's transaction (the one that posts the message)."""
        owner = identity.fingerprint
        sealed = crypto.hpke_seal(identity.encryption_key.public_key(),
                                  crypto.pad(json.dumps(copy, sort_keys=True).encode()),
                                  crypto.lp("mj/v1/sent", message_id, owner))
        signature = crypto.sign(identity.signing_key, _signed(message_id, owner, sent_at, sealed))
        c.execute(sql.for_cursor(c, OutboxStore.TABLES[0]))  # a store made before copies were kept gains it
        c.execute("INSERT INTO mj_sent (message_id, owner, sent_at, sealed, signature) VALUES (?,?,?,?,?)",
                  (message_id, owner, sent_at, sealed, signature))

    @staticmethod
    def read(datastore: Any, identity: Any) -> tuple[list[dict[str, Any]], list[str]]:
        """Her copies that her signature holds for and that open, oldest first; a line for each other."""
        owner = identity.fingerprint
        with datastore.transaction(commit=True) as c:
            c.execute(sql.for_cursor(c, OutboxStore.TABLES[0]))
            c.execute("SELECT message_id, sent_at, sealed, signature FROM mj_sent WHERE owner = ? "
                      "AND length(sealed) <= ? ORDER BY sent_at", (owner, MAX_SEALED))
            rows = c.fetchall()
        kept, refused = [], []
        for message_id, sent_at, sealed, signature in rows:
            decoded = (columns.text(message_id, limit=32), columns.text(sent_at, limit=64),
                       columns.blob(sealed, limit=MAX_SEALED), columns.blob(signature, size=64))
            if None in decoded:
                refused.append("a copy of a sent message is malformed: not shown")
                continue
            message_id, sent_at, sealed, signature = decoded
            try:
                if not crypto.signature_holds(identity.signing_key.public_key(), signature,
                                              _signed(message_id, owner, sent_at, sealed)):
                    raise crypto.Unopenable()
                copy = json.loads(crypto.unpad(crypto.hpke_open(identity.encryption_key, sealed,
                                                                crypto.lp("mj/v1/sent", message_id, owner))))
                if not isinstance(copy, dict) or copy.get("message_id") != message_id:
                    raise ValueError("another message's copy")
            except (crypto.Unopenable, ValueError, RecursionError):
                refused.append(f"copy {str(message_id)[:8]} of a sent message is not signed by you or does not "
                               "open: not shown")
                continue
            kept.append(copy)
        return kept, refused


def _signed(message_id: str, owner: str, sent_at: str, sealed: bytes) -> bytes:
    return crypto.lp("mj/v1/sent-signature", message_id, owner, sent_at, sealed)
