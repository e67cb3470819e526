"""Small, self-contained SVG charts: crisp in print, scale to a phone, need no library or network.

Every text that came from the journal is escaped here; the template inserts these as-is.
"""

from __future__ import annotations

from datetime import date, timedelta
from html import escape

KIND_GROUPS = [("check-ins", ("checkin",), "#3b82c4"),
               ("goals & progress", ("goal", "progress", "achieved", "dropped"), "#2f9e44"),
               ("milestones", ("milestone", "reached"), "#e8a317"),
               ("meetings & actions", ("meeting", "done"), "#7048e8"),
               ("reflection", ("aspiration", "feedback", "assessment"), "#c2255c")]
VERDICT_COLOUR = {"achieved": "#2f9e44", "target reached": "#2f9e44", "on track": "#37b24d",
                  "behind": "#f08c00", "stalled": "#e03131", "not started": "#868e96", "dropped": "#adb5bd"}


def _svg(width: int, height: int, body: list[str], label: str) -> str:
    return (f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}" '
            f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMinYMin meet">'
            f'<title>{escape(label)}</title>{"".join(body)}</svg>')


def _text(x: float, y: float, text: str, *, size: int = 11, anchor: str = "start", fill: str = "#333",
          weight: str = "normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}" '
            f'font-weight="{weight}">{escape(text)}</text>')


