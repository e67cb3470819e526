"""Skill by skill, her self-assessments beside her mentors' evaluations, in time order."""

from __future__ import annotations

from typing import Any

from domain import clock


def skills(entries: list[Any]) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """skill -> {"self": [{"day", "rating"}], "mentor": [{"day", "rating", "from"}]}, skills named
    alike (case, spacing) taken as one, under the name first used."""
    found: dict[str, dict[str, list[dict[str, Any]]]] = {}
    names: dict[str, str] = {}
    for e in sorted((e for e in entries if e.kind in ("assessment", "evaluation")), key=lambda e: e.at):
        for skill, rating in e.fields["ratings"].items():
            name = names.setdefault(" ".join(skill.casefold().split()), skill)
            side = found.setdefault(name, {"self": [], "mentor": []})
            point = {"day": clock.local_day(e.at).isoformat(), "rating": rating}
            if e.kind == "evaluation":
                side["mentor"].append(point | {"from": e.fields["from_name"]})
            else:
                side["self"].append(point)
    return found


def as_lines(found: dict[str, dict[str, list[dict[str, Any]]]]) -> list[str]:
    def run(points: list[dict[str, Any]]) -> str:
        return " → ".join(str(p["rating"]) for p in points[-4:]) + f" ({len(points)} rating(s))"

    lines = []
    for skill, sides in found.items():
        parts = [f"you {run(sides['self'])}" if sides["self"] else "you: not yet",
                 f"mentor {run(sides['mentor'])}" if sides["mentor"] else "mentor: not yet"]
        lines.append(f"{skill}: {'; '.join(parts)}")
    return lines
