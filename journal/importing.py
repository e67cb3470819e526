"""Moving records in: an export of this tool (projections/export.py), or check-ins from jrnl
(journal/jrnl.py), written through the journal's own verbs so that every rule of a record typed
today holds for a record moved in, in one transaction: all of the file or none of it.

Ids are renumbered (a record's new id is the journal's own), links follow them. A record is
known by a content hash of its kind, moment and fields, links hashed by what they point to: one
already in the journal is not written again, so a second import of the same file adds nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from domain.errors import RuleBroken
from journal import crypto
from journal.errors import JournalError

MAX_BYTES = 64 * 2**20
# The export's schema (projections/export.py writes it; described there and in the README).
SCHEMA, VERSION = "mentoring-journal/export", 1
RECORD_KINDS = ("checkin", "aspiration", "goal", "progress", "achieved", "dropped", "milestone", "reached",
                "meeting", "done", "feedback", "assessment", "summary", "mentor-feedback", "mentor", "mentor-ended",
                "concern", "agenda", "evaluation", "completion", "countersigned")
LINKS = ("aspiration_id", "goal_id", "milestone_id", "action_id", "about")
_NOT_CONTENT = {"id", "recorded", "version", "amended", "versions", "unverified"}


@dataclass
class Imported:
    written: int = 0
    already: int = 0
    unlinked: int = 0  # records whose link names a record neither in the file nor in the journal
    ids: dict[str, str] = field(default_factory=dict)  # id in the file -> id in the journal


def read_limited(path: Any) -> bytes:
    """The file's bytes, refused in one line when it is too large to be an export."""
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_BYTES + 1)
    except OSError as error:
        raise JournalError(f"cannot read {path}: {error.strerror}") from None
    if len(data) > MAX_BYTES:
        raise JournalError(f"{path} is larger than {MAX_BYTES // 2**20} MiB: it is not an export of one journal")
    return data


def read_export(data: bytes, name: str) -> list[dict[str, Any]]:
    """The records of an export document, its shape checked; the verbs check each record."""
    try:
        document = json.loads(data)
    except RecursionError:
        raise JournalError(f"{name} is nested too deeply to be an export of mj") from None
    except (ValueError, UnicodeDecodeError) as error:
        where = f" (line {error.lineno}, column {error.colno})" if isinstance(error, json.JSONDecodeError) else ""
        raise JournalError(f"{name} is not JSON{where}: it is not an export of mj") from None
    if not isinstance(document, dict) or document.get("schema") != SCHEMA:
        raise JournalError(f"{name} is not an export of mj (it has no \"schema\": \"{SCHEMA}\")")
    if document.get("version") != VERSION:
        raise JournalError(f"{name} is an export of version {document.get('version')!r}; this mj reads version "
                           f"{VERSION}: upgrade mj")
    records = document.get("records")
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise JournalError(f"{name} has no list of records")
    for number, record in enumerate(records, 1):
        if record.get("kind") not in RECORD_KINDS or not isinstance(record.get("id"), str):
            raise JournalError(f"record {number} of {name} is not a record of a kind mj imports "
                               f"({str(record.get('kind'))[:20]!r})")
        if problem := _shape_problem(record):
            raise JournalError(f"record {number} of {name} ({record['kind']} {record['id'][:8]}) is malformed: "
                               f"{problem}")
    return records


def _shape_problem(record: dict[str, Any]) -> str | None:
    """What the verbs cannot be trusted to refuse in one line: links, action lists, summaries,
    moments of the wrong type. (Each field's own rules are the verbs'.)"""
    for link in LINKS:
        if record.get(link) is not None and not isinstance(record[link], str):
            return f"its {link!r} is not an id"
    for key in ("at", "recorded", "sent_at"):
        if record.get(key) is not None and not isinstance(record[key], str):
            return f"its {key!r} is not a time"
    actions = record.get("actions")
    if actions is not None and not (isinstance(actions, list) and all(
            isinstance(a, dict) and isinstance(a.get("id"), str) and isinstance(a.get("text"), str) for a in actions)):
        return "its 'actions' are not a list of {id, text}"
    if record.get("summary") is not None and not isinstance(record["summary"], dict):
        return "its 'summary' is not an object"
    return None


