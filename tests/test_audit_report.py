"""The HTML compliance report: self-contained, escaped, right numbers, and it
really renders (headless Chromium lays out the SVG charts and paints them).

Chromium: ``apt-get install -y chromium``.  Set ``REDACTOR_UPDATE_SCREENSHOT=1``
to refresh ``docs/audit-report.png`` from the browser test.
"""

from __future__ import annotations

import hashlib
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
from redactor.audit.report import build_report, document_rows
from redactor.audit.clock import parse_moment
from redactor.audit.explain import known_policies, rule_words
from redactor.policy import load_policy

ROOT = Path(__file__).resolve().parents[1]
# Read at import: the suite's autouse fixture clears REDACTOR_* before each test.
UPDATE_SCREENSHOT = bool(os.environ.get("REDACTOR_UPDATE_SCREENSHOT"))
CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium is not installed (CI: apt-get update && apt-get install -y chromium)"
)

HOSTILE = '"><img src=x onerror=alert(1)><script>alert(2)</script>'
CATEGORIES = ["PII", "HEALTH", "FINANCIAL", "CREDENTIAL"]
REASONS = ["combination.phi", "category.PII", "category.FINANCIAL", "cloud-not-configured"]  # each keeps a document local
OTHER_REASONS = {"cloud": (["clean"], ["allow"]), "cloud_redacted": (["category.PII"], ["redact"]),
                 "blocked": (["category.CREDENTIAL"], ["block"]), "none": ([], [])}


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
                reasons=[HOSTILE[:60] if n == 1 and day == 3 else rnd.choice(REASONS)] if route == "local" else OTHER_REASONS[route][0],
                reason_actions=["local"] if route == "local" else OTHER_REASONS[route][1],
                policy_version="c" * 64,
                policy_name="default",
                transform="pseudonymize" if route == "cloud_redacted" else "",
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
    assert f"<b>{len(events):,}</b><span>records" in html
    assert f"<b>{len({e.document_sha256 for e in events}):,}</b><span>distinct documents" in html
    assert f"<b>{sum(e.route == 'local' for e in events):,}</b><span>kept on the local model" in html
    local_in = sum(e.tokens_in for e in events if e.backend == "local")
    local_out = sum(e.tokens_out for e in events if e.backend == "local")
    assert f"${(local_in * 1.0 + local_out * 4.0) / 1e6:,.4f}" in html
    assert f"${sum(e.cost_usd for e in events if e.backend == 'cloud'):,.4f}" in html
    top_reason = Counter(r for e in events if e.route == "local" for r in e.reasons).most_common(1)[0][0]
    assert escape_html(rule_words(top_reason)) in _section(html, "reasons")
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
    assert f"<b>{n:,}</b><span>records" in html and "Period covered: 2026-03-10 to 2026-03-11" in html


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


# ----------------------------------------------------------------------------- the compliance officer's questions

DEFAULT = load_policy("default")
KNOWN = known_policies([DEFAULT])


def record(trail: AuditTrail, doc: str, route: str, reasons: list[str], actions: list[str] | None = None, **kw) -> None:
    base = dict(run_id="r", document_id=doc, document_sha256=hashlib.sha256(doc.encode()).hexdigest(), document_size=10,
                entity_counts={}, category_counts={}, top_scores={}, route=route, reasons=reasons,
                reason_actions=actions or [], policy_version=DEFAULT.version, policy_name="default", outcome="ok",
                timestamp="2026-03-04T10:00:00Z")
    trail.record(AuditEvent(**{**base, **kw}))


def _section(html: str, sid: str) -> str:
    return re.search(rf'<section id="{sid}">(.*?)</section>', html, re.S).group(1)


def test_per_document_table_says_where_each_document_went_and_under_which_rule(trail: AuditTrail) -> None:
    record(trail, "memo.txt", "cloud", ["clean"], ["allow"])
    record(trail, "visit.txt", "cloud_redacted", ["category.PII", "entity.MEDICAL_CONDITION"], ["redact", "allow"],
           transform="hipaa-safe-harbor")
    record(trail, "chart.txt", "local", ["combination.phi", "category.QUASI_IDENTIFIER"], ["local", "allow"])
    html = build_report(trail, known=KNOWN, csv_name="report.csv")
    table = _section(html, "documents")
    rows = re.findall(r'<tr class="doc">(.*?)</tr>', table, re.S)
    assert len(rows) == 3
    assert "memo.txt" in rows[0] and "no sensitive data found" in rows[0] and "default<br>" in rows[0] and DEFAULT.version[:12] in rows[0]
    assert "personal identifiers found: masked before sending to the cloud" in rows[1]
    assert "a medical condition" not in rows[1] and "medical condition found: may go to the cloud as written" in rows[1]
    assert "HIPAA Safe Harbor" in rows[1] and "45 CFR 164.514(b)(2)" in table  # the transform, explained once
    assert escape_html(DEFAULT.combinations[0].description.rstrip(".")) in rows[2]  # the policy's own words
    assert "report.csv" in table
    only = _section(build_report(trail, known=KNOWN, routes=["cloud", "cloud_redacted"]), "documents")
    assert only.count('<tr class="doc">') == 2 and "chart.txt" not in only and "45 CFR" in only


