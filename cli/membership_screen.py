"""`mj program status` on screen: per programme she joined, one line per closed month with what
her client sent (or sends) for it. Programme names and refusals come from others: through esc."""

from __future__ import annotations

from typing import Any

from cli.output import esc


def status_lines(statuses: list[Any]) -> list[str]:
    if not statuses:
        return []
    lines: list[str] = []
    width = max(len(m.state) for s in statuses for m in s.months) if any(s.months for s in statuses) else 0
    for status in statuses:
        left = f", left {status.left}" if status.left else ""
        lines.append(f"{esc(status.programme, markup=False)} (joined {status.joined}{left})")
        if status.refused:
            lines.append(f"  {esc(status.refused, markup=False)}")
        if not status.months:
            lines.append("  no closed month yet")
        for month in status.months:
            figures = " ".join(f"{name}={'-' if value is None else value}"
                               for name, value in (month.figures or {}).items())
            lines.append(f"  {month.period}  {month.state:<{width}}  {figures}")
    return lines
