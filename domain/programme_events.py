"""A mentee's consent to a programme, recorded in her own journal: joining (with the terms she
pinned) and leaving."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, StringConstraints

from domain import clock
from domain.errors import RuleBroken
from domain.events import Fingerprint, JournalEvent, RecordEvent

ProgrammeName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80,
                                                  pattern=r"^[\w .-]+$")]


class ProgrammeJoined(RecordEvent):
    """Consent to contribute bounded, anonymised monthly metrics to a programme, under the terms
    pinned here: its manager and helper, the SHA-256 of both keys, k, ρ, its start, months and
    settling window (v2). Joins of v1 programmes carry ε instead, and the oldest carry no terms;
    neither matches a v2 programme's terms, so those memberships send nothing."""

    kind: ClassVar[str] = "joined"

    programme: ProgrammeName
    manager_fingerprint: Fingerprint | None = None
    public_key: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = None
    k: Annotated[int, Field(ge=5, le=10**6)] | None = None
    epsilon: Annotated[str, StringConstraints(pattern=r"^\d{1,12}(/\d{1,12})?$")] | None = None  # v1 terms
    months: Annotated[int, Field(ge=1, le=36)] | None = None
    first_use: bool = False
    # v2 terms: the helper, its key, the zCDP budget, the calendar
    helper_fingerprint: Fingerprint | Literal[""] | None = None
    helper_key: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = None
    rho: Annotated[str, StringConstraints(pattern=r"^\d{1,12}(/\d{1,12})?$")] | None = None
    start: Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")] | None = None
    settle_days: Annotated[int, Field(ge=0, le=90)] | None = None

    def apply(self, journal: Any) -> None:
        member = journal.programmes.get(self.programme)
        if not (self.first_use and member):
            journal.programmes[self.programme] = [clock.local_month(self.at), None]
        pins = journal.__dict__.setdefault("programme_pins", {})  # journals from before pins
        if self.manager_fingerprint is None:
            pins.pop(self.programme, None)
        else:
            terms = ("manager_fingerprint", "public_key", "helper_fingerprint", "helper_key", "k", "rho", "start",
                     "months", "settle_days") if self.rho is not None else \
                ("manager_fingerprint", "public_key", "k", "epsilon", "months")
            pins[self.programme] = {name: getattr(self, name) for name in terms}


class ProgrammeLeft(RecordEvent):
    kind: ClassVar[str] = "left"

    programme: ProgrammeName

    def apply(self, journal: Any) -> None:
        journal.programmes[self.programme][1] = clock.local_month(self.at)


PROGRAMME_EVENTS: dict[str, type[JournalEvent]] = {cls.__name__: cls for cls in (ProgrammeJoined, ProgrammeLeft)}


class ProgrammeVerbs:
    """MenteeJournal's verbs for programmes (mixed in; state set in its __init__)."""

    programmes: dict[str, list[str | None]]
    programme_pins: dict[str, dict]
    _record: Any

    def join_programme(self, programme: str, *, at=None, pins: dict | None = None) -> str:
        if programme in self.programmes and self.programmes[programme][1] is None:
            raise RuleBroken(f"you are already in programme {programme!r}")
        return self._record(ProgrammeJoined, at, programme=programme, **(pins or {}))

    def pin_programme(self, programme: str, pins: dict) -> str:
        """Pins, on first use, the terms of a programme joined before joins pinned them."""
        if programme not in self.programmes or programme in self.programme_pins:
            raise RuleBroken(f"programme {programme!r} is not joined without pins")
        return self._record(ProgrammeJoined, None, programme=programme, first_use=True, **pins)

    def leave_programme(self, programme: str, *, at=None) -> str:
        if programme not in self.programmes or self.programmes[programme][1] is not None:
            raise RuleBroken(f"you are not in programme {programme!r}")
        return self._record(ProgrammeLeft, at, programme=programme)
