"""Additive shares modulo 2^64: they add up to the vector, each alone is uniform, and a sealed share
opens only as the share it was sealed as (pseudonym, programme, month and kind in its info)."""

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from journal import crypto, shares
from tests.unit.known_answers import flipped, vectors

VECTOR = [1, 2, 1, 2, 3, 4, 1, 4, 1]
TOP = 2**63 - 1
ROW = ("Spring", "2026-03")


def keypair():
    key = crypto.new_x25519()
    return key, crypto.raw_public(key.public_key())


def top_bits_counts(vector: list[int], runs: int) -> list[int]:
    """How often the top four bits of the leader share's first word take each of their 16 values."""
    buckets = [0] * 16
    for _ in range(runs):
        buckets[shares.split(vector)[1][0] >> 60] += 1
    return buckets


@pytest.mark.parametrize("vector", [VECTOR, [0] * 9, [TOP] * 9, [TOP, 0, 5], [7], []],
                         ids=["figures", "zeros", "top", "mixed", "one", "empty"])
def test_sealed_shares_open_and_add_up_to_the_vector(vector):
    (lead, lead_pub), (help_, help_pub) = keypair(), keypair()
    pseudonym = crypto.random_bytes(32)
    leader, helper = shares.seal_shares(lead_pub, help_pub, *ROW, pseudonym, vector)
    words = shares.combine(shares.open_leader(lead, leader, *ROW, pseudonym, len(vector)),
                           shares.open_helper(help_, helper, *ROW, pseudonym, len(vector)))
    assert words == vector
    seed, leader_words = shares.split(vector)
    assert shares.combine(leader_words, shares.expand(seed, len(vector))) == vector


def test_without_a_helper_both_shares_go_to_the_one_manager_key_and_still_add_up():
    key, public = keypair()
    leader, helper = shares.seal_shares(public, public, *ROW, bytes(32), VECTOR)
    assert shares.combine(shares.open_leader(key, leader, *ROW, bytes(32), 9),
                          shares.open_helper(key, helper, *ROW, bytes(32), 9)) == VECTOR


def test_for_one_seed_the_leader_shares_of_two_vectors_differ_by_the_vectors_and_the_helper_sees_no_vector():
    """The proof in small: leader(B) = leader(A) + (B − A) for the same seed, a bijection of the seed's
    uniform expansion; so over random seeds each is uniform, and the helper's part is the seed alone."""
    seed = bytes(range(32))
    a, b = [0] * 9, [TOP, *VECTOR[1:]]
    leader_a, leader_b = shares.split(a, _seed=seed)[1], shares.split(b, _seed=seed)[1]
    assert [(y - x) % shares.MODULUS for x, y in zip(leader_a, leader_b, strict=True)] == b
    (_, lead_pub), (help_, help_pub) = keypair(), keypair()
    opened = [shares.open_helper(help_, shares.seal_shares(lead_pub, help_pub, *ROW, bytes(32), v, _seed=seed)[1],
                                 *ROW, bytes(32), 9) for v in (a, b)]
    assert opened[0] == opened[1] == shares.expand(seed, 9)


def test_a_leader_share_alone_is_uniform_and_the_same_whatever_the_vector():
    """2000 random seeds for each of two vectors far apart: the top four bits of the leader share's first
    word fill 16 buckets evenly (125 each, σ ≈ 10.8; ±55 is over 5σ), and a two-sample χ² test (15
    degrees of freedom) cannot tell the vectors apart (56.5 is its p = 10⁻⁶ critical value)."""
    runs = 2000
    counts = {name: top_bits_counts(v, runs) for name, v in (("zeros", [0] * 9), ("top", [TOP] * 9))}
    for name, buckets in counts.items():
        assert sum(buckets) == runs and all(70 <= n <= 180 for n in buckets), (name, buckets)
    chi2 = sum((x - y) ** 2 / (x + y) for x, y in zip(counts["zeros"], counts["top"], strict=True) if x + y)
    assert chi2 < 56.5, counts


def test_the_uniformity_check_would_notice_a_share_that_leaks():
    """The bucket test's teeth: a 'share' that is the vector itself, or the vector plus a small mask, fails it."""
    leaky = [0] * 16
    for _ in range(2000):
        leaky[(TOP + crypto.random_below(2**40)) >> 60] += 1
    assert not all(70 <= n <= 180 for n in leaky)