def content_hash(record: dict[str, Any], hash_of: dict[str, str]) -> str:
    fields = {k: v for k, v in record.items() if k not in _NOT_CONTENT}
    for link in LINKS:
        if fields.get(link):
            fields[link] = hash_of.get(fields[link], "unlinked:" + str(fields[link]))
    if record["kind"] == "meeting":
        fields["actions"] = [a.get("text") for a in fields.get("actions", ()) if isinstance(a, dict)]
        fields["discussed"] = [hash_of.get(d, "unlinked:" + str(d)) for d in fields.get("discussed") or ()]
    if record["kind"] == "summary":
        fields["summary"] = _renamed(fields.get("summary"), hash_of)
    fields["at"] = _moment(record, "at").isoformat()
    return crypto.sha256(json.dumps(fields, sort_keys=True, default=str).encode()).hex()


def known_hashes(entries: list[Any]) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    """(id -> content hash, content hash -> record) of the journal's live records."""
    hash_of, by_hash = {}, {}
    for entry in entries:
        record = entry.as_json()
        digest = hash_of[entry.id] = content_hash(record, hash_of)
        by_hash.setdefault(digest, record)
        for n, action in enumerate(record.get("actions") or ()):
            hash_of[action["id"]] = f"{digest}/{n}"
    return hash_of, by_hash


def import_records(journal: Any, records: list[dict[str, Any]], hash_of: dict[str, str],
                   by_hash: dict[str, dict[str, Any]]) -> Imported:
    """The verb app.update runs: each record through its verb, at the moment it was written."""
    from domain.journal import WRITTEN_AT

    # Copies: update() runs this again after a lost race, and must find the maps as they were.
    done, hash_of, by_hash = Imported(), dict(hash_of), dict(by_hash)
    for number, record in enumerate(records, 1):
        try:
            digest = content_hash(record, hash_of)
        except (TypeError, ValueError, RecursionError) as error:
            raise RuleBroken(f"record {number} ({record['kind']} {record['id'][:8]}) is malformed: "
                             f"{type(error).__name__}") from None
        hash_of[record["id"]] = digest
        actions = [a for a in record.get("actions") or () if isinstance(a, dict)]
        for n, action in enumerate(actions):
            hash_of[str(action.get("id"))] = f"{digest}/{n}"
        same = by_hash.get(digest)
        if same is not None:  # already here: links to it lead to the one here
            done.already += 1
            done.ids[record["id"]] = same["id"]
            done.ids |= {str(a.get("id")): b["id"] for a, b in zip(actions, same.get("actions") or (), strict=False)}
            continue
        if any(record.get(link) and record[link] not in done.ids for link in LINKS):
            done.unlinked += 1
            continue
        token = WRITTEN_AT.set(_moment(record, "recorded") if record.get("recorded") else None)
        try:
            new_id = _write(journal, record, done.ids)
        except RuleBroken as error:
            raise RuleBroken(f"record {number} ({record['kind']} {record['id'][:8]}): {error}") from None
        except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as error:
            raise RuleBroken(f"record {number} ({record['kind']} {record['id'][:8]}) is malformed: "
                             f"{type(error).__name__} {str(error)[:80]}") from None
        finally:
            WRITTEN_AT.reset(token)
        done.ids[record["id"]] = new_id
        by_hash[digest] = {**record, "id": new_id}
        if actions:
            written = journal.pending_events[-1].actions
            done.ids |= {str(a.get("id")): b.id for a, b in zip(actions, written, strict=False)}
            by_hash[digest]["actions"] = [{"id": b.id, "text": b.text} for b in written]
        done.written += 1
    return done


