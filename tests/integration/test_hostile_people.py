"""People in a hostile store: names that squat on fingerprints or on other names, names and texts
that carry terminal escapes, impostors with a real person's name, and a name that moves to other
keys after she released to it. Each attack is shown to fail, and beside it the honest path works.

Every attacker here holds nothing but her own `mj` identity and write access to the store (a
modified client writes whatever it likes into her own directory entry)."""

import json

import pytest

from journal import crypto, directory
from journal.config import store_location
from journal.identity import fingerprint_of, unlock_identity
from tests.conftest import PASSPHRASE, raw_store, store_state

HOSTILE = ("\x1b[2J", "\x1b]0;title\x07", "\u202e", "\x9b", "\u2066")


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def refused(result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    return result.stderr


def short(fingerprint: str) -> str:
    return fingerprint[:9]


def compact(fingerprint: str) -> str:
    return fingerprint.replace(" ", "")


def grant_goes_to(store, grant: str) -> str:
    with raw_store(store) as db:
        [(fingerprint,)] = db.execute("SELECT mentor_fingerprint FROM mj_grants WHERE grant_id = ?",
                                      (grant,)).fetchall()
    return fingerprint


@pytest.fixture
def world(run, mentee, home):
    """Ada (mentee, home/identity.json) with three check-ins; Grace Okafor, a mentor."""
    files = {"ada": home / "identity.json", "grace": home / "grace.json"}
    fps = {"ada": ok(run("whoami", "--json")) and json.loads(run("whoami", "--json").stdout)["fingerprint"],
           "grace": ok(run("--identity", str(files["grace"]), "init", "--name", "Grace Okafor", "--role", "mentor"))}
    entries = [ok(run("checkin", f"ADA-CHECKIN-{n}")) for n in range(3)]
    return {"files": files, "fp": fps, "entries": entries, "store": store_location(), "home": home}


def register(run, world, who: str, name: str, role: str = "mentor") -> str:
    world["files"][who] = world["home"] / f"{who}.json"
    world["fp"][who] = ok(run("--identity", str(world["files"][who]), "init", "--name", name, "--role", role))
    return world["fp"][who]


def as_(world, who: str) -> tuple[str, str]:
    return ("--identity", str(world["files"][who]))


def write_own_entry(world, who: str, name: str, role: str) -> None:
    """What a modified client can do: replace one's own directory entry by any name, self-signed,
    with no registration check on the way."""
    me = unlock_identity(world["files"][who], PASSPHRASE)
    entry = directory._entry_bytes(name, role, me.x25519_public, me.ed25519_public)
    signature = crypto.sign(me.signing_key, crypto.lp("mj/v1/directory", entry))
    with raw_store(world["store"]) as db:
        db.execute("DELETE FROM mj_directory WHERE fingerprint = ?", (me.fingerprint,))
        db.execute("INSERT INTO mj_directory VALUES (?,?,?)", (me.fingerprint, entry, signature))


def plant(world, name: str, role: str = "mentor") -> str:
    """A self-signed directory entry for fresh keys, written straight into the store."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    raw = {"encoding": serialization.Encoding.Raw, "format": serialization.PublicFormat.Raw}
    x_key, ed_key = X25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    x25519, ed25519 = x_key.public_key().public_bytes(**raw), ed_key.public_key().public_bytes(**raw)
    entry = directory._entry_bytes(name, role, x25519, ed25519)
    fingerprint = fingerprint_of(x25519, ed25519)
    with raw_store(world["store"]) as db:
        db.execute("INSERT INTO mj_directory VALUES (?,?,?)",
                   (fingerprint, entry, crypto.sign(ed_key, crypto.lp("mj/v1/directory", entry))))
    return fingerprint


def assert_clean(text: str) -> None:
    for bad in HOSTILE:
        assert bad not in text, f"{bad!r} reached the terminal"
    assert "\x1b" not in text and "\x07" not in text


# -- (a) squatting on a fingerprint or on a name ------------------------------------------------


@pytest.mark.parametrize("form", ["full", "short", "compact", "upper"])
def test_a_name_shaped_like_a_fingerprint_is_refused_at_registration(run, world, form):
    grace = world["fp"]["grace"]
    name = {"full": grace, "short": short(grace), "compact": compact(grace), "upper": grace.upper()}[form]
    before = store_state(world["store"])
    result = run("--identity", str(world["home"] / "squatter.json"), "init", "--name", name, "--role", "mentor")
    assert "fingerprint" in refused(result)
    assert not (world["home"] / "squatter.json").exists()
    assert store_state(world["store"]) == before


@pytest.mark.parametrize("name, says", [
    ("Grace\x1b[2J", "control"), ("Grace\u202eOkafor", "control"), ("Grace\u200bOkafor", "control"),
    ("G" * 81, "80"), ("Grace\nOkafor", "control"),
])
def test_names_with_control_or_bidi_characters_or_too_long_are_refused_at_registration(run, world, name, says):
    result = run("--identity", str(world["home"] / "bad.json"), "init", "--name", name, "--role", "mentor")
    assert says in refused(result)
    assert not (world["home"] / "bad.json").exists()


def test_honest_names_are_still_accepted(run, world):
    for n, name in enumerate(["Ada", "Zoë Ñúñez-O'Brien", "李小龍", "Dr. Grace O. (she/her)", "G" * 80]):
        assert register(run, world, f"honest{n}", name)


@pytest.mark.parametrize("form", ["full", "short", "compact"])
def test_a_planted_entry_named_as_graces_fingerprint_never_receives_what_was_meant_for_her(run, world, form):
    grace = world["fp"]["grace"]
    query = {"full": grace, "short": short(grace), "compact": compact(grace)}[form]
    squatter = plant(world, query)  # registration refuses the name; a modified client need not ask
    grant = ok(run("share", world["entries"][0][:10], "--with", query))
    assert grant_goes_to(world["store"], grant) == grace != squatter


def test_a_squatter_named_grace_makes_the_name_ambiguous_and_the_full_name_still_reaches_grace(run, world):
    squatter = register(run, world, "squatter", "grace")
    before = store_state(world["store"])
    result = run("share", world["entries"][0][:10], "--with", "grace")
    stderr = refused(result)
    assert "ambiguous" in stderr and short(squatter) in stderr and short(world["fp"]["grace"]) in stderr
    assert store_state(world["store"]) == before
    grant = ok(run("share", world["entries"][0][:10], "--with", "Grace Okafor"))  # unique: the honest path
    assert grant_goes_to(world["store"], grant) == world["fp"]["grace"]
    grant = ok(run("share", world["entries"][1][:10], "--with", world["fp"]["grace"]))
    assert grant_goes_to(world["store"], grant) == world["fp"]["grace"]
    grant = ok(run("share", world["entries"][2][:10], "--with", squatter))  # by fingerprint, she is reachable
    assert grant_goes_to(world["store"], grant) == squatter


def test_a_hex_query_is_a_fingerprint_and_never_a_name(run, world):
    squatter = plant(world, "beef cafe")
    assert not squatter.startswith("beef")
    result = run("share", world["entries"][0][:10], "--with", "beef cafe")
    assert "no mentor" in refused(result)


# -- (b) escapes in names and texts from other people --------------------------------------------


def hostile_name(world) -> str:
    fake_line = f"\n{world['fp']['grace']}  mentor   Grace Okafor"
    return "Mallory\x1b[2J\x1b]0;title\x07\u202eyrollaM\x9b31m\u2066[bold red]loud[/]" + fake_line


@pytest.fixture
def hostile(run, world):
    """Mallory (mentor) and Eve (mentee) rewrite their own directory entries with escapes and a
    fake directory line carrying Grace's real fingerprint; Ada released to Mallory, Mallory sent
    Ada feedback, and Eve released an entry to Grace."""
    register(run, world, "mallory", "Mallory", "mentor")
    register(run, world, "eve", "Eve", "mentee")
    ok(run(*as_(world, "eve"), "checkin", "EVE-CHECKIN \x1b[2J\u202e"))
    eve_entry = ok(run(*as_(world, "eve"), "entries", "--json")) and \
        json.loads(run(*as_(world, "eve"), "entries", "--json").stdout)[0]["id"]
    name = hostile_name(world)
    write_own_entry(world, "mallory", name, "mentor")
    write_own_entry(world, "eve", name.replace("Mallory", "Eve"), "mentee")
    ok(run("share", world["entries"][0][:10], "--with", world["fp"]["mallory"]))
    ok(run(*as_(world, "eve"), "share", eve_entry[:10], "--with", world["fp"]["grace"]))
    ok(run(*as_(world, "mallory"), "feedback", "send", "--to", world["fp"]["ada"], "FEEDBACK \x1b]0;x\x07 \u202e"))
    return name


def test_escapes_in_a_name_never_reach_the_directory_listing(run, world, hostile):
    listing = run("directory")
    assert listing.exit_code == 0
    assert_clean(listing.output)
    assert [line for line in listing.stdout.splitlines() if line.startswith(world["fp"]["grace"])] == [
        f"{world['fp']['grace']}  mentor   Grace Okafor"]  # the fake line is not a line of its own
    assert "Mallory" in listing.stdout and "[bold red]" in listing.stdout
    as_json = run("directory", "--json")
    exact = {p["fingerprint"]: p["name"] for p in json.loads(ok(as_json))}
    assert exact[world["fp"]["mallory"]] == hostile  # JSON keeps the exact characters,
    assert_clean(as_json.stdout)  # written as \u escapes, so a terminal showing it meets none raw


@pytest.mark.parametrize("name", ["Grace Okafor\x1b[8m", "Grace\u202eOkafor", "grace" + "x" * 90])
def test_a_planted_name_that_breaks_the_rules_is_never_matched_by_name(run, world, name):
    squatter = plant(world, name)
    grant = ok(run("share", world["entries"][0][:10], "--with", "grace"))  # not ambiguous: hers alone
    assert grant_goes_to(world["store"], grant) == world["fp"]["grace"]
    grant = ok(run("share", world["entries"][1][:10], "--with", squatter))  # by fingerprint, as chosen
    assert grant_goes_to(world["store"], grant) == squatter


def test_escapes_in_a_mentor_name_never_reach_shares(run, world, hostile):
    result = run("shares")
    assert result.exit_code == 0
    assert_clean(result.output)
    assert short(world["fp"]["mallory"]) in result.stdout
    assert len(result.stdout.strip().splitlines()) == 1
    [row] = json.loads(ok(run("shares", "--json")))
    assert row["mentor"] == hostile.strip()


def test_escapes_in_feedback_and_its_senders_name_never_reach_the_mentees_screens(run, world, hostile):
    for args in (["inbox"], ["entries"], ["timeline"]):
        result = run(*args)
        assert result.exit_code == 0, result.output
        assert_clean(result.output)
    inbox = run("inbox")
    assert "FEEDBACK" in inbox.stdout and short(world["fp"]["mallory"]) in inbox.stdout
    [feedback] = json.loads(ok(run("inbox", "--json")))
    assert feedback["text"] == "FEEDBACK \x1b]0;x\x07 \u202e" and feedback["from_name"] == hostile.strip()
    shown = run("show", feedback["id"][:10])
    assert shown.exit_code == 0
    assert_clean(shown.output)


def test_escapes_in_a_mentees_name_and_entry_never_reach_the_mentors_inbox(run, world, hostile):
    for args in (["inbox"], ["show", json.loads(ok(run(*as_(world, "grace"), "inbox", "--json")))[0]["grant"]]):
        result = run(*as_(world, "grace"), *args)
        assert result.exit_code == 0, result.output
        assert_clean(result.output)
    inbox = run(*as_(world, "grace"), "inbox").stdout
    assert "EVE-CHECKIN" in inbox and short(world["fp"]["eve"]) in inbox
    [released] = json.loads(ok(run(*as_(world, "grace"), "inbox", "--json")))
    assert released["mentee"] == hostile.replace("Mallory", "Eve")
    assert released["entry"]["text"] == "EVE-CHECKIN \x1b[2J\u202e"


def test_an_error_naming_a_hostile_person_is_neutralised_too(run, world, hostile):
    result = run("share", world["entries"][1][:10], "--with", "nobody-here")
    assert_clean(refused(result))


# -- (c) an impostor with the real mentee's name --------------------------------------------------


def test_an_impostor_named_ada_lovelace_is_never_merged_with_the_real_ada_in_the_inbox(run, world):
    impostor = register(run, world, "impostor", "Ada Lovelace", "mentee")
    ok(run(*as_(world, "impostor"), "checkin", "IMPOSTOR-CHECKIN"))
    fake = json.loads(ok(run(*as_(world, "impostor"), "entries", "--json")))[0]["id"]
    ok(run(*as_(world, "impostor"), "share", fake[:10], "--with", world["fp"]["grace"]))
    ok(run("share", world["entries"][0][:10], "--with", "Grace Okafor"))
    lines = ok(run(*as_(world, "grace"), "inbox")).splitlines()
    headers = [n for n, line in enumerate(lines) if "Ada Lovelace" in line]
    assert len(headers) == 2, lines
    for n in headers:
        fingerprint = world["fp"]["ada"] if short(world["fp"]["ada"]) in lines[n] else impostor
        assert short(fingerprint) in lines[n]
        following = lines[n + 1]
        assert ("ADA-CHECKIN-0" if fingerprint == world["fp"]["ada"] else "IMPOSTOR-CHECKIN") in following
    released = json.loads(ok(run(*as_(world, "grace"), "inbox", "--json")))
    assert {r["mentee_fingerprint"] for r in released} == {world["fp"]["ada"], impostor}


def test_feedback_to_a_name_two_mentees_share_is_ambiguous_and_by_fingerprint_it_goes(run, world):
    register(run, world, "impostor", "Ada Lovelace", "mentee")
    result = run(*as_(world, "grace"), "feedback", "send", "--to", "Ada Lovelace", "WELL DONE")
    assert "ambiguous" in refused(result)
    ok(run(*as_(world, "grace"), "feedback", "send", "--to", world["fp"]["ada"], "WELL DONE"))
    ok(run("inbox", "accept", world["fp"]["grace"]))  # she never released to Grace: her consent first
    assert "WELL DONE" in ok(run("inbox"))


# -- (d) a name that moves to other keys after she released to it --------------------------------


def replace_grace(run, world) -> str:
    """The store's writer deletes Grace's entry; someone else registers 'Grace Okafor'."""
    with raw_store(world["store"]) as db:
        db.execute("DELETE FROM mj_directory WHERE fingerprint = ?", (world["fp"]["grace"],))
    return register(run, world, "newgrace", "Grace Okafor")


@pytest.mark.parametrize("query", ["Grace Okafor", "grace", "GRACE OKAFOR"])
def test_a_name_that_now_resolves_to_other_keys_needs_confirm(run, world, query):
    first = ok(run("share", world["entries"][0][:10], "--with", "Grace Okafor"))
    assert grant_goes_to(world["store"], first) == world["fp"]["grace"]
    newcomer = replace_grace(run, world)
    before = store_state(world["store"])
    stderr = refused(run("share", world["entries"][1][:10], "--with", query))
    assert "--confirm" in stderr and newcomer in stderr and world["fp"]["grace"] in stderr
    assert store_state(world["store"]) == before
    wrong = run("share", world["entries"][1][:10], "--with", query, "--confirm", world["fp"]["grace"])
    assert "--confirm" in refused(wrong)
    assert store_state(world["store"]) == before
    grant = ok(run("share", world["entries"][1][:10], "--with", query, "--confirm", newcomer))
    assert grant_goes_to(world["store"], grant) == newcomer


def test_a_look_alike_name_that_the_same_query_now_finds_needs_confirm_too(run, world):
    ok(run("share", world["entries"][0][:10], "--with", "grace"))
    with raw_store(world["store"]) as db:
        db.execute("DELETE FROM mj_directory WHERE fingerprint = ?", (world["fp"]["grace"],))
    newcomer = register(run, world, "newgrace", "Grace Okafor.")
    stderr = refused(run("share", world["entries"][1][:10], "--with", "grace"))
    assert "--confirm" in stderr and newcomer in stderr and world["fp"]["grace"] in stderr


def test_the_pinned_person_is_reached_by_name_again_and_a_fingerprint_needs_no_confirm(run, world):
    ok(run("share", world["entries"][0][:10], "--with", "Grace Okafor"))
    again = ok(run("share", world["entries"][1][:10], "--with", "grace"))
    assert grant_goes_to(world["store"], again) == world["fp"]["grace"]
    newcomer = replace_grace(run, world)
    grant = ok(run("share", world["entries"][2][:10], "--with", newcomer))  # a fingerprint is a choice
    assert grant_goes_to(world["store"], grant) == newcomer


def test_shares_shows_each_mentor_with_a_short_fingerprint_and_groups_by_it(run, world):
    ok(run("share", world["entries"][0][:10], "--with", "Grace Okafor"))
    newcomer = register(run, world, "newgrace", "Grace Okafor")
    ok(run("share", world["entries"][1][:10], "--with", newcomer))
    ok(run("share", world["entries"][2][:10], "--with", world["fp"]["grace"].replace(" ", "")[:12]))
    lines = ok(run("shares")).splitlines()
    assert len(lines) == 3
    marks = [short(world["fp"]["grace"]) in line for line in lines]
    assert marks in ([True, True, False], [False, True, True])  # Grace's two releases side by side
    assert all("Grace Okafor (" in line for line in lines)


def test_feedback_to_a_mentee_whose_name_moved_to_other_keys_needs_confirm(run, world):
    ok(run("share", world["entries"][0][:10], "--with", "Grace Okafor"))
    ok(run(*as_(world, "grace"), "feedback", "send", "--to", "Ada Lovelace", "FIRST"))
    impostor = register(run, world, "impostor", "Ada Lovelace", "mentee")
    with raw_store(world["store"]) as db:
        db.execute("DELETE FROM mj_directory WHERE fingerprint = ?", (world["fp"]["ada"],))
    stderr = refused(run(*as_(world, "grace"), "feedback", "send", "--to", "Ada Lovelace", "SECOND"))
    assert "--confirm" in stderr and impostor in stderr
    ok(run(*as_(world, "grace"), "feedback", "send", "--to", "Ada Lovelace", "SECOND", "--confirm", impostor))