def test_a_share_opens_only_as_what_it_was_sealed_as():
    (lead, lead_pub), (help_, help_pub) = keypair(), keypair()
    pseudonym, other = crypto.random_bytes(32), crypto.random_bytes(32)
    leader, helper = shares.seal_shares(lead_pub, help_pub, *ROW, pseudonym, VECTOR)
    assert shares.open_leader(lead, leader, *ROW, pseudonym, 9)  # the honest path
    assert shares.open_helper(help_, helper, *ROW, pseudonym, 9)
    replays = (("Spring", "2026-03", other), ("Spring", "2026-04", pseudonym), ("Autumn", "2026-03", pseudonym))
    for programme, period, handle in replays:
        with pytest.raises(crypto.Unopenable):
            shares.open_leader(lead, leader, programme, period, handle, 9)
        with pytest.raises(crypto.Unopenable):
            shares.open_helper(help_, helper, programme, period, handle, 9)
    with pytest.raises(crypto.Unopenable):  # the other recipient's key
        shares.open_leader(help_, leader, *ROW, pseudonym, 9)
    with pytest.raises(crypto.Unopenable):
        shares.open_helper(lead, helper, *ROW, pseudonym, 9)


def test_with_one_key_for_both_a_share_does_not_open_as_the_other_kind():
    key, public = keypair()
    leader, helper = shares.seal_shares(public, public, *ROW, bytes(32), VECTOR)
    with pytest.raises(crypto.Unopenable):
        shares.open_helper(key, leader, *ROW, bytes(32), 9)
    with pytest.raises(crypto.Unopenable):
        shares.open_leader(key, helper, *ROW, bytes(32), 9)


def test_a_flipped_byte_or_a_cut_does_not_open():
    (lead, lead_pub), (help_, help_pub) = keypair(), keypair()
    leader, helper = shares.seal_shares(lead_pub, help_pub, *ROW, bytes(32), VECTOR)
    for index in (0, 31, 32, 100, len(leader) - 17, len(leader) - 1):
        with pytest.raises(crypto.Unopenable):
            shares.open_leader(lead, flipped(leader, index), *ROW, bytes(32), 9)
        with pytest.raises(crypto.Unopenable):
            shares.open_helper(help_, flipped(helper, index), *ROW, bytes(32), 9)
    for cut in (b"", leader[:32], leader[:-1]):
        with pytest.raises(crypto.Unopenable):
            shares.open_leader(lead, cut, *ROW, bytes(32), 9)


def test_a_share_of_another_length_is_refused_after_opening():
    (lead, lead_pub), (help_, help_pub) = keypair(), keypair()
    leader, helper = shares.seal_shares(lead_pub, help_pub, *ROW, bytes(32), VECTOR)
    for length in (8, 10):
        with pytest.raises(ValueError):
            shares.open_leader(lead, leader, *ROW, bytes(32), length)
        with pytest.raises(ValueError):
            shares.open_helper(help_, helper, *ROW, bytes(32), length)


def test_decoders_refuse_what_is_not_a_share_of_this_length():
    words = shares.split(VECTOR)[1]
    encoded = shares.encode_leader(words)
    assert len(encoded) == 3 + 8 * 9 and encoded[:3] == b"\x01\x00\x09"
    assert shares.decode_leader(encoded, 9) == words
    for bad, length in ((encoded, 8), (encoded, 10), (encoded + b"\x00", 9), (b"\x02" + encoded[1:], 9),
                        (b"\x00" + encoded[1:], 9), (encoded[:-1], 9), (encoded[:3], 9), (b"", 0)):
        with pytest.raises(ValueError):
            shares.decode_leader(bad, length)
    seed = bytes(range(32))
    helper = shares.encode_helper(seed, 9)
    assert helper == b"\x01\x00\x09" + seed
    assert shares.decode_helper(helper, 9) == shares.expand(seed, 9)
    for bad, length in ((helper, 8), (helper + b"\x00", 9), (helper[:-1], 9), (b"\x02" + helper[1:], 9)):
        with pytest.raises(ValueError):
            shares.decode_helper(bad, length)
    with pytest.raises(ValueError):
        shares.encode_helper(seed[:31], 9)
    with pytest.raises(ValueError):
        shares.encode_leader([0] * (2**16))  # the length is a u16
    assert shares.decode_leader(shares.encode_leader([]), 0) == []


def test_share_info_binds_row_and_kind_and_knows_only_two_kinds():
    info = shares.share_info("Spring", "2026-03", b"\x07" * 32, "leader")
    assert info == crypto.lp("mj/v2/contribution-share", "Spring", "2026-03", b"\x07" * 32, "leader")
    assert info != shares.share_info("Spring", "2026-03", b"\x07" * 32, "helper")
    for kind in ("manager", "Leader", ""):
        with pytest.raises(ValueError):
            shares.share_info("Spring", "2026-03", bytes(32), kind)


@pytest.mark.parametrize("vector", [[-1], [2**63], [2**64], [1.0], [True], [0, "1"]])
def test_only_non_negative_integers_under_two_to_the_63_are_split(vector):
    with pytest.raises(ValueError):
        shares.split(vector)
    (_, public) = keypair()
    with pytest.raises(ValueError):
        shares.seal_shares(public, public, *ROW, bytes(32), vector)


