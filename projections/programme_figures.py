"""Pure figures: a released month's catalogue from its noisy coordinate totals, each with its 95%
interval. Everything here is post-processing of noisy values (and of the number of members who
sent, which the store shows anyway), so it costs no privacy.
Counts are clamped into [0, bound × members sending], means into 1–5.

Suppression is decided on noisy counts only: a mean is suppressed when its noisy count of members
who rated is under k.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from projections.privacy import half_width_95
from domain.programme_catalogue import BOUNDS, sigma2

CATALOGUE = ("members sending", "active mentees", "meetings", "meetings per mentee", "meeting the one-hour norm",
             "goals achieved", "milestones reached", "confidence", "satisfaction", "retention")
# figure -> the coordinate it is the noisy total of
TOTALS = {"active mentees": "active", "meetings": "meetings", "meeting the one-hour norm": "met_norm",
          "goals achieved": "goals_achieved", "milestones reached": "milestones"}
MEANS = {"confidence": ("confidence", "rated_confidence"), "satisfaction": ("satisfaction", "rated_satisfaction")}
UNITS = {"members sending": "members", "active mentees": "members", "meetings": "meetings",
         "meetings per mentee": "per member sending", "meeting the one-hour norm": "members",
         "goals achieved": "goals", "milestones reached": "milestones", "confidence": "mean, 1–5",
         "satisfaction": "mean rating, 1–5", "retention": "of the first month's active"}


def rounded_width(half_width: float) -> float:
    """Two decimals; two significant figures below 0.01, so that a large cohort's ± never reads 0."""
    return round(half_width, 2) if half_width >= 0.01 else float(f"{half_width:.2g}")


def cell(value: float | int, half_width: float | int) -> dict[str, Any]:
    return {"value": value, "half_width": half_width}


def figures(noisy: dict[str, int], members: int, k: int, rho: Fraction) -> dict[str, Any]:
    """`noisy`: coordinate -> noisy total for the coordinates released this month."""
    out: dict[str, Any] = {"members sending": cell(members, 0)}
    for figure, coordinate in TOTALS.items():
        # No total can fall below zero or exceed every member sending at the bound: clamping into
        # that range (the members sending are public) is post-processing, and only shrinks the error.
        value = min(max(0, noisy[coordinate]), BOUNDS[coordinate] * members)
        out[figure] = cell(value, half_width_95(sigma2(coordinate, rho)))
    meetings = out["meetings"]
    out["meetings per mentee"] = cell(round(meetings["value"] / members, 2),
                                      rounded_width(meetings["half_width"] / members))
    for figure, (total, count) in MEANS.items():
        if total not in noisy:
            continue  # a quarterly figure, released in the month that closes the quarter
        out[figure] = mean(noisy[total], noisy[count], k, sigma2(total, rho), sigma2(count, rho))
    return {"members": members, "figures": out}


def mean(noisy_total: int, noisy_count: int, k: int, total_sigma2: Fraction, count_sigma2: Fraction
         ) -> dict[str, Any]:
    """A 1–5 rating's mean from the noisy sum of (rating − 1) and the noisy count of raters; its
    interval by the delta method (the sum's and the count's noise are independent)."""
    if noisy_count < k:
        return {"suppressed": True}
    shifted = min(max(noisy_total / noisy_count, 0), 4)
    spread = math.sqrt(float(total_sigma2) + shifted * shifted * float(count_sigma2)) / noisy_count
    return cell(round(1 + shifted, 2), rounded_width(1.96 * spread))
