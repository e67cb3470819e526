"""The helper's side of a programme (a steward, or the manager of a programme without one): for
each month the manager batched, it checks the batch, sums its own shares, adds the noise, charges
the month's quarter and signs its aggregate share. The budget and the threshold are kept here, by
the party that never reads the report; the manager learns only the noisy totals.

A batch is refused (nothing spent, an aggregate marked refused so the manager can re-batch) when
its rows changed, a share does not open, it counts more months than signed members, or fewer than
k. A month is left waiting, unsigned, while it has not settled or its quarter's budget is spent.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from datetime import date
from fractions import Fraction
from typing import Any

from domain import clock
from projections import privacy
from domain.programme_catalogue import INDEX, LENGTH, cost, noised, quarter_of, sigma2


@dataclass(frozen=True)
class HelperOutcome:
    period: str
    state: str  # "aggregated", "refused", "waiting" or "done" (aggregated before)
    reason: str = ""


def aggregate(app: Any, name: str, today: date, rng: privacy.RandomSource = privacy.SYSTEM_RANDOM,
              ignored: list[str] | None = None) -> list[HelperOutcome]:
    from journal import aggregation
    from journal.aggregation import HelperMemory
    from journal.errors import JournalError
    from journal.programmes import find_programme, helper_key, signed_memberships, signing_key, terms_digest

    programme = find_programme(app, name)
    key = helper_key(app, programme)  # refuses anyone but the helper
    memory = HelperMemory(app.identity)
    # Terms re-signed after members sent (a larger ρ, a smaller k) must not apply to their months:
    # the helper holds the programme to the terms it first aggregated under, as members do.
    pinned = memory.pinned(name)
    if pinned is None:
        memory.pin(name, terms_digest(programme))
    elif pinned != terms_digest(programme):
        raise JournalError(f"the terms of programme {name!r} changed since you first aggregated it: nothing "
                           "aggregated (compare them with the manager)")
    mine = memory.of(name)
    in_store = aggregation.signed(app, "aggregate", name, app.identity.signing_key.public_key())
    for period, envelope in mine.items():  # withheld or deleted: the same envelope again, never new noise
        if in_store.get(period) != envelope:
            aggregation.republish(app, "aggregate", name, period, envelope)
    spent = _spent(programme, {**in_store, **mine})
    batches = aggregation.signed(app, "batch", name, signing_key(app, programme.manager_fingerprint, "manager"),
                                 ignored)
    outcomes = []
    memberships = cache(lambda: signed_memberships(app, programme))  # verified once, for every month
    for period, batch in sorted(batches.items()):
        earlier = mine.get(period) or in_store.get(period)
        if earlier is not None and earlier.get("status") == "aggregated":
            state = "done" if earlier.get("batch") == aggregation.batch_id(batch) else "refused"
            outcomes.append(HelperOutcome(period, state, "" if state == "done" else
                                          "batched again after it was aggregated: a second release is refused"))
            continue
        if earlier is not None and earlier.get("batch") == aggregation.batch_id(batch):
            continue  # refused before, and the manager has not re-batched
        outcome = _one(app, programme, key, period, batch, today, spent, rng, memory, memberships)
        outcomes.append(outcome)
    return outcomes


def _spent(programme: Any, envelopes: dict[str, dict[str, Any]]) -> dict[str, Fraction]:
    """ρ charged per quarter by aggregates this helper signed (on this device or in the store)."""
    spent: dict[str, Fraction] = {}
    for period, envelope in envelopes.items():
        if envelope.get("status") == "aggregated":
            # what each aggregate says it cost, and never less than the month costs on these terms
            try:
                charged = Fraction(str(envelope.get("cost")))
            except (ValueError, ZeroDivisionError):
                charged = Fraction(0)
            price = cost(period, programme.last_period, programme.rho) if period in programme.periods else 0
            quarter = quarter_of(period)
            spent[quarter] = spent.get(quarter, Fraction(0)) + max(charged, price)
    return spent


def _one(app: Any, programme: Any, key: Any, period: str, batch: dict[str, Any], today: date,
         spent: dict[str, Fraction], rng: privacy.RandomSource, memory: Any, memberships: Any) -> HelperOutcome:
    from journal import aggregation, shares
    from journal.crypto import Unopenable
    from journal.programmes import members_in
    from journal.share_store import ShareStore

    name = programme.name
    if period not in programme.periods or period >= clock.month_of_day(today):
        return HelperOutcome(period, "waiting", "not a closed month of the programme")
    if today < programme.settles_on(period):
        return HelperOutcome(period, "waiting", f"settles on {programme.settles_on(period)}")

    def refuse(reason: str, rejected: list[str] = ()) -> HelperOutcome:
        aggregation.publish(app, "aggregate", name, period, {"batch": aggregation.batch_id(batch), "status": "refused",
                                                              "reason": reason, "rejected": list(rejected)})
        return HelperOutcome(period, "refused", reason)

    picked = aggregation.chosen(ShareStore(app.recorder.datastore).month(name, period), batch)
    if picked is None:
        return refuse("its rows are not the ones the batch chose")
    total, rejected = [0] * LENGTH, []
    for row in picked:
        try:
            words = shares.open_helper(key, row.helper, name, period, row.pseudonym, LENGTH)
        except (Unopenable, ValueError):
            rejected.append(row.pseudonym.hex())
            continue
        total = shares.combine(total, words)
    if rejected:  # named, so that the manager's next batch leaves them out
        return refuse(f"{len(rejected)} helper's shares do not open", rejected)
    members = members_in(memberships(), period)
    if len(picked) > members:
        return refuse(f"it counts {len(picked)} months but only {members} signed members cover {period}")
    if len(picked) < programme.k:
        return refuse(f"it has months from {len(picked)} member{'' if len(picked) == 1 else 's'}, fewer than "
                      f"k = {programme.k}")
    quarter, price = quarter_of(period), cost(period, programme.last_period, programme.rho)
    if spent.get(quarter, Fraction(0)) + price > programme.rho:
        return HelperOutcome(period, "waiting", f"the privacy budget for {quarter} is spent")
    released = noised(period, programme.last_period)
    share = [(total[INDEX[c]] + privacy.discrete_gaussian(sigma2(c, programme.rho), rng)) % shares.MODULUS
             for c in released]
    envelope = aggregation.sign(app, "aggregate", name, period, {
        "batch": aggregation.batch_id(batch), "status": "aggregated", "count": len(picked),
        "coordinates": list(released), "share": share, "quarter": quarter, "cost": str(price)})
    memory.remember(name, period, envelope)  # before the store: a crash between re-publishes this one
    aggregation.republish(app, "aggregate", name, period, envelope)
    spent[quarter] = spent.get(quarter, Fraction(0)) + price
    return HelperOutcome(period, "aggregated")