def test_every_sealed_share_of_a_length_has_the_same_size():
    (_, lead_pub), (_, help_pub) = keypair(), keypair()
    sizes = {tuple(len(s) for s in shares.seal_shares(lead_pub, help_pub, *ROW, crypto.random_bytes(32), v))
             for v in ([0] * 9, VECTOR, [2**62] * 9, [TOP] * 9, [0, TOP] * 4 + [1])}
    assert sizes == {(304, 304)}  # 32-byte encapsulated key, 256 padded bytes, 16-byte tag


def test_noise_below_zero_reads_as_a_negative_total():
    seed, leader = shares.split(VECTOR)
    noise = [(-3) % shares.MODULUS] * 9
    assert shares.as_signed(shares.combine(leader, shares.expand(seed, 9), noise)) == [v - 3 for v in VECTOR]
    assert shares.as_signed([0, 2**63 - 1, 2**63, 2**64 - 1]) == [0, 2**63 - 1, -(2**63), -1]
    with pytest.raises(ValueError):
        shares.combine([1, 2], [3])


def test_the_prf_is_a_function_of_seed_and_context_and_refuses_a_short_seed():
    seed = bytes(range(32))
    assert crypto.prf_words(seed, b"a", 4) == crypto.prf_words(seed, b"a", 4)
    assert crypto.prf_words(seed, b"a", 4) != crypto.prf_words(seed, b"b", 4)
    assert crypto.prf_words(seed, b"a", 4) != crypto.prf_words(bytes(32), b"a", 4)
    assert crypto.prf_words(seed, b"a", 2) == crypto.prf_words(seed, b"a", 4)[:2]
    assert crypto.prf_words(seed, b"a", 0) == []
    assert all(0 <= w < 2**64 for w in crypto.prf_words(seed, b"a", 64))
    assert shares.expand(seed, 3) != shares.expand(seed, 4)[:3]  # the length is in the context
    for bad in (seed[:31], seed + b"\x00", b""):
        with pytest.raises(ValueError):
            crypto.prf_words(bad, b"a", 1)


KNOWN = vectors("contribution_shares")


def test_the_known_answer_vector_reproduces_through_the_program():
    seed, vector, length = bytes.fromhex(KNOWN["seed"]), KNOWN["vector"], len(KNOWN["vector"])
    assert crypto.lp("mj/v2/share-prf", length).hex() == KNOWN["prf_context"]
    assert crypto.prf_words(seed, bytes.fromhex(KNOWN["prf_context"]), length) == KNOWN["prf_words"]
    assert shares.expand(seed, length) == KNOWN["prf_words"]
    assert shares.split(vector, _seed=seed) == (seed, KNOWN["leader_words"])
    assert shares.encode_leader(KNOWN["leader_words"]).hex() == KNOWN["leader"]["plaintext"]
    assert shares.encode_helper(seed, length).hex() == KNOWN["helper"]["plaintext"]
    pseudonym = bytes.fromhex(KNOWN["pseudonym"])
    for kind in ("leader", "helper"):
        part = KNOWN[kind]
        assert shares.share_info(KNOWN["programme"], KNOWN["period"], pseudonym, kind).hex() == part["info"]
        assert crypto.pad(bytes.fromhex(part["plaintext"])).hex() == part["padded"]
        key = X25519PrivateKey.from_private_bytes(bytes.fromhex(part["private"]))
        assert crypto.raw_public(key.public_key()).hex() == part["public"]


def test_the_known_answer_ciphertexts_open_to_their_shares_and_add_up():
    pseudonym, row = bytes.fromhex(KNOWN["pseudonym"]), (KNOWN["programme"], KNOWN["period"])
    keys = {kind: crypto.x25519_private(bytes.fromhex(KNOWN[kind]["private"])) for kind in ("leader", "helper")}
    sealed = {kind: bytes.fromhex(KNOWN[kind]["sealed"]) for kind in keys}
    length = len(KNOWN["vector"])
    leader = shares.open_leader(keys["leader"], sealed["leader"], *row, pseudonym, length)
    helper = shares.open_helper(keys["helper"], sealed["helper"], *row, pseudonym, length)
    assert (leader, helper) == (KNOWN["leader_words"], KNOWN["prf_words"])
    assert shares.combine(leader, helper) == KNOWN["vector"]
    for kind in keys:
        info = bytes.fromhex(KNOWN[kind]["info"])
        assert crypto.hpke_open(keys[kind], sealed[kind], info).hex() == KNOWN[kind]["padded"]
        assert len(sealed[kind]) == 304
    with pytest.raises(crypto.Unopenable):  # the recorded leader share, replayed as the next month's
        shares.open_leader(keys["leader"], sealed["leader"], KNOWN["programme"], "2026-05", pseudonym, length)
