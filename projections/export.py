"""Her journal as a file she can keep or move: a versioned JSON document and a Markdown diary.

The JSON document, schema `mentoring-journal/export` version 1:

    {"schema": "mentoring-journal/export", "version": 1,
     "exported_at": "2026-12-03T09:00:00+00:00", "owner": "Ada Lovelace",
     "records": [{"id": "<32 hex>", "kind": "checkin", "at": "<ISO time, with its zone>",
                  "recorded": "<ISO time it was written>", ...the kind's own fields...}, ...]}

Records are her live records in their latest versions, in the order first written, of the kinds
in RECORD_KINDS (records of sharing and of programmes name keys and grants that do not move
with her). Their fields are those of `mj show ID --json`: links are ids of records in the same
file (`aspiration_id`, `goal_id`, `milestone_id`, `action_id`, `about`, a meeting's `actions[].id`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from domain import clock
from journal.importing import RECORD_KINDS, SCHEMA, VERSION

_NOT_EXPORTED = {"version", "amended", "versions"}  # where it sits in this store, and its corrections


def export_document(owner: str, entries: Iterable[Any], *, now: datetime | None = None) -> dict[str, Any]:
    records = [{k: v for k, v in e.as_json().items() if k not in _NOT_EXPORTED} for e in entries
               if e.kind in RECORD_KINDS]
    return {"schema": SCHEMA, "version": VERSION, "exported_at": (now or clock.now()).isoformat(),
            "owner": owner, "records": records}


def as_json_text(document: dict[str, Any]) -> str:
    """The document with one record a line: readable, diffable, and written by json's C encoder
    (`indent` would fall back to its pure-Python one, five times slower on 10,000 records)."""
    head = {k: v for k, v in document.items() if k != "records"}
    lines = [json.dumps(r, ensure_ascii=False) for r in document["records"]]
    return (json.dumps(head, ensure_ascii=False)[:-1] + ', "records": [\n'
            + ",\n".join(lines) + ("\n" if lines else "") + "]}\n")


# -- Markdown ---------------------------------------------------------------------------

WORDS = {"checkin": "Check-in", "aspiration": "Aspiration", "goal": "Goal", "progress": "Progress",
         "achieved": "Goal achieved", "dropped": "Goal dropped", "milestone": "Milestone",
         "reached": "Milestone reached", "meeting": "Meeting", "done": "Action done", "feedback": "Feedback",
         "assessment": "Self-assessment", "summary": "Summary", "mentor-feedback": "Feedback from a mentor",
         "mentor": "Mentor agreed", "mentor-ended": "Relationship ended", "concern": "Concern noted",
         "agenda": "Agenda", "evaluation": "Evaluation by a mentor", "completion": "Completion statement sent",
         "countersigned": "Completion statement countersigned"}


def as_markdown(document: dict[str, Any]) -> str:
    """A diary: one section per local day, each record under its time and kind."""
    records = document["records"]
    titles = {r["id"]: r.get("text") or r.get("focus") or "" for r in records}
    titles |= {a["id"]: a["text"] for r in records if r["kind"] == "meeting" for a in r["actions"]}
    done = {r["action_id"] for r in records if r["kind"] == "done"}
    lines = [f"# The journal of {_line(document['owner'])}", "",
             f"Exported {document['exported_at'][:16].replace('T', ' ')}: {len(records)} records. "
             "This file is plaintext.", ""]
    day = None
    for r in sorted(records, key=lambda r: datetime.fromisoformat(r["at"])):
        at = datetime.fromisoformat(r["at"]).astimezone()
        if at.date() != day:
            day = at.date()
            lines += [f"## {day:%Y-%m-%d, %A}", ""]
        lines += [f"### {at:%H:%M} · {WORDS[r['kind']]}" + _headline(r, titles), ""]
        body = _body(r, done)
        lines += [*body, ""] if body else []
    return "\n".join(lines).rstrip() + "\n"


def _line(text: Any) -> str:
    return " ".join(str(text).split())


def _ref(titles: dict[str, str], entry_id: str | None) -> str:
    return f" “{_line(titles.get(entry_id, entry_id or ''))[:60]}”" if entry_id else ""


def _headline(r: dict[str, Any], titles: dict[str, str]) -> str:
    kind = r["kind"]
    if kind == "checkin":
        marks = [f"mood {r['mood']}/5" if r.get("mood") else "", f"confidence {r['confidence']}/5"
                 if r.get("confidence") else ""]
        return "".join(f" · {m}" for m in marks if m)
    if kind in ("progress", "achieved", "dropped", "milestone"):
        return " ·" + _ref(titles, r["goal_id"])
    if kind == "reached":
        return " ·" + _ref(titles, r["milestone_id"])
    if kind == "done":
        return " ·" + _ref(titles, r["action_id"])
    if kind == "meeting":
        return f" · {r['minutes']} min" + (f" · rated {r['rating']}/5" if r.get("rating") else "")
    if kind in ("mentor-feedback", "evaluation"):
        return f" · {_line(r['from_name'])}"
    if kind in ("mentor", "mentor-ended"):
        return f" · {_line(r['mentor_name'])}"
    if kind == "completion":
        return f" · {r['statement_id']} to {_line(r['to_name'])}"
    if kind == "countersigned":
        return f" · {r['statement_id']} by {_line(r['from_name'])}"
    return ""


def _body(r: dict[str, Any], done: set[str]) -> list[str]:
    kind, out = r["kind"], []
    if kind == "meeting":
        out += [f"- Concern: {_line(c)}" for c in r["concerns"]]
        out += [f"- **Focus:** {_line(r['focus'])}"]
        out += [f"- Next focus: {_line(r['next_focus'])}"] if r.get("next_focus") else []
        out += [f"- [{'x' if a['id'] in done else ' '}] {_line(a['text'])}" for a in r["actions"]]
        return out
    if kind == "goal":
        target = f", target {r['target']:g}" if r.get("target") is not None else ""
        out += [r["text"], "", f"Measured by {_line(r['measure'])}{target}, due {r['due']}."]
    elif kind == "progress":
        out += [f"Now at {r['value']:g}."] + ([r["note"]] if r.get("note") else [])
    elif kind in ("assessment", "evaluation"):
        out += [f"- {_line(skill)}: {n}/5" for skill, n in r["ratings"].items()]
        out += [r["note"]] if r.get("note") else []
    elif kind == "summary":
        out += [f"Summary of {r['start']} to {r['end']}."]
    elif kind == "mentor":
        out += [f"From {r['start']}, for {r['months']} months, meeting at least {r['norm']} minutes a month."]
    else:
        out += [r[key] for key in ("text", "why", "note", "reason", "evidence") if r.get(key)]
        out += [f"Hoped for by {r['horizon']}."] if r.get("horizon") else []
        out += [f"Due {r['due']}."] if kind == "milestone" and r.get("due") else []
    if r.get("tags"):
        out += ["", " ".join(f"#{t}" for t in r["tags"])]
    return out
