"""The store's directory of people (mj_directory): self-signed entries of name, role and public keys.

    mj_directory (fingerprint, entry, signature)
    entry = canonical JSON {"format": "mj-directory/1", "name", "role", "x25519", "ed25519"
                            [, "before": [[x25519, ed25519, succession signature], …]]}
    signature = Ed25519(the entry's own ed25519 key, lp("mj/v1/directory", entry))

"before" lists the keys she had before (`mj keys rotate --identity`), oldest first; each link is
signed by its own ed25519 key over lp("mj/v1/succession", name, role, its keys, the next keys),
so that a mentor who pinned any of them follows her to the newest, and nobody without one of
her old keys can claim to succeed them.

A signature only proves that whoever wrote the entry holds its keys; whether those keys belong
to the person named is settled by comparing fingerprints out of band (`mj whoami`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from journal import columns, crypto, sql
from journal.errors import JournalError
from journal.identity import Identity, fingerprint_of
from journal.private_files import write_private

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

MAX_ENTRY = 16 * 1024  # a name, a role and two public keys: a few hundred bytes
MAX_LINKS = 32  # key changes an entry may carry: a link is about 260 bytes


@dataclass(frozen=True)
class Person:
    name: str
    role: str
    fingerprint: str
    x25519: bytes
    ed25519: bytes
    verified: bool
    predecessors: tuple[str, ...] = ()  # fingerprints of the keys she had before, oldest first

    @property
    def encryption_key(self) -> X25519PublicKey:
        return crypto.x25519_public(self.x25519)

    @property
    def signing_key(self) -> Ed25519PublicKey:
        return crypto.ed25519_public(self.ed25519)

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "role": self.role, "fingerprint": self.fingerprint, "verified": self.verified,
                "replaces": list(self.predecessors)}


def _entry_bytes(name: str, role: str, x25519: bytes, ed25519: bytes,
                 before: list[list[str]] | None = None) -> bytes:
    document = {"format": "mj-directory/1", "name": name, "role": role, "x25519": x25519.hex(),
                "ed25519": ed25519.hex()}
    return json.dumps(document | ({"before": before} if before else {}), sort_keys=True,
                      separators=(",", ":")).encode()


def succession_message(name: str, role: str, old: tuple[bytes, bytes], new: tuple[bytes, bytes]) -> bytes:
    return crypto.lp("mj/v1/succession", name, role, *old, *new)


def _links_hold(name: str, role: str, before: Any, current: tuple[bytes, bytes]) -> tuple[str, ...] | None:
    """The fingerprints of a chain of earlier keys whose every link is signed by its own key over
    its successor; None when any is malformed or unsigned."""
    if before is None:
        return ()
    if type(before) is not list or not 0 < len(before) <= MAX_LINKS:
        return None
    keys = [(bytes.fromhex(x), bytes.fromhex(ed)) for x, ed, _ in before] + [current]
    for (x, ed, signature), successor in zip(before, keys[1:], strict=True):
        old = (bytes.fromhex(x), bytes.fromhex(ed))
        if not crypto.signature_holds(crypto.ed25519_public(old[1]), bytes.fromhex(signature),
                                      succession_message(name, role, old, successor)):
            return None
    return tuple(fingerprint_of(x, ed) for x, ed in keys[:-1])


class DirectoryStore:
    """The directory's SQL for both backends; every entry it hands out has had its signature
    and its fingerprint checked (`verified`), or is shown as unreadable."""

    TABLES = ["CREATE TABLE IF NOT EXISTS mj_directory (fingerprint TEXT PRIMARY KEY, entry BLOB, signature BLOB)"]

    def __init__(self, datastore: Any):
        self.datastore = datastore

    def publish(self, identity: Identity, recovery_row: tuple[str, bytes] | None = None) -> None:
        with self.datastore.transaction(commit=True) as c:
            self.insert(c, self.signed_entry(identity))
            if recovery_row is not None:
                from journal.recovery import RecoveryStore

                RecoveryStore.insert(c, recovery_row)

    @staticmethod
    def signed_entry(identity: Identity, before: list[list[str]] | None = None) -> tuple[str, bytes, bytes]:
        """Her entry, linking the keys she had before (`before`, else her identity file's)."""
        links = [list(link) for link in identity.before] if before is None else before
        entry = _entry_bytes(identity.name, identity.role, identity.x25519_public, identity.ed25519_public, links)
        return identity.fingerprint, entry, crypto.sign(identity.signing_key, crypto.lp("mj/v1/directory", entry))

    @staticmethod
    def successor_entry(old: Identity, new: Identity) -> tuple[str, bytes, bytes]:
        """`new`'s keys' entry as `old`'s successor (see `succeeded`)."""
        return DirectoryStore.signed_entry(succeeded(old, new))

    @staticmethod
    def insert(c: Any, row: tuple[str, bytes, bytes]) -> None:
        """In the caller's transaction (a new mentee's entry moves with her journal's first event)."""
        c.execute(sql.upsert("mj_directory", ("fingerprint", "entry", "signature"), ("fingerprint",)), row)

    def people(self) -> list[Person]:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT fingerprint, entry, signature FROM mj_directory ORDER BY fingerprint")
            rows = c.fetchall()
        return [_person(*row) for row in rows]

    def person(self, fingerprint: str) -> Person | None:
        """The one entry stored under `fingerprint`, checked; None when there is none."""
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT fingerprint, entry, signature FROM mj_directory WHERE fingerprint = ?", (fingerprint,))
            row = c.fetchone()
        return None if row is None else _person(*row)


def succeeded(old: Identity, new: Identity) -> Identity:
    """`new` (its keys) carrying `old`'s earlier keys and `old` itself as links, the last signed by
    `old` over `new`'s keys; the oldest links are dropped past MAX_LINKS."""
    import dataclasses

    keys = (old.x25519_public, old.ed25519_public)
    link = crypto.sign(old.signing_key, succession_message(old.name, old.role, keys,
                                                           (new.x25519_public, new.ed25519_public)))
    before = (*old.before, (keys[0].hex(), keys[1].hex(), link.hex()))[-MAX_LINKS:]
    return dataclasses.replace(new, before=before)


def _person(fingerprint: Any, entry: Any, signature: Any) -> Person:
    # Only blobs of a sane size are read at all: bytes(10**12) of an integer column would
    # allocate a terabyte, and a JSON document nested thousands deep would not parse.
    fingerprint_text, entry, signature = (columns.text(fingerprint, limit=80), columns.blob(entry, limit=MAX_ENTRY),
                                          columns.blob(signature, limit=MAX_ENTRY))
    try:
        if fingerprint_text is None or entry is None or signature is None:
            raise ValueError("not a directory entry")
        document = json.loads(entry)
        x25519, ed25519 = bytes.fromhex(document["x25519"]), bytes.fromhex(document["ed25519"])
        name, role = str(document["name"]), str(document["role"])
        verified = (fingerprint_text == fingerprint_of(x25519, ed25519) and crypto.signature_holds(
            crypto.ed25519_public(ed25519), signature, crypto.lp("mj/v1/directory", entry)))
        # Its links only once it is signed by its own keys: a row copied with another's chain costs little.
        predecessors = _links_hold(name, role, document.get("before"), (x25519, ed25519)) if verified else ()
        return Person(name, role, fingerprint_text, x25519, ed25519, verified and predecessors is not None,
                      predecessors or ())
    except (ValueError, KeyError, TypeError, RecursionError, AttributeError):
        return Person("(unreadable entry)", "?", str(fingerprint)[:64], b"", b"", False)


def publish(datastore: Any, identity: Identity, recovery_row: tuple[str, bytes] | None = None) -> None:
    DirectoryStore(datastore).publish(identity, recovery_row)


def people(datastore: Any) -> list[Person]:
    return DirectoryStore(datastore).people()


def by_fingerprint(datastore: Any, fingerprint: str) -> Person | None:
    """The verified person of this fingerprint: its one row, not the whole directory."""
    found = DirectoryStore(datastore).person(fingerprint)
    return found if found is not None and found.verified and found.fingerprint == fingerprint else None


def name_key(name: str) -> str:
    """How names are compared: NFKC, case-folded, runs of white space as one space."""
    import unicodedata

    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def _compact_hex(query: str) -> str | None:
    """The query as fingerprint digits, if it is one: at least four hex digits, spaces aside."""
    digits = "".join(query.split()).casefold()
    return digits if len(digits) >= 4 and all(c in "0123456789abcdef" for c in digits) else None


def _shown(person: Person) -> str:
    """A person in an error message: the name (neutralised again by the command line) and the
    whole fingerprint."""
    return f"{person.name} ({person.role}, {person.fingerprint})"


def find(datastore: Any, query: str, *, role: str, pinned: dict[str, set[str]] | None = None,
         confirm: str | None = None) -> Person:
    """One verified person of `role`, by fingerprint prefix or by name.

    A query of hex digits (four or more, spaces aside) is a fingerprint prefix and never a name.
    Any other query is a name, matched (NFKC, case-insensitive) exactly or as a prefix; every
    person it matches counts, so a second person whose name is the query, or begins with it,
    makes it ambiguous rather than winning. Names that break the directory's rules (see
    identity.name_problem; a modified client may have written them) are never matched by name.
    `pinned` maps a name (name_key) to the fingerprints it was used for before (the mentee's
    releases): a name that now resolves to another fingerprint is refused unless `confirm` is
    that fingerprint, the way ssh refuses a host whose key changed, or unless every key pinned is
    one the entry succeeds (its "before" links, each signed by the key it replaces)."""
    from journal.identity import name_problem

    everyone = people(datastore)
    verified = [p for p in everyone if p.verified]
    digits = _compact_hex(query)
    if digits is not None:
        matches = [p for p in verified if p.fingerprint.replace(" ", "").startswith(digits)]
    else:
        wanted = name_key(query)
        matches = [p for p in verified if name_problem(p.name) is None and (
            name_key(p.name) == wanted or name_key(p.name).startswith(wanted))]
    of_role = [p for p in matches if p.role == role]
    if len(of_role) > 1:
        listing = "; ".join(_shown(p) for p in of_role)
        raise JournalError(f"{query!r} is ambiguous: {listing}; give the fingerprint of the one you mean "
                           "(compare it with them out of band)")
    if not of_role and matches:
        raise JournalError(f"{matches[0].name} is a {matches[0].role}, not a {role}")
    if not of_role:
        unverified = [p for p in everyone if not p.verified and digits is None and name_key(p.name) == name_key(query)]
        hint = f" ({query!r} has an entry whose signature does not verify: not used)" if unverified else ""
        same_role = "; ".join(f"{p.name} ({p.fingerprint})" for p in verified if p.role == role)
        raise JournalError(f"no {role} {query!r} in this store's directory{hint}; "
                           f"{role}s here: {same_role or 'none yet'}")
    [found] = of_role
    if confirm is not None and "".join(confirm.split()).casefold() != found.fingerprint.replace(" ", ""):
        raise JournalError(f"--confirm {confirm!r} is not the fingerprint of {_shown(found)}: nothing was sent")
    if digits is None and confirm is None:
        # Pinned under the name found, or under any name this query matches: "grace" that went to
        # Grace Okafor's keys must not now reach "Grace Okafor." with other keys, either.
        wanted = name_key(query)
        before = {fp for name, fps in (pinned or {}).items() for fp in fps
                  if name == name_key(found.name) or name.startswith(wanted)}
        # Followed only when every key pinned is one it succeeds: a rival successor signed by one old
        # key (which may have leaked) does not win over keys this device has seen since.
        if before and found.fingerprint not in before and not before <= set(found.predecessors):
            raise JournalError(
                f"{query!r} now finds {_shown(found)}, but what you sent under that name before went to "
                f"{', '.join(sorted(before))}. If they really changed keys, compare the new fingerprint with "
                f"them out of band and repeat with --confirm '{found.fingerprint}'")
    return found


def pins(pairs: Any) -> dict[str, set[str]]:
    """(name, fingerprint) pairs already used, as `find` takes them: name_key → fingerprints."""
    pinned: dict[str, set[str]] = {}
    for name, fingerprint in pairs:
        pinned.setdefault(name_key(name), set()).add(fingerprint)
    return pinned


def known_people_path(identity_path: Any) -> Any:
    """This identity's own record of whom it has sent to (like ssh's known_hosts), beside its file."""
    from pathlib import Path

    path = Path(identity_path)
    return path.with_name(path.name.removesuffix(".json") + ".people.json")


def known_people(identity_path: Any) -> list[tuple[str, str]]:
    """(name, fingerprint) pairs this device has sent to before; none if the file is missing or
    unreadable (it only ever adds refusals, so losing it loses no data)."""
    try:
        document = json.loads(known_people_path(identity_path).read_bytes())
        return [(str(name), str(fp)) for name, fps in document["people"].items() for fp in fps]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return []


def remember(identity_path: Any, person: Person) -> None:
    """Pins `person`'s name to her fingerprint on this device: written whole, 0600, then renamed."""
    path = known_people_path(identity_path)
    pinned = pins(known_people(identity_path))
    if person.fingerprint in pinned.get(name_key(person.name), set()):
        return
    pinned.setdefault(name_key(person.name), set()).add(person.fingerprint)
    data = json.dumps({"format": "mj-known-people/1", "people": {k: sorted(v) for k, v in sorted(pinned.items())}},
                      indent=2, ensure_ascii=False).encode()
    try:
        write_private(path, data)
    except OSError as error:
        raise JournalError(f"cannot record {person.fingerprint} in {path}: {error.strerror}") from None
