"""The manager's side of a programme: batching each settled month, adding his aggregate share to
the helper's noisy one, and releasing the figures (with their 95% intervals) once, signed.

The manager never sees a total before noise: his own shares sum to noise-free nonsense, and the
helper's aggregate share carries the noise. In a programme without a helper the manager does the
helper's part first, and so holds every member's figures: members were told so when they joined.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain import clock
from domain.errors import JournalError
from projections import privacy
from projections.programme_figures import CATALOGUE, figures

BATCH_LIMIT = 1000  # rows left out of one batch; more than that and the month is not batched


@dataclass(frozen=True)
class ProgrammeReport:
    programme: str
    k: int
    rho: str
    helper: str | None
    periods: list[dict[str, Any]]
    waiting: list[dict[str, str]] = field(default_factory=list)  # closed months not yet released, and why
    ignored: list[str] = field(default_factory=list)  # rows in the store nobody it trusts signed: a line each

    def as_json(self) -> dict[str, Any]:
        return {"programme": self.programme, "k": self.k, "rho_per_quarter": self.rho, "helper": self.helper,
                "catalogue": list(CATALOGUE), "periods": self.periods, "waiting": self.waiting,
                "ignored": self.ignored}


def release_report(app: Any, name: str, today: date, rng: privacy.RandomSource = privacy.SYSTEM_RANDOM
                   ) -> ProgrammeReport:
    """Every month released so far, releasing those the helper has aggregated; batching those
    that have settled and have no batch (or whose batch the helper refused); the rest waiting."""
    from journal import aggregation
    from journal.programmes import find_programme, manager_key, signing_key

    programme = find_programme(app, name)
    key = manager_key(app, programme)  # refuses anyone but the manager
    ignored: list[str] = []
    if not programme.has_helper:
        _batch_all(app, programme, key, today, ignored)
        from projections.programme_helper import aggregate

        aggregate(app, name, today, rng, ignored)
    mine = app.identity.signing_key.public_key()
    helper_key = mine if not programme.has_helper else signing_key(app, programme.helper_fingerprint, "steward")
    sealing = aggregation.release_key(key, name)  # the helper must never read a release: it knows the noise
    released = aggregation.signed(app, "release", name, mine, ignored, release_key=sealing)
    batches = _batch_all(app, programme, key, today, ignored) if programme.has_helper else \
        aggregation.signed(app, "batch", name, mine)
    aggregates = aggregation.signed(app, "aggregate", name, helper_key, ignored)
    waiting = []
    for period in programme.periods:
        if period in released or period >= clock.month_of_day(today):
            continue
        batch, result = batches.get(period), aggregates.get(period)
        if batch is None:
            reason = f"settles on {programme.settles_on(period)}" if today < programme.settles_on(period) \
                else "no row can be batched"
        elif result is None or result.get("batch") != aggregation.batch_id(batch):
            reason = f"waiting for the helper ({programme.helper}) to aggregate it"
        elif result.get("status") != "aggregated":
            reason = f"the helper refused the batch: {str(result.get('reason'))[:200]}"
        else:
            try:
                row = _combine(app, programme, key, period, batch, result)
            except JournalError as error:
                reason = str(error)
            else:
                released[period] = aggregation.publish(app, "release", name, period, {"row": row},
                                                       release_key=sealing)
                continue
        waiting.append({"period": period, "reason": reason})
    rows = [released[p]["row"] | {"period": p} for p in sorted(released) if isinstance(released[p].get("row"), dict)]
    return ProgrammeReport(name, programme.k, str(programme.rho), programme.helper_fingerprint or None,
                           with_retention(rows), waiting, ignored)


def _batch_all(app: Any, programme: Any, key: Any, today: date, ignored: list[str]) -> dict[str, dict[str, Any]]:
    """Batches every settled, closed month that has none, or whose batch the helper refused; returns
    every signed batch."""
    from journal import aggregation
    from journal.programmes import signing_key

    mine = app.identity.signing_key.public_key()
    batches = aggregation.signed(app, "batch", programme.name, mine, ignored)
    helper_key = mine if not programme.has_helper else signing_key(app, programme.helper_fingerprint, "steward")
    aggregates = aggregation.signed(app, "aggregate", programme.name, helper_key)
    for period in programme.periods:
        if period >= clock.month_of_day(today) or today < programme.settles_on(period):
            continue
        batch, result = batches.get(period), aggregates.get(period)
        if batch is not None and not (result and result.get("status") == "refused"
                                      and result.get("batch") == aggregation.batch_id(batch)):
            continue
        excluded = set(result.get("rejected") or []) if result else set()
        made = _freeze(app, programme, key, period, excluded, batch)
        if made is not None:
            batches[period] = made
    return batches


def _freeze(app: Any, programme: Any, key: Any, period: str, excluded: set[str], previous: dict | None
            ) -> dict | None:
    """The month's batch, made and written in one turn; None when no row can be batched, or when it
    would choose what the refused batch chose (the helper would only refuse it again)."""
    from journal import aggregation, shares
    from journal.crypto import Unopenable
    from journal.share_store import ShareStore
    from domain.programme_catalogue import LENGTH

    def make(rows):
        left_out = set(excluded)
        for row in rows:
            if None in (row.pseudonym, row.leader, row.helper) or row.pseudonym.hex() in left_out:
                continue
            try:
                shares.open_leader(key, row.leader, programme.name, period, row.pseudonym, LENGTH)
            except (Unopenable, ValueError):
                left_out.add(row.pseudonym.hex())
        whole = [r for r in rows if None not in (r.pseudonym, r.leader, r.helper)]
        picked = [r for r in whole if r.pseudonym.hex() not in left_out]
        if not picked or len(left_out) > BATCH_LIMIT:
            return None
        chosen = aggregation.digest(picked)
        if previous is not None and previous.get("digest") == chosen:
            return None
        return aggregation.sign(app, "batch", programme.name, period, {
            "round": (previous or {}).get("round", 0) + 1, "count": len(picked), "digest": chosen,
            "excluded": sorted(left_out & {r.pseudonym.hex() for r in whole})})

    return ShareStore(app.recorder.datastore).freeze(programme.name, period, make)


def _combine(app: Any, programme: Any, key: Any, period: str, batch: dict, result: dict) -> dict[str, Any]:
    from journal import aggregation, shares
    from journal.share_store import ShareStore
    from domain.programme_catalogue import INDEX, LENGTH, noised

    picked = aggregation.chosen(ShareStore(app.recorder.datastore).month(programme.name, period), batch)
    released = list(noised(period, programme.last_period))
    share = result.get("share")
    if picked is None:
        raise JournalError(f"the rows of {period} changed after the helper aggregated them: the store was altered, "
                           "and this month cannot be released")
    if result.get("coordinates") != released or not isinstance(share, list) or len(share) != len(released) or \
            not all(type(v) is int and 0 <= v < shares.MODULUS for v in share) or result.get("count") != len(picked):
        raise JournalError(f"the helper's aggregate of {period} is not the shape this programme releases")
    total = [0] * LENGTH
    for row in picked:  # opened when batched, so each opens again
        total = shares.combine(total, shares.open_leader(key, row.leader, programme.name, period, row.pseudonym,
                                                         LENGTH))
    noisy = shares.as_signed([(total[INDEX[c]] + v) % shares.MODULUS for c, v in zip(released, share, strict=True)])
    return figures(dict(zip(released, noisy, strict=True)), len(picked), programme.k, programme.rho)


def with_retention(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Active mentees of each month as a share of the first released month's: from released
    figures only (post-processing, no further privacy cost)."""
    def active(row):
        cell = row.get("figures", {}).get("active mentees")
        return cell.get("value") if isinstance(cell, dict) else None

    base = next((active(r) for r in rows if active(r)), None)
    out = []
    for row in rows:
        value = active(row)
        cell = {"value": round(value / base, 2)} if base and value is not None else {"suppressed": True}
        out.append(row | {"figures": row.get("figures", {}) | {"retention": cell}})
    return out
