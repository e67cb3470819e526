"""Passphrases: where one comes from (the environment, a password manager's command), and
whether a new one is hard enough to guess."""

from __future__ import annotations

import os
import subprocess

from journal import crypto
from journal.errors import PassphraseUnavailable

MIN_PASSPHRASE = 8
MIN_STRENGTH = 3  # zxcvbn's scale: 3 is "safely unguessable" (about 10^10 guesses) offline
SUGGESTED_WORDS = 6  # from BIP-39's 2,048 words: 66 bits


def check_new_passphrase(passphrase: str, *, hints: tuple[str, ...] = ()) -> None:
    """Refuses a passphrase shorter than MIN_PASSPHRASE, or one zxcvbn finds easy to guess (the
    commonest passwords, keyboard walks, repeats, the name): one guess costs a fraction of a
    second, so a list of common passwords is tried within the hour."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise PassphraseUnavailable(f"the passphrase must have at least {MIN_PASSPHRASE} characters")
    from zxcvbn import zxcvbn

    verdict = zxcvbn(passphrase[:100], user_inputs=[h for h in hints if h])  # its cost grows with the length
    if verdict["score"] < MIN_STRENGTH:
        why = (verdict["feedback"]["warning"] or "it is made of common words or patterns").rstrip(".")
        raise PassphraseUnavailable(f"that passphrase is too easy to guess ({why[0].lower() + why[1:]}): "
                                    f"use {SUGGESTED_WORDS} random words, like `{suggest_passphrase()}`")


def suggest_passphrase(words: int = SUGGESTED_WORDS) -> str:
    """Random words from the BIP-39 English list (2,048 words, 11 bits each)."""
    from mnemonic import Mnemonic

    wordlist = Mnemonic("english").wordlist
    return " ".join(wordlist[crypto.random_below(len(wordlist))] for _ in range(words))



def passphrase_from_environment(variable: str = "MJ_PASSPHRASE") -> str | None:
    """MJ_PASSPHRASE, or the output of MJ_PASSPHRASE_COMMAND (for password managers); for a new
    passphrase, `variable` is MJ_NEW_PASSPHRASE (and MJ_NEW_PASSPHRASE_COMMAND)."""
    if variable in os.environ:
        return os.environ[variable]
    command = os.environ.get(f"{variable}_COMMAND")
    if not command:
        return None
    try:
        done = subprocess.run(command, shell=True, capture_output=True, timeout=60, check=False)
    except subprocess.TimeoutExpired:
        raise PassphraseUnavailable(f"{variable}_COMMAND did not answer within 60 seconds") from None
    if done.returncode != 0:
        raise PassphraseUnavailable(f"{variable}_COMMAND failed with exit code {done.returncode}")
    passphrase = done.stdout.decode(errors="replace").rstrip("\r\n")
    if not passphrase:
        raise PassphraseUnavailable(f"{variable}_COMMAND printed no passphrase")
    return passphrase