def escape_html(text: str) -> str:
    from html import escape

    return escape(text)


def test_why_kept_local_counts_only_the_rules_that_kept_documents_local(trail: AuditTrail) -> None:
    record(trail, "a.txt", "local", ["combination.phi", "entity.MEDICAL_CONDITION"], ["local", "allow"])
    record(trail, "b.txt", "local", ["clean", "cloud-not-configured"], ["allow", "local"])
    record(trail, "c.txt", "local", ["category.PII", "entity.MEDICAL_CONDITION"])  # written before actions were recorded
    record(trail, "d.txt", "local", ["clean", "guard.category.FINANCIAL"], ["allow", "local"])
    section = _section(build_report(trail, known=KNOWN), "reasons")
    labels = re.findall(r'<rect class="reasonbar"[^>]*><title>([^<]*): ', section)
    assert sorted(labels) == sorted([
        escape_html(DEFAULT.combinations[0].description.rstrip(".")),
        "no cloud model is configured, so it was answered by the local model",
        "personal identifiers found",  # the policy's text says category.PII is a local rule
        "the leak guard stopped the send (it found financial details in the outgoing text); answered by the local model",
    ])
    assert "medical condition" not in section and "no sensitive data" not in section


def test_records_and_distinct_documents_are_counted_apart(trail: AuditTrail) -> None:
    for run in range(4):
        for n in range(8):
            record(trail, f"doc_{n}.txt", "cloud", ["clean"], ["allow"], run_id=f"run-{run}")
    summary = _section(build_report(trail), "summary")
    assert "<b>32</b><span>records" in summary and "<b>8</b><span>distinct documents" in summary


def test_skipped_blocked_and_interrupted_outcomes_are_not_failures(trail: AuditTrail) -> None:
    record(trail, "empty.txt", "none", [], outcome="skipped")
    record(trail, "secret.txt", "blocked", ["category.CREDENTIAL"], ["block"], outcome="blocked")
    record(trail, "broken.pdf", "none", ["ingest"], outcome="error", error_class="CorruptDocument")
    record(trail, "long.txt", "local", ["category.PII"], ["local"], outcome="interrupted", error_class="Interrupted")
    html = build_report(trail)
    assert "<b>1</b><span>skipped" in html and "<b>1</b><span>failed" in html
    assert "<b>1</b><span>interrupted" in html
    failures = _section(html, "failures")
    assert "CorruptDocument" in failures and "empty.txt" not in failures and "long.txt" not in failures


def test_a_reviewer_without_the_key_sees_unchecked_seals_not_a_failure(tmp_path: Path) -> None:
    keyed = AuditTrail(tmp_path / "a.db", key="the-key")
    populate(keyed, days=2)
    reviewer = AuditTrail(tmp_path / "a.db")  # read access, no key
    html = build_report(reviewer)
    badge = _section(html, "verification")
    assert 'class="badge unknown"' in badge and "Seals not checked" in badge and "without the audit key" in badge
    assert "FAILED" not in badge and "badge ok" not in badge and "badge bad" not in badge
    # without the key a gap still shows: that is a real failure
    conn = sqlite3.connect(keyed.path, isolation_level=None)
    conn.execute("DROP TRIGGER records_no_delete")
    conn.execute("DELETE FROM records WHERE seq = 4")
    badge = _section(build_report(reviewer), "verification")
    assert 'class="badge bad"' in badge and "record 4: deleted" in badge


def test_the_green_badge_claims_nothing_about_the_end_without_a_checkpoint(tmp_path: Path) -> None:
    trail = AuditTrail(tmp_path / "a.db")  # unkeyed
    populate(trail, days=2)
    badge = _section(build_report(trail), "verification")
    assert 'class="badge ok"' in badge and "removed or reordered" not in badge
    assert "cannot be told from the trail alone" in badge and "--head" in badge
    count, head = trail.checkpoint()
    badge = _section(build_report(trail, head=(count, head)), "verification")
    assert f"It still holds the {count:,} records of the checkpoint you gave" in badge
    badge = _section(build_report(trail, head=(count + 5, head)), "verification")
    assert 'class="badge bad"' in badge and "truncated" in badge


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
  out.docs_top = Math.ceil(document.getElementById('documents').getBoundingClientRect().top);
  out.doc_rows = [...document.querySelectorAll('tr.doc')].filter(e => e.getBoundingClientRect().height > 0).length;
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
    assert seen["doc_rows"] == len(events)  # the per-document table, one row per record

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
    if UPDATE_SCREENSHOT:  # the charts and the first rows of the per-document table
        _chromium(tmp_path, f"--window-size=1000,{seen['docs_top'] + 640}", f"--screenshot={shot}", page.as_uri())
        shutil.copyfile(shot, ROOT / "docs" / "audit-report.png")


# ----------------------------------------------------------------------------- the per-document rows, read closely


def _doc_rows(html: str) -> list[str]:
    return re.findall(r'<tr class="doc">(.*?)</tr>', _section(html, "documents"), re.S)


