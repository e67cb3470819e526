"""The bytes of completion: a statement of facts, its three signatures, and the certificate.

    statement   {"format": "mentoring-journal/completion", "version": 1, "mentee": {name, fingerprint},
                 "mentor": {name, fingerprint}, "from", "to", "agreed_months", "norm_minutes",
                 "months", "months_meeting_norm", "meetings", "minutes", "goals_achieved"}
    id          hex(SHA-256(lp("mj/v1/statement-id", canonical(statement))))[:16]
    mentee      Ed25519(mentee, lp("mj/v1/completion-statement", canonical(statement)))
    mentor      Ed25519(mentor, lp("mj/v1/completion-countersign", canonical(statement)))
    certificate {"format": "mentoring-journal/certificate", "version": 1, "statement", "statement_id",
                 "signatures": {"mentee", "mentor"}, "issuer": {name, fingerprint}, "issued_on",
                 "programme": name, "signature": Ed25519(issuer, lp("mj/v1/certificate",
                 canonical(certificate without "signature")))}
    code        the certificate's verification code: base32 of SHA-256(lp("mj/v1/certificate-code",
                canonical(certificate))), its first 80 bits, as XXXX-XXXX-XXXX-XXXX

canonical(x) is JSON with sorted keys, no spaces, UTF-8. A signature is checked against the key
that the fingerprint it is filed under names in the reader's directory (journal/directory.py:
verified, self-signed entries whose fingerprint is their keys'); a statement is read only when
its shape is exactly the one above (`statement_problem`), so nothing else rides along.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import date
from typing import Any, Callable

from domain.limits import LINE_LIMIT
from journal import crypto

STATEMENT, CERTIFICATE = "mentoring-journal/completion", "mentoring-journal/certificate"
_FINGERPRINT = re.compile(r"[0-9a-f]{4}( [0-9a-f]{4}){7}")
_SIGNATURE = re.compile(r"[0-9a-f]{128}")
_ID = re.compile(r"[0-9a-f]{16}")
COUNTS = ("agreed_months", "norm_minutes", "months", "months_meeting_norm", "meetings", "minutes", "goals_achieved")
MAX_COUNT = 10**6


def canonical(document: dict[str, Any]) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def statement_id(statement: dict[str, Any]) -> str:
    return crypto.sha256(crypto.lp("mj/v1/statement-id", canonical(statement))).hex()[:16]


def mentee_message(statement: dict[str, Any]) -> bytes:
    return crypto.lp("mj/v1/completion-statement", canonical(statement))


def mentor_message(statement: dict[str, Any]) -> bytes:
    return crypto.lp("mj/v1/completion-countersign", canonical(statement))


def certificate_message(certificate: dict[str, Any]) -> bytes:
    return crypto.lp("mj/v1/certificate", canonical({k: v for k, v in certificate.items() if k != "signature"}))


def verification_code(certificate: dict[str, Any]) -> str:
    digest = crypto.sha256(crypto.lp("mj/v1/certificate-code", canonical(certificate)))[:10]
    letters = base64.b32encode(digest).decode()
    return "-".join(letters[i:i + 4] for i in range(0, 16, 4))


def _readable(document: Any) -> bool:
    """Whether `document` has canonical bytes at all (a lone surrogate, say, has none)."""
    try:
        canonical(document)
    except (UnicodeEncodeError, TypeError, ValueError, RecursionError):
        return False
    return True


def plain_text(value: Any) -> bool:
    """A line that no screen shows as anything else: no control, format, bidi or surrogate characters."""
    import unicodedata

    return isinstance(value, str) and 0 < len(value) <= LINE_LIMIT and not any(
        unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") for c in value)


def _person_problem(value: Any, role: str) -> str | None:
    from journal.identity import name_problem

    if not isinstance(value, dict) or set(value) != {"name", "fingerprint"}:
        return f"its {role} is not a name and a fingerprint"
    if not plain_text(value["name"]) or name_problem(value["name"]) is not None:
        return f"its {role}'s name is not a name"
    if not isinstance(value["fingerprint"], str) or not _FINGERPRINT.fullmatch(value["fingerprint"]):
        return f"its {role}'s fingerprint is not one"
    return None


def statement_problem(statement: Any) -> str | None:
    """Why this is not a statement of the one shape mj writes, or None."""
    keys = {"format", "version", "mentee", "mentor", "from", "to", *COUNTS}
    if not isinstance(statement, dict) or set(statement) != keys or not _readable(statement):
        return "it is not a completion statement"
    if statement["format"] != STATEMENT or type(statement["version"]) is not int or statement["version"] != 1:
        return "it is not version 1 of a completion statement"
    for role in ("mentee", "mentor"):
        problem = _person_problem(statement[role], role)
        if problem:
            return problem
    try:
        start, end = date.fromisoformat(statement["from"]), date.fromisoformat(statement["to"])
    except (TypeError, ValueError):
        return "its dates are not days"
    if start > end:
        return f"it runs from {start} to an earlier day, {end}"
    for count in COUNTS:
        value = statement[count]
        if type(value) is not int or not 0 <= value <= MAX_COUNT:
            return f"its {count} is not a count"
    if statement["months_meeting_norm"] > statement["months"]:
        return "more months met the norm than it has months"
    return None


def signature_problem(public_key: Any, signature: Any, message: bytes, who: str) -> str | None:
    if not isinstance(signature, str) or not _SIGNATURE.fullmatch(signature):
        return f"the {who}'s signature is missing"
    if not crypto.signature_holds(public_key, bytes.fromhex(signature), message):
        return f"the {who}'s signature does not hold"
    return None


def sign_hex(private_key: Any, message: bytes) -> str:
    return crypto.sign(private_key, message).hex()


def issue(statement: dict[str, Any], mentee_signature: str, mentor_signature: str, issuer: Any, issued_on: date,
          programme: str) -> dict[str, Any]:
    """The certificate, signed by `issuer` (an unlocked identity)."""
    body = {"format": CERTIFICATE, "version": 1, "statement": statement, "statement_id": statement_id(statement),
            "signatures": {"mentee": mentee_signature, "mentor": mentor_signature},
            "issuer": {"name": issuer.name[:LINE_LIMIT], "fingerprint": issuer.fingerprint},
            "issued_on": issued_on.isoformat(), "programme": programme}
    return body | {"signature": sign_hex(issuer.signing_key, certificate_message(body))}


def certificate_problems(certificate: Any, person: Callable[[str], Any]) -> list[str]:
    """Every reason this certificate does not verify (none: it does). `person(fingerprint)` is
    the reader's verified directory entry for it, or None."""
    keys = {"format", "version", "statement", "statement_id", "signatures", "issuer", "issued_on", "programme",
            "signature"}
    if not isinstance(certificate, dict) or set(certificate) != keys or certificate["format"] != CERTIFICATE \
            or type(certificate["version"]) is not int or certificate["version"] != 1 or not _readable(certificate):
        return ["it is not a version 1 mentoring-journal certificate"]
    statement = certificate["statement"]
    problem = statement_problem(statement)
    if problem:
        return [f"the statement it certifies is not one: {problem}"]
    problems = []
    if certificate["statement_id"] != statement_id(statement):
        problems.append("the statement's id is not the statement's: it was altered")
    issuer = certificate["issuer"]
    problem = _person_problem(issuer, "issuer")
    if problem:
        return problems + [problem]
    if not plain_text(certificate["programme"]):
        return problems + ["its programme is not a name"]
    try:
        date.fromisoformat(certificate["issued_on"])
    except (TypeError, ValueError):
        return problems + ["its day of issue is not a day"]
    signatures = certificate["signatures"] if isinstance(certificate["signatures"], dict) else {}
    for who, fingerprint, message, role, signature in (
            ("mentee", statement["mentee"]["fingerprint"], mentee_message(statement), "mentee",
             signatures.get("mentee")),
            ("mentor", statement["mentor"]["fingerprint"], mentor_message(statement), "mentor",
             signatures.get("mentor")),
            ("issuer", issuer["fingerprint"], certificate_message(certificate), "manager", certificate["signature"])):
        found = person(fingerprint)
        if found is None:
            problems.append(f"the {who}'s key ({fingerprint}) is not in this store's directory: unknown signer")
            continue
        if found.role != role:
            problems.append(f"the {who}'s key ({fingerprint}) is a {found.role}'s, not a {role}'s")
            continue
        named = (statement[who] if who != "issuer" else issuer)["name"]
        if named != found.name:
            problems.append(f"it names the {who} {named!r}, but that key is {found.name!r}'s")
        problem = signature_problem(found.signing_key, signature, message, who)
        if problem:
            problems.append(problem)
    return problems
