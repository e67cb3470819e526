"""What a member's client sends each programme she joined: for every closed month since she
joined, whether it went, and the figures it carries, recomputed from her journal by the very
function that builds the contribution. Read only: nothing is sent or pinned here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.errors import JournalError
from projections.member_months import closed_periods, monthly_metrics
from projections.model import JournalModel

SENT, NOT_YET, OUTSIDE = "sent", "not yet sent", "not sent: before the programme's last months"
REFUSED, UNKNOWN = "not sent: the programme's row is refused", "unknown: the programme's row is refused"


@dataclass(frozen=True)
class MonthStatus:
    period: str
    state: str  # SENT, NOT_YET (the next command sends it), OUTSIDE, REFUSED or UNKNOWN
    figures: dict[str, int | None]

    @property
    def sent(self) -> bool | None:
        """None when the programme's row cannot be read, so whether it went cannot be told."""
        return None if self.state == UNKNOWN else self.state == SENT

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
    from journal.programmes import checked_against_pin, find_programme, missing_periods

    joined_programmes, pins = app.programme_membership()
    model = JournalModel.build(app.history()) if joined_programmes else None
    statuses = []
    for name, (joined, left) in sorted(joined_programmes.items()):
        periods = closed_periods(joined, left, today)
        refused, missing, window, unread = None, set(periods), set(periods), UNKNOWN
        try:
            programme = find_programme(app, name)
            unread, window = REFUSED, set(periods[-programme.months:])
            missing = set(missing_periods(app, programme, periods))
            if name in pins:  # unpinned joins are pinned on first use, which is a write: not here
                checked_against_pin(app, programme, pins)
        except JournalError as error:
            refused = str(error)
        months = []
        for period in periods:
            if period not in missing:
                state = SENT
            elif refused is not None:
                state = unread
            else:
                state = NOT_YET if period in window else OUTSIDE
            months.append(MonthStatus(period, state, monthly_metrics(model, period, cohort=joined)["metrics"]))
        statuses.append(MembershipStatus(name, joined, left, months, refused))
    return statuses
