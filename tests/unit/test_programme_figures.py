"""Released figures are post-processing of noisy values: suppression on the noisy count of raters
only, counts clamped into what members sending could reach, and intervals from the noise."""

from fractions import Fraction

from domain.programme_catalogue import MONTHLY, sigma2
from projections.privacy import half_width_95
from projections.programme_figures import figures, mean

RHO = Fraction(2)
NOISY = {"active": 17, "meetings": -3, "met_norm": 5, "goals_achieved": 4, "milestones": 40,
         "confidence": 20, "rated_confidence": 9, "satisfaction": 30, "rated_satisfaction": 12}


def test_a_mean_is_suppressed_on_its_noisy_count_of_raters_never_its_true_one():
    assert mean(20, 9, 10, Fraction(4), Fraction(1)) == {"suppressed": True}  # however many truly rated
    released = mean(20, 10, 10, Fraction(4), Fraction(1))
    assert released["value"] == 3.0 and released["half_width"] > 0


def test_counts_are_clamped_into_what_the_members_sending_could_reach():
    out = figures(NOISY, 14, 10, RHO)["figures"]
    assert out["active mentees"]["value"] == 14  # 17 noisy, but only 14 sent
    assert out["meetings"]["value"] == 0  # never below zero
    assert out["milestones reached"]["value"] == 40  # under 3 × 14
    assert out["goals achieved"]["value"] == 4


def test_each_figure_carries_its_own_noise_half_width():
    out = figures(NOISY, 14, 10, RHO)["figures"]
    assert out["active mentees"]["half_width"] == half_width_95(sigma2("active", RHO))
    assert out["milestones reached"]["half_width"] == half_width_95(sigma2("milestones", RHO))
    assert out["milestones reached"]["half_width"] > out["active mentees"]["half_width"]
    assert out["confidence"] == {"suppressed": True}  # 9 noisy raters < k
    assert out["satisfaction"]["value"] == round(1 + 30 / 12, 2)


def test_ratings_are_absent_in_a_month_that_does_not_close_a_quarter():
    monthly = {k: v for k, v in NOISY.items() if k in [name for name, _ in MONTHLY]}
    out = figures(monthly, 14, 10, RHO)["figures"]
    assert "confidence" not in out and "satisfaction" not in out and "active mentees" in out
