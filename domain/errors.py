"""The project's error hierarchy: every error a person can act on has a one-line message."""


class JournalError(Exception):
    """Base of every error the tool reports to a person as a one-line message."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class RuleBroken(JournalError):
    """A command would break one of the journal's rules; nothing was recorded."""
