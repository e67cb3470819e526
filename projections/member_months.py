"""The member's side of a programme: her bounded vector for each closed month of each programme
she joined, split into two shares (one for the manager, one for the helper) and sent under that
month's pseudonym. Every month of the programme is sent, zeros included, so that the rows in the
store say nothing beyond membership; a month is re-sent whenever her records for it change, until
the manager batches it. Every figure is clamped to its bound before it leaves her machine.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from domain import clock
from domain.errors import JournalError
from projections.model import JournalModel
from domain.programme_catalogue import BOUNDS, LENGTH, VECTOR, closes_quarter

RECEIPT_LABEL = "mj/v2/receipt"


def clamp(metric: str, value: int) -> int:
    return max(0, min(BOUNDS[metric], value))


def months_to_send(programme: Any, joined: str, left: str | None, today: date) -> list[str]:
    """The programme's closed months that her consent covers: from the month she joined (or the
    programme's start) to the month before she left, this month, or the programme's end."""
    end = min(clock.month_of_day(today), left or "9999-12", programme.end)
    return [p for p in programme.periods if max(joined, programme.start) <= p < end]


def _rating(values: list[int]) -> tuple[int, int]:
    """(mean rating − 1, rated): her mean over the quarter on a 0–4 scale, and whether she rated."""
    return (max(0, min(4, round(sum(values) / len(values)) - 1)), 1) if values else (0, 0)


def monthly_vector(model: JournalModel, period: str, programme: Any, joined: str) -> list[int]:
    """One mentee's bounded figures for one month, in the catalogue's order."""
    def of(months: set[str]) -> list[Any]:
        # Joining and leaving are consent, not use of the journal.
        return [e for e in model.entries if clock.local_month(e.at) in months and e.kind not in ("joined", "left")]

    entries = of({period})
    kinds = [e.kind for e in entries]
    minutes = sum(e.fields["minutes"] for e in entries if e.kind == "meeting")
    figures = {"active": int(bool(entries)), "meetings": kinds.count("meeting"), "met_norm": int(minutes >= 60),
               "goals_achieved": kinds.count("achieved"), "milestones": kinds.count("reached")}
    if closes_quarter(period, programme.last_period):
        first = max(joined, programme.start, period[:5] + f"{(int(period[5:7]) - 1) // 3 * 3 + 1:02d}")
        quarter = of(set(clock.months_from(first, clock.shift_month(period, 1))))
        # Satisfaction is her own rating of her meetings, never her mood.
        figures["confidence"], figures["rated_confidence"] = _rating(
            [e.fields["confidence"] for e in quarter if e.kind == "checkin" and e.fields.get("confidence")])
        figures["satisfaction"], figures["rated_satisfaction"] = _rating(
            [e.fields["rating"] for e in quarter if e.kind == "meeting" and e.fields.get("rating")])
    return [clamp(name, figures.get(name, 0)) for name, _ in VECTOR]


def as_figures(vector: list[int]) -> dict[str, int | None]:
    """A vector as she would read it: counts, and each quarter's rating back on 1–5 (None when
    the month carries none)."""
    sent = {name: value for (name, _), value in zip(VECTOR, vector, strict=True)}
    figures: dict[str, int | None] = {name: sent[name] for name, _ in VECTOR[:5]}
    for rating in ("confidence", "satisfaction"):
        figures[rating] = sent[rating] + 1 if sent[f"rated_{rating}"] else None
    return figures


def _receipt_key(app: Any) -> bytes:
    from journal import crypto

    return crypto.derive_key(app.keyring.pseudonym_keys(app.journal_id)[0], "mj/v2/derive/receipt-key")


def open_receipt(app: Any, programme: str, period: str, pseudonym: bytes, sealed: bytes | None) -> dict | None:
    """What she last sent for a month ({"version", "vector"}), or None when it does not open."""
    from journal import crypto

    if sealed is None:
        return None
    try:
        receipt = json.loads(crypto.unpad(crypto.open_sealed(_receipt_key(app), sealed,
                                                             crypto.lp(RECEIPT_LABEL, programme, period, pseudonym))))
    except (crypto.Unopenable, ValueError):
        return None
    good = isinstance(receipt, dict) and type(receipt.get("version")) is int and \
        isinstance(receipt.get("vector"), list) and len(receipt["vector"]) == LENGTH
    return receipt if good else None


def _seal_receipt(app: Any, programme: str, period: str, pseudonym: bytes, version: int, vector: list[int]) -> bytes:
    from journal import crypto

    body = json.dumps({"version": version, "vector": vector}, separators=(",", ":")).encode()
    return crypto.seal(_receipt_key(app), crypto.pad(body), crypto.lp(RECEIPT_LABEL, programme, period, pseudonym))


def contribute_closed_periods(app: Any, today: date, model: JournalModel | None = None) -> int:
    """Sends, or re-sends, every closed month of every joined programme whose figures changed since
    it was last sent and that is not yet batched; returns how many went. The journal is only read
    when a month is missing or the journal has changed since, so that commands stay quick.

    A programme whose terms are malformed, unsigned, or not what she pinned at join gets nothing;
    the others still get their months, then one `JournalError` names what was refused."""
    from journal import aggregation, shares
    from journal.programmes import checked_against_pin, find_programme, keep_membership, pseudonym, signing_key
    from journal.share_store import ShareStore

    sent, refused = 0, []
    store = ShareStore(app.recorder.datastore)
    joined_programmes, pins = app.programme_membership()
    keys = app.keyring.pseudonym_keys(app.journal_id) if joined_programmes else []
    version = app.head_version() if joined_programmes else 0
    for name, (joined, left) in joined_programmes.items():
        try:
            programme = checked_against_pin(app, find_programme(app, name), pins)
        except JournalError as error:
            refused.append(str(error))
            continue
        keep_membership(app, name, joined, left)
        periods = months_to_send(programme, joined, left, today)
        helper_role = "steward" if programme.has_helper else "manager"
        done = aggregation.signed(app, "aggregate", name, signing_key(app, programme.helper, helper_role))
        for period in periods:
            if done.get(period, {}).get("status") == "aggregated":
                continue
            found = store.receipt(name, period, [pseudonym(key, name, period) for key in keys])
            handle = found[0] if found else pseudonym(keys[0], name, period)
            receipt = open_receipt(app, name, period, handle, found[1]) if found else None
            if receipt is not None and receipt["version"] == version:
                continue
            if model is None:
                model = JournalModel.build(app.history())
            vector = monthly_vector(model, period, programme, joined)
            if receipt is not None and receipt["vector"] == vector:
                store.put_receipt(name, period, handle, _seal_receipt(app, name, period, handle, version, vector))
                continue
            leader, helper = shares.seal_shares(programme.public_key, programme.helper_key, name, period, handle,
                                                vector)
            sent += store.put_shares(name, period, handle, leader, helper,
                                     _seal_receipt(app, name, period, handle, version, vector))
    if refused:
        raise JournalError("; ".join(refused))
    return sent
