"""The manager's release decides on noisy values only: his shares' sum plus the helper's noisy
aggregate share is all he combines, so what a month shows is a function of its noisy totals and
of how many members sent (public), never of a true total. An aggregate share that is not the
shape this month releases, or rows that changed after the helper aggregated them, release nothing."""

from fractions import Fraction

import pytest

from domain.programme_catalogue import INDEX, LENGTH, noised
from journal import aggregation, crypto, shares
from journal.errors import JournalError
from journal.programmes import Programme
from journal.share_store import ShareStore
from projections import programme_release
from tests.unit.known_answers import MemoryStore

MANAGER_KEY, HELPER_KEY = crypto.new_x25519(), crypto.new_x25519()
PROGRAMME = Programme("Spring", "0000 " * 7 + "0001", crypto.raw_public(MANAGER_KEY.public_key()), "0000 " * 7 + "0002",
                      crypto.raw_public(HELPER_KEY.public_key()), 5, Fraction(2), "2026-01", 6, 7,
                      "2026-01-01T00:00:00+00:00")
MARCH, FEBRUARY = "2026-03", "2026-02"  # March closes Q1: all nine coordinates; February the monthly five


def vector(active: int = 1, meetings: int = 2, rating: int = 3) -> list[int]:
    v = [0] * LENGTH
    v[INDEX["active"]], v[INDEX["meetings"]], v[INDEX["met_norm"]] = active, meetings, 1
    v[INDEX["satisfaction"]], v[INDEX["rated_satisfaction"]] = rating, 1
    v[INDEX["confidence"]], v[INDEX["rated_confidence"]] = 2, 1
    return v


def month(vectors: list[list[int]], period: str = MARCH):
    """A store holding one month of shares, the manager's batch of them, and the helper's part:
    its own shares' sum over the coordinates released."""
    store = MemoryStore()
    for v in vectors:
        pseudonym = crypto.random_bytes(32)
        leader, helper = shares.seal_shares(PROGRAMME.public_key, PROGRAMME.helper_key, "Spring", period, pseudonym, v)
        assert ShareStore(store).put_shares("Spring", period, pseudonym, leader, helper, b"")
    rows = ShareStore(store).month("Spring", period)
    batch = {"count": len(rows), "digest": aggregation.digest(rows), "excluded": [], "signature": "00"}
    helper_total = [0] * LENGTH
    for row in rows:
        helper_total = shares.combine(helper_total, shares.open_helper(HELPER_KEY, row.helper, "Spring", period,
                                                                      row.pseudonym, LENGTH))
    return store, batch, helper_total


def aggregate(helper_total: list[int], noise: dict[str, int], period: str = MARCH, count: int = 5) -> dict:
    released = list(noised(period, PROGRAMME.last_period))
    return {"status": "aggregated", "count": count, "coordinates": released,
            "share": [(helper_total[INDEX[c]] + noise.get(c, 0)) % shares.MODULUS for c in released]}


def release(store, batch, result, period: str = MARCH) -> dict:
    return programme_release._combine(store.app(), PROGRAMME, MANAGER_KEY, period, batch, result)


def test_the_two_parts_combine_to_the_noisy_totals():
    store, batch, helper = month([vector() for _ in range(5)])
    row = release(store, batch, aggregate(helper, {"active": -2, "meetings": -3, "met_norm": 4}))
    figures = row["figures"]
    assert row["members"] == 5 and figures["members sending"] == {"value": 5, "half_width": 0}
    assert figures["active mentees"]["value"] == 3 and figures["meetings"]["value"] == 10 - 3
    assert figures["meeting the one-hour norm"]["value"] == 5  # 9 noisy, clamped to the 5 members sending
    assert figures["satisfaction"]["value"] == 4.0  # each rated 3 (sent as rating - 1 = 3, so 4 on 1–5)
    assert figures["confidence"]["value"] == 3.0