def activity_chart(weeks: list[tuple[str, dict[str, int]]]) -> str:
    """Stacked bars: records per week, coloured by kind."""
    width, height, left, bottom, top = 640, 220, 34, 40, 28
    if not weeks:
        return _svg(width, 60, [_text(10, 30, "No records yet.")], "Activity by week")
    totals = [sum(c.values()) for _, c in weeks]
    peak = max(max(totals), 1)
    slot = (width - left - 10) / len(weeks)
    scale = (height - bottom - top) / peak
    body = [f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" stroke="#999"/>',
            _text(left - 6, top + 4, str(peak), anchor="end", size=10),
            _text(left - 6, height - bottom, "0", anchor="end", size=10)]
    for i, (label, counts) in enumerate(weeks):
        x, y = left + i * slot + slot * 0.15, height - bottom
        for name, kinds, colour in KIND_GROUPS:
            n = sum(counts.get(k, 0) for k in kinds)
            if n:
                h = n * scale
                y -= h
                body.append(f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" '
                            f'fill="{colour}"><title>{escape(label)}: {n} {escape(name)}</title></rect>')
        if len(weeks) <= 12 or i % max(len(weeks) // 12, 1) == 0:
            body.append(_text(x + slot * 0.35, height - bottom + 14, label[-3:], anchor="middle", size=10))
    legend_x = left
    for name, _, colour in KIND_GROUPS:
        body.append(f'<rect x="{legend_x}" y="6" width="10" height="10" fill="{colour}"/>')
        body.append(_text(legend_x + 14, 15, name, size=10))
        legend_x += 14 + 7 * len(name) + 14
    return _svg(width, height, body, "Activity by week")


def progress_bars(groups: list[tuple[str, list]]) -> str:
    """One bar per goal (done fraction), a tick where time says it should be, grouped by aspiration."""
    width, row, left = 640, 30, 10
    rows = sum(len(goals) + 1 for _, goals in groups) or 1
    body, y = [], 8
    for title, goals in groups:
        body.append(_text(left, y + 14, title, weight="bold", fill="#5f3dc4", size=12))
        y += row
        for g in goals:
            fraction = g.done_fraction or 0.0
            colour = VERDICT_COLOUR[g.verdict]
            label = g.text if len(g.text) <= 46 else g.text[:45] + "…"
            body.append(_text(left + 8, y + 10, label, size=11))
            bar_x, bar_w = 340, 200
            body.append(f'<rect x="{bar_x}" y="{y}" width="{bar_w}" height="12" rx="3" fill="#e9ecef"/>')
            body.append(f'<rect class="bar" x="{bar_x}" y="{y}" width="{bar_w * fraction:.1f}" height="12" rx="3" '
                        f'fill="{colour}"><title>{escape(g.text)}: {fraction:.0%} done</title></rect>')
            tick = bar_x + bar_w * g.time_fraction
            body.append(f'<line x1="{tick:.1f}" y1="{y - 3}" x2="{tick:.1f}" y2="{y + 15}" stroke="#212529" '
                        f'stroke-width="2"><title>{g.time_fraction:.0%} of the time used</title></line>')
            body.append(_text(bar_x + bar_w + 8, y + 10, g.verdict, size=11, fill=colour, weight="bold"))
            y += row
    return _svg(width, max(y + 4, rows * row), body, "Goal progress by aspiration")


def mood_chart(mood: list[tuple[date, float]], confidence: list[tuple[date, float]]) -> str:
    """Mood and confidence, 1 to 5, over time."""
    width, height, left, bottom, top = 640, 200, 30, 30, 24
    days = [d for d, _ in mood + confidence]
    if not days:
        return _svg(width, 60, [_text(10, 30, "No moods or confidence ratings yet.")], "Mood and confidence")
    first, last = min(days), max(days)
    span = max((last - first).days, 1)
    x_of = lambda d: left + (width - left - 10) * (d - first).days / span  # noqa: E731
    y_of = lambda v: height - bottom - (height - bottom - top) * (v - 1) / 4  # noqa: E731
    body = []
    for level in range(1, 6):
        body.append(f'<line x1="{left}" y1="{y_of(level):.1f}" x2="{width - 10}" y2="{y_of(level):.1f}" '
                    f'stroke="#eee"/>')
        body.append(_text(left - 6, y_of(level) + 4, str(level), anchor="end", size=10))
    for name, series, colour in (("mood", mood, "#3b82c4"), ("confidence", confidence, "#c2255c")):
        if series:
            points = " ".join(f"{x_of(d):.1f},{y_of(v):.1f}" for d, v in series)
            body.append(f'<polyline class="line" points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>')
            body += [f'<circle cx="{x_of(d):.1f}" cy="{y_of(v):.1f}" r="3" fill="{colour}">'
                     f'<title>{d}: {name} {v:g}</title></circle>' for d, v in series]
    body.append(_text(left, height - 8, str(first), size=10))
    body.append(_text(width - 10, height - 8, str(last), anchor="end", size=10))
    body.append(f'<rect x="{width - 190}" y="4" width="10" height="10" fill="#3b82c4"/>')
    body.append(_text(width - 176, 13, "mood", size=10))
    body.append(f'<rect x="{width - 130}" y="4" width="10" height="10" fill="#c2255c"/>')
    body.append(_text(width - 116, 13, "confidence", size=10))
    return _svg(width, height, body, "Mood and confidence")


def milestone_axis(milestones: list[tuple[str, date, bool]], today: date) -> str:
    """Milestones on a time axis: filled when reached, hollow at their due date when not yet."""
    width, height, left = 640, 120, 20
    if not milestones:
        return _svg(width, 60, [_text(10, 30, "No milestones yet.")], "Milestones over time")
    days = [d for _, d, _ in milestones] + [today]
    first, last = min(days) - timedelta(days=2), max(days) + timedelta(days=2)
    span = (last - first).days
    x_of = lambda d: left + (width - 2 * left) * (d - first).days / span  # noqa: E731
    axis_y = 60
    body = [f'<line x1="{left}" y1="{axis_y}" x2="{width - left}" y2="{axis_y}" stroke="#999"/>',
            f'<line x1="{x_of(today):.1f}" y1="{axis_y - 30}" x2="{x_of(today):.1f}" y2="{axis_y + 30}" '
            f'stroke="#e03131" stroke-dasharray="3,3"/>',
            _text(x_of(today), axis_y + 44, "today", anchor="middle", size=10, fill="#e03131"),
            _text(left, height - 4, str(first + timedelta(days=2)), size=10),
            _text(width - left, height - 4, str(last - timedelta(days=2)), anchor="end", size=10)]
    for i, (text, day, reached) in enumerate(sorted(milestones, key=lambda m: m[1])):
        x, dy = x_of(day), -16 if i % 2 == 0 else 16
        fill = "#e8a317" if reached else "white"
        body.append(f'<circle class="milestone" cx="{x:.1f}" cy="{axis_y}" r="6" fill="{fill}" stroke="#e8a317" '
                    f'stroke-width="2"><title>{escape(text)}: {"reached" if reached else "due"} {day}</title></circle>')
        short = text if len(text) <= 22 else text[:21] + "…"
        body.append(_text(x, axis_y + dy + (4 if dy > 0 else 0), short, anchor="middle", size=9))
    return _svg(width, height, body, "Milestones over time")


def period_bars(title: str, rows: list[tuple[str, float | None]], *, colour: str = "#5f3dc4",
                scale: tuple[float, float] | None = None, intervals: list[float | None] | None = None) -> str:
    """One bar per period on an axis that starts where its scale starts: `scale` for a bounded
    figure (1 to 5 for a rating, 0 to 1 for a share), else 0 to the largest value. A suppressed
    period is a hatched box labelled "suppressed", never a gap that would read as zero. With
    `intervals` (a half-width per row, or None), each bar carries a whisker of value ± half-width."""
    width, height, left, bottom, top = 640, 180, 40, 30, 20
    if not rows:
        return _svg(width, 60, [_text(10, 30, "No released periods yet.")], title)
    halves = intervals or [None] * len(rows)
    low, high = scale or (0, max([v + (h or 0) for (_, v), h in zip(rows, halves, strict=True) if v is not None] + [1]))
    y_of = lambda v: height - bottom - (height - bottom - top) * (min(max(v, low), high) - low) / (high - low)  # noqa: E731
    ticks = range(int(low), int(high) + 1) if scale and high - low > 1 else (low, (low + high) / 2, high)
    hatch = "hatch-" + "".join(c if c.isalnum() else "-" for c in title.lower())
    body = [f'<defs><pattern id="{hatch}" width="6" height="6" patternUnits="userSpaceOnUse" '
            f'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#ced4da" '
            f'stroke-width="2"/></pattern></defs>']
    for tick in ticks:
        body.append(f'<line x1="{left}" y1="{y_of(tick):.1f}" x2="{width - 10}" y2="{y_of(tick):.1f}" '
                    f'stroke="{"#999" if tick == low else "#eee"}"/>')
        body.append(f'<text class="tick" data-value="{tick:g}" x="{left - 6}" y="{y_of(tick) + 4:.1f}" '
                    f'font-size="10" text-anchor="end" fill="#333">{tick:g}</text>')
    slot = (width - left - 10) / len(rows)
    every = max(len(rows) // 12, 1)  # beyond a year of months, label every few so labels never collide
    for i, ((period, value), half) in enumerate(zip(rows, halves, strict=True)):
        x, bar_w = left + i * slot + slot * 0.15, slot * 0.7
        middle = x + bar_w / 2
        if value is None:
            label_y = (top + height - bottom) / 2
            turn = f' transform="rotate(-90 {middle:.1f} {label_y:.1f})"' if bar_w < 56 else ""
            body.append(f'<g class="suppressed" data-period="{escape(period)}"><title>{escape(period)}: suppressed'
                        f'</title><rect x="{x:.1f}" y="{top}" width="{bar_w:.1f}" height="{height - bottom - top}" '
                        f'fill="url(#{hatch})" stroke="#adb5bd" stroke-dasharray="4,3"/>'
                        f'<text class="suppressed-label" x="{middle:.1f}" y="{label_y + 4:.1f}" font-size="10" '
                        f'text-anchor="middle" fill="#495057"{turn}>suppressed</text></g>')
        else:
            y = y_of(value)
            body.append(f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{y_of(low) - y:.1f}" '
                        f'fill="{colour}"><title>{escape(period)}: {value:g}</title></rect>')
            label_y, label = y, f"{value:g}"
            if half:
                high_y, low_y = y_of(value + half), y_of(value - half)
                cap = min(bar_w / 4, 8)
                body.append(f'<path class="interval" d="M{middle:.1f} {high_y:.1f}V{low_y:.1f}'
                            f'M{middle - cap:.1f} {high_y:.1f}h{2 * cap:.1f}M{middle - cap:.1f} {low_y:.1f}'
                            f'h{2 * cap:.1f}" stroke="#212529" stroke-width="1.5" fill="none">'
                            f'<title>{escape(period)}: {value:g} ± {half:g} (95%)</title></path>')
                label_y = min(y, high_y)
                label = f"{value:g} ± {half:g}" if slot >= 90 else label  # else the labels would collide
            body.append(_text(middle, label_y - 4, label, anchor="middle", size=10))
        if i % every == 0:
            body.append(_text(middle, height - bottom + 14, period, anchor="middle", size=10))
    return _svg(width, height, body, title)
