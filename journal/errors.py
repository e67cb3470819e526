"""Errors of the application layer, each phrased so that a person knows what to do next."""

from domain.errors import JournalError, RuleBroken

__all__ = [
    "JournalError", "RuleBroken", "WrongPassphrase", "NoIdentity", "IdentityDamaged",
    "PassphraseUnavailable", "TamperedRecord", "EntryNotFound", "AmbiguousId", "NoJournal",
    "StoreUnavailable", "ConcurrentWrite", "IdentityExists",
]


class WrongPassphrase(JournalError):
    def __init__(self, path):
        super().__init__(f"wrong passphrase for identity {path}")


class NoIdentity(JournalError):
    def __init__(self, path):
        super().__init__(f"no identity at {path}: run `mj init --name NAME` first (or set MJ_IDENTITY)")


class IdentityExists(JournalError):
    def __init__(self, path):
        super().__init__(f"an identity already exists at {path}; choose another with --identity")


class IdentityDamaged(JournalError):
    """The identity file is unreadable, truncated, or asks for a KDF outside the safe range."""


class PassphraseUnavailable(JournalError):
    """No passphrase could be had: no terminal, or MJ_PASSPHRASE_COMMAND failed."""


class TamperedRecord(JournalError):
    """A stored record, key, or checkpoint does not match what the owner wrote."""


class EntryNotFound(JournalError):
    # Where to look for the ids of each kind of thing, so the hint sends people to the right list.
    LISTS = {"release": "no release with id {!r} in this journal (see `mj shares`)",
             "released entry": "no released entry with id {!r} (see `mj inbox`)"}

    def __init__(self, prefix, what="entry"):
        template = self.LISTS.get(what, f"no {what} with id {{!r}} in this journal (see `mj entries`)")
        super().__init__(template.format(prefix))


class AmbiguousId(JournalError):
    def __init__(self, prefix, candidates):
        shown = ", ".join(sorted(c[:12] for c in candidates)[:5])
        super().__init__(f"id {prefix!r} is ambiguous: it matches {shown}; give more characters")


class NoJournal(JournalError):
    """The identity has no journal in this store."""


class StoreUnavailable(JournalError):
    """The store is missing, not a database, read-only, or busy."""


class ConcurrentWrite(JournalError):
    def __init__(self, message: str = "another process kept writing to this journal; nothing was saved, try again"):
        super().__init__(message)