def test_a_document_kept_local_or_blocked_lists_only_the_rules_that_kept_it_off_the_cloud(trail: AuditTrail) -> None:
    record(trail, "chart.txt", "local", ["combination.phi", "category.QUASI_IDENTIFIER", "clean"],
           ["local", "allow", "allow"])
    record(trail, "old.txt", "local", ["category.PII", "entity.MEDICAL_CONDITION"])  # before actions were recorded
    record(trail, "guarded.txt", "local", ["category.PII", "guard.category.FINANCIAL"], ["redact", "local"])
    record(trail, "secret.txt", "blocked", ["category.CREDENTIAL", "category.PII"], ["block", "redact"],
           outcome="blocked")
    record(trail, "visit.txt", "cloud_redacted", ["category.PII", "entity.MEDICAL_CONDITION"], ["redact", "allow"])
    chart, old, guarded, secret, visit = _doc_rows(build_report(trail, known=KNOWN))
    assert escape_html(DEFAULT.combinations[0].description.rstrip(".")) in chart
    assert "indirect identifiers" not in chart and "no sensitive data found" not in chart
    assert "personal identifiers found" in old and "medical condition" not in old
    assert "leak guard stopped the send" in guarded and "masked before sending" not in guarded
    assert "credentials" in secret and "personal identifiers" not in secret
    # sent to the cloud: what was masked and what went as written both matter
    assert "masked before sending" in visit and "medical condition found: may go to the cloud as written" in visit
    rows = {r["document_id"]: r for r in document_rows(trail, known=KNOWN)}  # the CSV says the same
    assert rows["chart.txt"]["rules"] == ["combination.phi"] and len(rows["chart.txt"]["rules_in_words"]) == 1
    assert rows["visit.txt"]["rules"] == ["category.PII", "entity.MEDICAL_CONDITION"]


def test_an_empty_file_is_shown_as_skipped_empty_not_as_unreadable(trail: AuditTrail) -> None:
    record(trail, "empty.txt", "none", ["ingest"], outcome="skipped", error_class="EmptyDocument")
    record(trail, "photo.bin", "none", ["ingest"], outcome="skipped", error_class="BinaryFile")
    record(trail, "broken.pdf", "none", ["ingest"], outcome="error", error_class="CorruptDocument")
    empty, binary, broken = _doc_rows(build_report(trail))
    assert "skipped as empty: there was no text to read" in empty and "could not be read" not in empty
    assert "skipped" in re.findall(r"<td>(.*?)</td>", empty)[-1]  # the outcome column
    assert "skipped as a binary file" in binary
    assert "the file could not be read" in broken and "CorruptDocument" in broken
    words = [r["rules_in_words"] for r in document_rows(trail)]
    assert words[0] == ["skipped as empty: there was no text to read, so nothing was sent anywhere"]


LAYOUT_PROBE = """<script>
(() => {
  const th = [...document.querySelectorAll('table.docs th')].find(e => e.textContent.startsWith('Rules'));
  const rows = [...document.querySelectorAll('tr.doc')].map(e => e.getBoundingClientRect().height);
  const line = parseFloat(getComputedStyle(document.querySelector('table.docs td')).lineHeight);
  const pre = document.createElement('pre'); pre.id = 'layout';
  pre.textContent = JSON.stringify({rules_width: th.getBoundingClientRect().width, rows, line,
                                    table: document.querySelector('table.docs').getBoundingClientRect().width});
  document.body.appendChild(pre);
})();
</script>"""


@needs_chromium
@pytest.mark.browser
def test_the_per_document_table_gives_the_rules_room(trail: AuditTrail, tmp_path: Path) -> None:
    record(trail, "clinic/2026/03/discharge_summary_ward_7_bed_12.docx", "cloud_redacted",
           ["category.PII", "entity.MEDICAL_CONDITION", "low_confidence(category.PII)", "category.QUASI_IDENTIFIER"],
           ["redact", "allow", "redact", "redact"], transform="pseudonymize")
    record(trail, "req_0123456789abcdef0123", "cloud_redacted", ["category.PII"], ["redact"], source="gateway",
           transform="pseudonymize", latency_ms=212.0,
           extra={"endpoint": "chat.completions", "client_key_id": "key_4c9ff136e313", "status": 200})
    record(trail, "empty.txt", "none", ["ingest"], outcome="skipped", error_class="EmptyDocument")
    html = build_report(trail, known=KNOWN, key_names={"key_4c9ff136e313": "billing-app"})
    probe = tmp_path / "probe.html"
    probe.write_text(re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html)
                     .replace("</body>", LAYOUT_PROBE + "</body>"))
    dom = _chromium(tmp_path, "--window-size=1000,1000", "--dump-dom", probe.as_uri())
    m = re.search(r'<pre id="layout">(.*?)</pre>', dom)
    assert m, "the probe did not run"
    seen = json.loads(m.group(1).replace("&quot;", '"'))
    assert seen["rules_width"] >= seen["table"] * 0.25  # about a quarter of the table, not a sliver
    # four rules of two to four lines each (it was forty lines when the column was a sliver)
    assert max(seen["rows"]) <= 16 * seen["line"], seen
