"""The HTML compliance report: self-contained, escaped, right numbers, and it
really renders (headless Chromium lays out the SVG charts and paints them).

Chromium: ``apt-get install -y chromium``.  Set ``REDACTOR_UPDATE_SCREENSHOT=1``
to refresh ``docs/audit-report.png`` from the browser test.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import sqlite3
import struct
import subprocess
import zlib
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from redactor.audit import AuditEvent, AuditTrail
from redactor.audit.report import build_report
from redactor.audit.clock import parse_moment

ROOT = Path(__file__).resolve().parents[1]
# Read at import: the suite's autouse fixture clears REDACTOR_* before each test.
UPDATE_SCREENSHOT = bool(os.environ.get("REDACTOR_UPDATE_SCREENSHOT"))
CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium is not installed (CI: apt-get update && apt-get install -y chromium)"
)

HOSTILE = '"><img src=x onerror=alert(1)><script>alert(2)</script>'
CATEGORIES = ["PII", "HEALTH", "FINANCIAL", "CREDENTIAL"]
REASONS = ["health+identifier -> local", "pii.ssn -> local", "financial.account -> local", "credential.api_key -> local"]


def populate(trail: AuditTrail, days: int = 14, seed: int = 7, start: str = "2026-03-02") -> list[AuditEvent]:
    """A realistic fortnight: mostly local, some cloud, a few blocked and failed."""
    rnd = random.Random(seed)
    t0 = datetime.fromisoformat(start).replace(tzinfo=timezone.utc)
    events = []
    for day in range(days):
        for n in range(rnd.randint(6, 24)):
            route = rnd.choices(["local", "cloud_redacted", "cloud", "blocked", "none"], [45, 20, 25, 6, 4])[0]
            cats = {c: rnd.randint(1, 5) for c in rnd.sample(CATEGORIES, rnd.randint(0, 2))} if route != "cloud" else {}
            failed = rnd.random() < 0.06
            backend = {"local": "local", "cloud": "cloud", "cloud_redacted": "cloud"}.get(route, "")
            tin, tout = (rnd.randint(200, 3000), rnd.randint(50, 600)) if backend else (0, 0)
            events.append(AuditEvent(
                run_id=f"nightly-{day}",
                document_id=f"inbox/{day:02d}/{HOSTILE if n == 0 and day == 3 else f'doc_{n}.pdf'}",
                document_sha256=f"{day * 1000 + n:064x}",
                document_size=rnd.randint(500, 90000),
                entity_counts={"PERSON": 1} if cats else {},
                category_counts=cats,
                top_scores={"PERSON": 0.85} if cats else {},
                route=route,
                reasons=[HOSTILE[:60] if n == 1 and day == 3 else rnd.choice(REASONS)] if route == "local" else ["no findings"],
                policy_version="c" * 64,
                outcome="error" if failed else "ok",
                error_class={"local": "LocalModelError", "cloud": "CloudError"}.get(backend, "CorruptDocument") if failed else "",
                backend=backend,
                model={"local": "smollm2-135m", "cloud": "gpt-4o-mini"}.get(backend, ""),
                endpoint_host="api.openai.com" if backend == "cloud" else "",
                tokens_in=tin,
                tokens_out=tout,
                cost_usd=round((tin * 0.15 + tout * 0.6) / 1e6, 6) if backend == "cloud" else 0.0,
                latency_ms=rnd.uniform(80, 4000),
                timestamp=(t0 + timedelta(days=day, minutes=37 * n)).isoformat(),
            ))
    for e in events:
        trail.record(e)
    return events


@pytest.fixture
def trail(tmp_path: Path) -> AuditTrail:
    return AuditTrail(tmp_path / "audit.db", key="report-key")


def _rects(html: str, cls: str) -> int:
    return len(re.findall(rf'<rect class="{cls}"', html))


def test_report_content_matches_the_trail(trail: AuditTrail) -> None:
    events = populate(trail)
    html = build_report(trail, price_per_1m=1.0, price_out_per_1m=4.0)
    assert _rects(html, "bar") == len({(e.timestamp[:10], e.route) for e in events})
    assert _rects(html, "catbar") == len({c for e in events for c in e.category_counts})
    assert _rects(html, "tokbar") == 2 and _rects(html, "failbar") == len({e.error_class for e in events if e.error_class})
    assert f"<b>{len(events):,}</b><span>documents handled" in html
    assert f"<b>{sum(e.route == 'local' for e in events):,}</b><span>kept on the local model" in html
    local_in = sum(e.tokens_in for e in events if e.backend == "local")
    local_out = sum(e.tokens_out for e in events if e.backend == "local")
    assert f"${(local_in * 1.0 + local_out * 4.0) / 1e6:,.4f}" in html
    assert f"${sum(e.cost_usd for e in events if e.backend == 'cloud'):,.4f}" in html
    top_reason = Counter(r for e in events if e.route == "local" for r in e.reasons).most_common(1)[0][0]
    assert top_reason.replace(">", "&gt;") in html
    assert "Period covered: 2026-03-02 to 2026-03-15" in html
    assert 'class="badge ok"' in html and "Audit trail intact" in html


def test_report_is_self_contained_and_escaped(trail: AuditTrail) -> None:
    populate(trail, days=5)
    hostile = dict(run_id="x", document_sha256="0" * 64, document_size=1, entity_counts={}, category_counts={},
                   top_scores={}, policy_version="p")
    trail.record(AuditEvent(**hostile, document_id=HOSTILE, route="local", reasons=[HOSTILE], outcome="ok"))
    trail.record(AuditEvent(**hostile, document_id=HOSTILE, route="none", reasons=[], outcome="error", error_class="CorruptDocument"))
    html = build_report(trail)
    assert "<script" not in html.lower() and "<img" not in html.lower()
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html and "&quot;&gt;&lt;img src=x" in html
    for needle in ("http://", "https://", "@import", "url(", "@font-face"):
        assert needle not in html, needle
    assert not re.search(r"<[^>]*\s(src|href|xlink:href)\s*=", html)  # no tag loads anything
    assert "default-src 'none'" in html  # and the page forbids itself any fetch


def test_report_period_filter_and_empty_trail(trail: AuditTrail) -> None:
    assert "No documents in this period." in build_report(trail)
    events = populate(trail)
    html = build_report(trail, since=parse_moment("2026-03-10"), until=parse_moment("2026-03-11", end_of_day=True))
    n = sum("2026-03-10" <= e.timestamp[:10] <= "2026-03-11" for e in events)
    assert f"<b>{n:,}</b><span>documents handled" in html and "Period covered: 2026-03-10 to 2026-03-11" in html


def test_long_periods_are_drawn_week_by_week(tmp_path: Path) -> None:
    trail = AuditTrail(tmp_path / "a.db")
    populate(trail, days=120, start="2026-01-05")  # a Monday
    html = build_report(trail)
    assert "week by week" in html
    assert len(set(re.findall(r'data-bucket="([^"]+)"', html))) == 120 // 7 + 1


def test_report_shows_a_broken_chain_in_red(trail: AuditTrail) -> None:
    populate(trail, days=2)
    conn = sqlite3.connect(trail.path, isolation_level=None)
    conn.execute("DROP TRIGGER records_no_update")
    conn.execute("UPDATE records SET route = 'cloud' WHERE seq = 5")
    html = build_report(trail)
    assert 'class="badge bad"' in html and "FAILED verification" in html and "record 5: edited" in html


# ----------------------------------------------------------------------------- in a real browser

PROBE = """<script>
(() => {
  const seen = cls => [...document.querySelectorAll('rect.' + cls)]
    .filter(e => { const b = e.getBoundingClientRect(); return b.width > 0 && b.height > 0; }).length;
  const out = {};
  for (const cls of ['bar', 'catbar', 'reasonbar', 'tokbar', 'failbar']) out[cls] = seen(cls);
  out.svgs = [...document.querySelectorAll('svg')].filter(s => s.getBoundingClientRect().width > 300).length;
  out.badge = getComputedStyle(document.querySelector('.badge')).backgroundColor;
  out.height = Math.ceil(document.documentElement.scrollHeight);
  const pre = document.createElement('pre'); pre.id = 'render-check';
  pre.textContent = JSON.stringify(out); document.body.appendChild(pre);
})();
</script>"""


def _chromium(tmp_path: Path, *args: str) -> str:
    profile = tmp_path / "chromium-profile"
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
           f"--user-data-dir={profile}", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=90, env={**os.environ, "HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _png_size_and_pixels(png: bytes) -> tuple[int, int, bytes]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    idat, pos = b"", 8
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos : pos + 8])
        if kind == b"IDAT":
            idat += png[pos + 8 : pos + 8 + length]
        pos += length + 12
    return width, height, zlib.decompress(idat)


@needs_chromium
@pytest.mark.browser
def test_report_renders_in_headless_chromium(trail: AuditTrail, tmp_path: Path) -> None:
    events = populate(trail)
    html = build_report(trail, price_per_1m=0.15, price_out_per_1m=0.60)
    page = tmp_path / "report.html"
    page.write_text(html, encoding="utf-8")
    # The report forbids scripts (CSP); a probe copy lifts that to measure the layout.
    probe = tmp_path / "probe.html"
    probe.write_text(re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html).replace("</body>", PROBE + "</body>"))
    dom = _chromium(tmp_path, "--window-size=1000,1000", "--dump-dom", probe.as_uri())
    m = re.search(r'<pre id="render-check">(.*?)</pre>', dom)
    assert m, "the probe did not run"
    seen = json.loads(m.group(1).replace("&quot;", '"'))
    assert seen["bar"] == len({(e.timestamp[:10], e.route) for e in events})
    assert seen["catbar"] == len({c for e in events for c in e.category_counts})
    assert seen["reasonbar"] == len({r for e in events if e.route == "local" for r in e.reasons})
    assert seen["tokbar"] == 2 and seen["failbar"] >= 1 and seen["svgs"] >= 5
    assert seen["badge"] == "rgb(232, 245, 236)"  # the green "intact" badge

    # The untouched report, painted: a real picture, not a blank page.
    shot = tmp_path / "report.png"
    _chromium(tmp_path, f"--window-size=1000,{seen['height']}", f"--screenshot={shot}", page.as_uri())
    png = shot.read_bytes()
    width, height, raw = _png_size_and_pixels(png)
    assert (width, height) == (1000, seen["height"]) and len(png) > 30_000
    assert len(set(raw[:: 97])) > 40  # far from a single flat colour
    try:
        from PIL import Image
    except ImportError:
        pass
    else:
        colours = {rgb: n for n, rgb in Image.open(shot).convert("RGB").getcolors(maxcolors=1 << 24)}
        for rgb in [(0, 158, 115), (0, 114, 178), (86, 180, 233), (26, 127, 55)]:  # local, cloud, redacted, badge
            assert colours.get(rgb, 0) > 200, rgb
    if UPDATE_SCREENSHOT:
        shutil.copyfile(shot, ROOT / "docs" / "audit-report.png")
