"""A certificate as a page (HTML) and as a PDF, each made only from the certificate it carries, so
that `mj certificate verify` can make it again and compare every byte.

The HTML carries the certificate as canonical JSON in `<script type="application/json"
id="mj-certificate">` (with `<`, `>` and `&` written as JSON escapes, so no name can close the
element); the PDF carries it base64-encoded in its Subject. Both are deterministic: the same
certificate gives the same bytes (ReportLab's invariant mode: no dates, no random ids).
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
from typing import Any

from journal.completion import canonical, verification_code

_HTML_OPEN, _HTML_CLOSE = b'<script type="application/json" id="mj-certificate">', b"</script>"
_PDF_MARK = re.compile(rb"mj-certificate:([A-Za-z0-9+/=]{1,65536})")
MAX_FILE = 1024 * 1024


class NotACertificate(Exception):
    pass


def _counted(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _lines(c: dict[str, Any]) -> dict[str, str]:
    s = c["statement"]
    programme = f" for {c['programme']}"
    return {"title": "Certificate of completion",
            "who": s["mentee"]["name"],
            "what": f"completed a mentoring relationship with {s['mentor']['name']}",
            "when": f"from {s['from']} to {s['to']} ({s['agreed_months']} months agreed)",
            "rhythm": f"{_counted(s['months'], 'month')}, {s['months_meeting_norm']} of them meeting the norm of "
                      f"{s['norm_minutes']} minutes; {_counted(s['meetings'], 'meeting')}, {s['minutes']} minutes "
                      "in all",
            "goals": f"{_counted(s['goals_achieved'], 'goal')} achieved",
            "issued": f"Issued by {c['issuer']['name']}{programme} on {c['issued_on']}",
            "code": f"Verification code {verification_code(c)}",
            "keys": f"Mentee {s['mentee']['fingerprint']} · mentor {s['mentor']['fingerprint']} · "
                    f"issuer {c['issuer']['fingerprint']}",
            "check": "Check it with: mj certificate verify FILE"}


def _embedded(c: dict[str, Any]) -> str:
    text = canonical(c).decode()
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def render_html(c: dict[str, Any]) -> bytes:
    t = {k: html.escape(v) for k, v in _lines(c).items()}
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{t['title']}: {t['who']}</title>
<style>
body {{ font-family: Georgia, 'Times New Roman', serif; background: #f4f1ea; margin: 0; padding: 2rem 1rem; }}
main {{ max-width: 46rem; margin: auto; background: #fffdf8; border: 6px double #7a5c2e; padding: 2.5rem 2rem;
       text-align: center; color: #2b2118; }}
h1 {{ font-variant: small-caps; letter-spacing: .08em; color: #7a5c2e; margin-top: 0; }}
.who {{ font-size: 2rem; margin: 1.2rem 0 .4rem; }}
.facts {{ margin: 1.2rem 0; line-height: 1.6; }}
.code {{ font-family: ui-monospace, monospace; font-size: 1.1rem; letter-spacing: .06em; margin-top: 1.5rem; }}
.keys, .check {{ font-size: .8rem; color: #6b5d4f; overflow-wrap: anywhere; }}
</style></head>
<body><main>
<h1>{t['title']}</h1>
<p>This certifies that</p>
<p class="who">{t['who']}</p>
<p>{t['what']}</p>
<p>{t['when']}</p>
<p class="facts">{t['rhythm']}<br>{t['goals']}</p>
<p>{t['issued']}</p>
<p class="code">{t['code']}</p>
<p class="keys">{t['keys']}</p>
<p class="check">{t['check']}</p>
</main>
<script type="application/json" id="mj-certificate">{_embedded(c)}</script>
</body></html>
"""
    return page.encode()


def render_pdf(c: dict[str, Any]) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    t = _lines(c)
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, invariant=1, pageCompression=0)
    width, height = A4
    pdf.setTitle(f"{t['title']}: {t['who']}")
    pdf.setSubject("mj-certificate:" + base64.b64encode(canonical(c)).decode())
    pdf.setLineWidth(3)
    pdf.rect(36, 36, width - 72, height - 72)
    y = height - 140
    for key, font, size, gap in (("title", "Times-Bold", 28, 60), ("who", "Times-Bold", 24, 40),
                                 ("what", "Times-Roman", 14, 24), ("when", "Times-Roman", 14, 40),
                                 ("rhythm", "Times-Roman", 11, 20), ("goals", "Times-Roman", 11, 50),
                                 ("issued", "Times-Roman", 13, 30), ("code", "Courier-Bold", 14, 40),
                                 ("keys", "Helvetica", 6.5, 14), ("check", "Helvetica", 8, 0)):
        pdf.setFont(font, size)
        pdf.drawCentredString(width / 2, y, _latin1(t[key]))
        y -= gap
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def _latin1(text: str) -> str:
    """The PDF's standard fonts have Latin-1 glyphs only: other letters show as '?' on paper (the
    certificate inside, and the HTML page, keep every name whole)."""
    return text.encode("latin-1", "replace").decode("latin-1")


def carried(data: bytes) -> tuple[dict[str, Any], str]:
    """The certificate a file carries and its kind ("html" or "pdf"), or NotACertificate."""
    if len(data) > MAX_FILE:
        raise NotACertificate(f"it is larger than {MAX_FILE // 1024} KiB: no certificate is")
    kind, found = ("pdf", _PDF_MARK.findall(data)) if data.startswith(b"%PDF-") else ("html", _html_found(data))
    if len(found) != 1:
        raise NotACertificate("it carries no certificate" if not found else "it carries more than one certificate")
    try:
        raw = base64.b64decode(found[0], validate=True) if kind == "pdf" else found[0]
        value = json.loads(raw)
    except (ValueError, RecursionError):
        raise NotACertificate("the certificate it carries is not readable") from None
    if not isinstance(value, dict):
        raise NotACertificate("the certificate it carries is not readable")
    return value, kind


def _html_found(data: bytes) -> list[bytes]:
    """What each opening of the certificate's element holds up to the next closing tag (linear:
    the embedded JSON never holds a '<')."""
    count = data.count(_HTML_OPEN)
    if count != 1:
        return [b""] * count  # none, or several: refused by the caller
    start = data.find(_HTML_OPEN) + len(_HTML_OPEN)
    end = data.find(_HTML_CLOSE, start)
    return [data[start:end] if end != -1 else b""]


def rendered(c: dict[str, Any], kind: str) -> bytes:
    return render_pdf(c) if kind == "pdf" else render_html(c)
