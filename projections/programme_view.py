"""The manager's side of a programme: his view of sums and counts per cohort, period and metric,
caught up over the contributions sealed to his programme key.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from projections.member_months import BOUNDS, clamp

BATCH = 2000
MONTH = r"\d{4}-\d{2}"


def catch_up(app: Any, name: str, progress: Callable[[int], None] | None = None,
             from_scratch: bool = False) -> tuple[int, dict[str, Any]]:
    """The manager's view: sums and counts per cohort, period and metric, advanced over the
    contributions added since its position (or rebuilt), saved with that position."""
    from journal import programmes

    programme = programmes.find_programme(app, name)
    key = programmes.programme_private_key(app, programme)
    position, view = (0, {}) if from_scratch else programmes.load_view(app, key, name)
    added = 0
    while batch := programmes.contributions_after(app, name, position, BATCH):
        for rowid, period, sealed in batch:
            position = rowid
            if period is None or sealed is None:  # a row the store class could not decode
                continue
            try:  # anyone can seal a row to the programme key: one that does not decode counts for nothing
                payload = programmes.open_contribution(key, name, period, sealed)
                metrics, cohort = dict(payload["metrics"]), payload["cohort"]
            except Exception:  # noqa: BLE001 - unopenable, not JSON, or not the shape a client sends
                continue
            if not (isinstance(cohort, str) and re.fullmatch(MONTH, cohort) and re.fullmatch(MONTH, period)):
                continue
            for metric, value in metrics.items():
                if metric in BOUNDS and isinstance(value, int) and not isinstance(value, bool):
                    cell = view.setdefault(f"{cohort}|{period}|{metric}", [0, 0])
                    cell[0] += clamp(metric, value)
                    cell[1] += 1
        added += len(batch)
        programmes.save_view(app, key, name, position, view)
        if progress:
            progress(len(batch))
    return added, view