def _write(journal: Any, r: dict[str, Any], ids: dict[str, str]) -> str:
    at = _moment(r, "at")
    link = lambda key: ids[r[key]] if r.get(key) else None  # noqa: E731
    day = lambda key: date.fromisoformat(r[key]) if r.get(key) else None  # noqa: E731
    verbs: dict[str, Callable[[], str]] = {
        "checkin": lambda: journal.check_in(r["text"], mood=r.get("mood"), confidence=r.get("confidence"),
                                            tags=r.get("tags") or (), at=at),
        "aspiration": lambda: journal.state_aspiration(r["text"], why=r.get("why"), horizon=day("horizon"), at=at),
        "goal": lambda: journal.set_goal(r["text"], measure=r["measure"], due=day("due"), target=r.get("target"),
                                         aspiration_id=link("aspiration_id"), at=at),
        "progress": lambda: journal.progress_goal(link("goal_id"), r["value"], note=r.get("note"), at=at),
        "achieved": lambda: journal.achieve_goal(link("goal_id"), note=r.get("note"), at=at),
        "dropped": lambda: journal.drop_goal(link("goal_id"), reason=r["reason"], at=at),
        "milestone": lambda: journal.add_milestone(link("goal_id"), r["text"], due=day("due"), at=at),
        "reached": lambda: journal.reach_milestone(link("milestone_id"), evidence=r.get("evidence"), at=at),
        "meeting": lambda: journal.log_meeting(minutes=r["minutes"], focus=r["focus"], concerns=r.get("concerns") or (),
                                               next_focus=r.get("next_focus"), rating=r.get("rating"), at=at,
                                               actions=[a["text"] for a in r.get("actions") or ()],
                                               mentor=r.get("mentor_fingerprint"), infer_mentor=False,
                                               discussed=[ids[d] for d in r.get("discussed") or () if d in ids]),
        "evaluation": lambda: journal.receive_evaluation(
            message_id=r["message_id"], from_name=r["from_name"], from_fingerprint=r["from_fingerprint"],
            ratings=r["ratings"], note=r.get("note"), sent_at=_moment(r, "sent_at"), at=at, unverified=True),
        "concern": lambda: journal.note_concern(r["text"], at=at),
        "completion": lambda: journal.send_completion(r["statement_id"], r["statement"], r["signature"],
                                                      to_name=r["to_name"], to_fingerprint=r["to_fingerprint"],
                                                      stage=r["stage"], at=at),
        "countersigned": lambda: journal.receive_countersignature(
            statement_id=r["statement_id"], message_id=r["message_id"], from_name=r["from_name"],
            from_fingerprint=r["from_fingerprint"], signature=r["signature"], sent_at=_moment(r, "sent_at"), at=at,
            unverified=True),
        "agenda": lambda: journal.publish_agenda(_renamed(r["agenda"], ids), at=at),
        "done": lambda: journal.complete_action(link("action_id"), at=at),
        "feedback": lambda: journal.add_feedback(r["text"], about=link("about"), at=at),
        "assessment": lambda: journal.assess_self(r["ratings"], note=r.get("note"), at=at),
        "summary": lambda: journal.publish_summary(_renamed(r["summary"], ids), start=day("start"), end=day("end"),
                                                   goal_id=link("goal_id"), at=at),
        "mentor-feedback": lambda: journal.receive_feedback(
            message_id=r["message_id"], from_name=r["from_name"], from_fingerprint=r["from_fingerprint"],
            text=r["text"], about=link("about"), sent_at=_moment(r, "sent_at"), at=at, unverified=True),
        "mentor": lambda: journal.add_mentor(r["mentor_fingerprint"], r["mentor_name"], start=day("start"),
                                             months=r["months"], norm=r["norm"], at=at),
        "mentor-ended": lambda: journal.end_mentor(r["mentor_fingerprint"], r["mentor_name"], reason=r.get("reason"),
                                                   at=at),
    }
    return verbs[r["kind"]]()


def _moment(record: dict[str, Any], key: str) -> datetime:
    value = record.get(key)
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise RuleBroken(f"record {str(record.get('id'))[:8]}: its {key!r} is not a time with its zone")
    return moment


def _renamed(value: Any, ids: dict[str, str]) -> Any:
    """`value` with every string that is a known id replaced by what it maps to."""
    if isinstance(value, str):
        return ids.get(value, value)
    if isinstance(value, list):
        return [_renamed(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _renamed(v, ids) for k, v in value.items()}
    return value
