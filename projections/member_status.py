"""What a member's client sent each programme she joined: for every closed month her consent
covers, whether it went, and the figures it carried, read from her own sealed receipt (what was
sent, not what her journal says now). Read only: nothing is sent here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.errors import JournalError
from projections.member_months import as_figures, monthly_vector, months_to_send, open_receipt
from projections.model import JournalModel

SENT, CHANGED, NOT_YET, FINAL = "sent", "changed since: re-sent at your next command", "not yet sent", "aggregated"


@dataclass(frozen=True)
class MonthStatus:
    period: str
    state: str  # SENT, CHANGED, NOT_YET, or FINAL (the helper aggregated it: it no longer changes)
    figures: dict[str, int] | None  # as sent; None when nothing was sent

    @property
    def sent(self) -> bool:
        return self.figures is not None

    def as_json(self) -> dict[str, Any]:
        return {"period": self.period, "sent": self.sent, "state": self.state, "figures": self.figures}


@dataclass(frozen=True)
class MembershipStatus:
    programme: str
    joined: str
    left: str | None
    months: list[MonthStatus] = field(default_factory=list)
    refused: str | None = None  # why her client sends this programme nothing, in one line

    def as_json(self) -> dict[str, Any]:
        return {"programme": self.programme, "joined": self.joined, "left": self.left, "refused": self.refused,
                "months": [m.as_json() for m in self.months]}


def membership_status(app: Any, today: date) -> list[MembershipStatus]:
    """Every programme she joined (and left), oldest month first."""
    from journal import aggregation
    from journal.programmes import checked_against_pin, find_programme, pseudonym, signing_key
    from journal.share_store import ShareStore

    joined_programmes, pins = app.programme_membership()
    model = JournalModel.build(app.history()) if joined_programmes else None
    keys = app.keyring.pseudonym_keys(app.journal_id) if joined_programmes else []
    store = ShareStore(app.recorder.datastore)
    statuses = []
    for name, (joined, left) in sorted(joined_programmes.items()):
        try:
            programme = checked_against_pin(app, find_programme(app, name), pins)
        except JournalError as error:
            statuses.append(MembershipStatus(name, joined, left, [], str(error)))
            continue
        role = "steward" if programme.has_helper else "manager"
        done = aggregation.signed(app, "aggregate", name, signing_key(app, programme.helper, role))
        months = []
        for period in months_to_send(programme, joined, left, today):
            found = store.receipt(name, period, [pseudonym(key, name, period) for key in keys])
            receipt = open_receipt(app, name, period, found[0], found[1]) if found else None
            if receipt is None:
                months.append(MonthStatus(period, NOT_YET, None))
                continue
            if done.get(period, {}).get("status") == "aggregated":
                state = FINAL
            else:
                state = SENT if receipt["vector"] == monthly_vector(model, period, programme, joined) else CHANGED
            months.append(MonthStatus(period, state, as_figures(receipt["vector"])))
        statuses.append(MembershipStatus(name, joined, left, months))
    return statuses