def test_neighbouring_months_with_the_same_noisy_totals_release_the_same_row():
    """One member inactive and unrated, or active and rated: the noise the helper drew makes the
    totals alike, and then nothing the manager releases tells them apart."""
    quiet = [vector() for _ in range(4)] + [[0] * LENGTH]
    store_a, batch_a, helper_a = month([vector() for _ in range(5)])
    store_b, batch_b, helper_b = month(quiet)
    row_a = release(store_a, batch_a, aggregate(helper_a, {}))
    row_b = release(store_b, batch_b, aggregate(helper_b, {"active": 1, "meetings": 2, "met_norm": 1,
                                                           "satisfaction": 3, "rated_satisfaction": 1,
                                                           "confidence": 2, "rated_confidence": 1}))
    assert row_a == row_b


def test_a_mean_is_suppressed_on_its_noisy_count_of_raters_however_many_truly_rated():
    store, batch, helper = month([vector() for _ in range(5)])
    row = release(store, batch, aggregate(helper, {"rated_satisfaction": -1}))  # 5 true raters, 4 noisy: under k
    assert row["figures"]["satisfaction"] == {"suppressed": True}
    assert "value" in row["figures"]["confidence"]  # the honest path: 5 noisy raters


def test_a_month_that_closes_no_quarter_releases_the_monthly_five_only():
    store, batch, helper = month([vector() for _ in range(5)], FEBRUARY)
    row = release(store, batch, aggregate(helper, {}, FEBRUARY), FEBRUARY)
    assert "confidence" not in row["figures"] and "satisfaction" not in row["figures"]
    assert row["figures"]["active mentees"]["value"] == 5


@pytest.mark.parametrize("damage", [
    {"coordinates": list(noised(FEBRUARY, "2026-06"))},  # the monthly five in a month that closes a quarter
    {"share": [0] * 5}, {"share": [-1] + [0] * 8}, {"share": [2**64] + [0] * 8}, {"share": [1.5] + [0] * 8},
    {"share": "0"}, {"count": 6}, {"count": 4}, {"coordinates": None},
], ids=["coordinates", "short share", "negative", "over 2^64", "float", "not a list", "more", "fewer", "none"])
def test_a_helpers_aggregate_not_of_the_months_shape_releases_nothing(damage):
    store, batch, helper = month([vector() for _ in range(5)])
    with pytest.raises(JournalError, match="not the shape this programme releases") as refused:
        release(store, batch, aggregate(helper, {}) | damage)
    assert "\n" not in str(refused.value)
    assert release(store, batch, aggregate(helper, {}))["members"] == 5  # the honest aggregate


def test_rows_that_changed_after_the_helper_aggregated_them_release_nothing():
    store, batch, helper = month([vector() for _ in range(5)])
    result = aggregate(helper, {})
    with store.transaction(commit=True) as c:  # a writer of the store swaps one member's shares for another's
        c.execute("SELECT pseudonym FROM mj_shares LIMIT 1")
        pseudonym = c.fetchone()[0]
        leader, other = shares.seal_shares(PROGRAMME.public_key, PROGRAMME.helper_key, "Spring", MARCH, pseudonym,
                                           vector(meetings=0))
        c.execute("UPDATE mj_shares SET leader = ?, helper = ? WHERE pseudonym = ?", (leader, other, pseudonym))
    with pytest.raises(JournalError, match="rows of 2026-03 changed after the helper aggregated them"):
        release(store, batch, result)


def test_retention_is_each_months_active_over_the_first_released_months():
    rows = [{"period": p, "figures": {"active mentees": {"value": v, "half_width": 3}}} for p, v in
            (("2026-01", 10), ("2026-02", 8), ("2026-03", 0))]
    retained = programme_release.with_retention(rows)
    assert [r["figures"]["retention"] for r in retained] == [{"value": 1.0}, {"value": 0.8}, {"value": 0.0}]
    assert all("retention" not in r["figures"] for r in rows)  # post-processing: the released rows stay as they were
    nothing = programme_release.with_retention([{"period": "2026-01", "figures": {}}])
    assert nothing[0]["figures"]["retention"] == {"suppressed": True}
    late = programme_release.with_retention([{"period": "2026-01", "figures": {"active mentees": {"value": 0}}},
                                             rows[1]])
    assert late[1]["figures"]["retention"] == {"value": 1.0}  # the first month with anyone active is the base
