"""The leak guard's reading of a pseudonymised text: rescanning near the placeholders only
(``detect/rescan.py``, what the gateway does) against scanning the whole text again, in one run.

    python benchmarks/bench_guard.py [--policy NAME ...] [--shape sparse|dense] [--size 2000]
                                     [--always-window] [--reach 120] [--limit N] [--json OUT]

Every labelled text with a value in it (the synthetic set in tests/data, the clinical sets in
tests/labeled and tests/data), made into a document of about ``--size`` characters (set in
clean text, or joined with its neighbours: ``documents()``), is routed as the gateway routes one message: scan, decide with doubts, and on the
pseudonymised route, rewrite.  The rewritten text is then read both ways and given to the
leak guard (``check_payload``).  Reported per policy:

- verdicts that differ, split into "windowed passes, full refuses" (would be a leak: must be 0)
  and "windowed refuses, full passes" (a request kept local for nothing);
- findings and doubts outside placeholders that the full rescan reads and the windowed one
  does not (no finding of the same type overlapping it), and the reverse;
- the time of both readings, scan and doubt pass (sum, and per text p50/p95); how often
  the doubts were carried too; and how often the windows
  covered so much of the text that it was scanned whole anyway.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from redactor.config import load_settings  # noqa: E402
from redactor.detect.doubt import find_doubts  # noqa: E402
import redactor.detect.rescan as rescan_module  # noqa: E402
from redactor.detect.rescan import REACH, rescan  # noqa: E402
from redactor.detect.scanner import Scanner  # noqa: E402
from redactor.guard import _PLACEHOLDER, check_payload  # noqa: E402
from redactor.policy import Route, decide, load_policy  # noqa: E402
from redactor.transform import rewrite  # noqa: E402

CLEAN = [ROOT / "sample_docs" / n for n in ("press_release_product_launch.txt", "office_move_memo.txt")]
SETS = [ROOT / "tests" / "data" / "clinical_notes.jsonl", *sorted((ROOT / "tests" / "labeled").glob("*.jsonl"))]


def labelled() -> dict[str, list[tuple[str, bool]]]:
    """Per set: (text, holds a labelled value)."""
    sets = {"synth": [(d["full_text"], bool(d["spans"]))
                      for d in json.loads((ROOT / "tests/data/synth_dataset_v2.json").read_text())]}
    for path in SETS:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        sets[path.stem] = [(r["text"], bool(r["spans"])) for r in rows]
    return sets


def documents(shape: str, size: int) -> list[tuple[str, str]]:
    """``dense``: consecutive labelled texts of one set joined (blank line between) until a
    document holds ``size`` characters.  ``sparse``: each text that holds a value, set in
    clean text (the sets' texts with no value: questions, notes) to about ``size``
    characters, at a varying place: how a question with a few identifiers in a long
    prompt looks.  Most labelled texts alone are shorter than two windows."""
    sets = labelled()
    out = []
    if shape == "dense":
        for name, items in sets.items():
            doc = ""
            for t, _ in items:
                doc = f"{doc}\n\n{t}" if doc else t
                if len(doc) >= size:
                    out.append((name, doc))
                    doc = ""
            if doc:
                out.append((name, doc))
        return out
    # clean clinical text around clinical texts; clean office prose (the gateway benchmark's) around the rest,
    # since health text alone keeps a document local under redact-pii
    clinical = [t for name, items in sets.items() if "clinical" in name for t, has in items if not has]
    prose = [p.strip() for f in CLEAN for p in f.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    rng = random.Random(7)
    for name, items in sets.items():
        clean = [t for t in (clinical if "clinical" in name else prose) if len(t) < size // 4]
        for t, has in items:
            if not has:
                continue
            paras: list[str] = []
            while sum(len(p) + 2 for p in paras) + len(t) < size:
                paras.append(rng.choice(clean))
            paras.insert(rng.randrange(len(paras) + 1), t)
            out.append((name, "\n\n".join(paras)))
    return out


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))] if s else 0.0


def covered(f, findings) -> bool:
    return any(g.entity_type == f.entity_type and g.start < f.end and f.start < g.end for g in findings)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--policy", action="append", default=None)
    ap.add_argument("--limit", type=int, default=0, help="at most this many documents (0: all)")
    ap.add_argument("--shape", choices=("sparse", "dense"), default="sparse", help="how documents are made (see documents())")
    ap.add_argument("--size", type=int, default=2000, help="characters per document")
    ap.add_argument("--always-window", action="store_true",
                    help="never fall back to a whole scan: measures the windows themselves on dense text")
    ap.add_argument("--reach", type=int, default=REACH, help="context either side of an edit (characters)")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    rescan_module.REACH = args.reach
    if args.always_window:
        rescan_module.FULL_SHARE = float("inf")
    scanner = Scanner(load_settings(None, audit={"enabled": False}))
    corpus = documents(args.shape, args.size)[: args.limit or None]
    scanned = [(name, t, scanner.scan(t).findings) for name, t in corpus]
    results: dict[str, object] = {"documents": len(corpus), "shape": args.shape, "size": args.size,
                                  "reach": rescan_module.REACH, "full_share": rescan_module.FULL_SHARE}
    for policy_name in args.policy or ["redact-pii", "hipaa-safe-harbor"]:
        policy = load_policy(policy_name)
        row = {"pseudonymised": 0, "scanned_whole": 0, "doubts_carried": 0, "leak_verdicts": 0, "extra_refusals": 0,
               "same_verdict": 0, "full_only_findings": 0, "windowed_only_findings": 0,
               "full_ms": [], "windowed_ms": [], "examples": []}
        for name, text, found in scanned:
            doubts = find_doubts(text, found)
            if decide([*found, *doubts], policy).route is not Route.CLOUD_REDACTED:
                continue
            done = rewrite(text, [f for f in (*found, *doubts) if policy.action_for(f)[1] == "redact"])
            out = done.text
            row["pseudonymised"] += 1
            t = time.perf_counter()
            full = scanner.scan(out).findings
            full_doubts = find_doubts(out, full)
            row["full_ms"].append(time.perf_counter() - t)
            asked: list[str] = []

            def scan_many(ts: list[str]) -> list:
                asked.extend(ts)
                return [r.findings for r in scanner.scan_many(ts)]

            t = time.perf_counter()
            read = rescan(out, found, done.edits, scan_many, (text, doubts))
            windowed, w_doubts = read.findings, read.doubts if read.doubts is not None else find_doubts(out, read.findings)
            row["windowed_ms"].append(time.perf_counter() - t)
            row["scanned_whole"] += asked == [out]
            row["doubts_carried"] += read.doubts is not None
            holes = [m.span() for m in _PLACEHOLDER.finditer(out)]
            outside = [f for f in (*full, *full_doubts) if not any(s <= f.start and f.end <= e for s, e in holes)]
            w_all = (*windowed, *w_doubts)
            w_outside = [f for f in w_all if not any(s <= f.start and f.end <= e for s, e in holes)]
            missed = [f for f in outside if not covered(f, w_all)]
            row["full_only_findings"] += len(missed)
            row["windowed_only_findings"] += sum(1 for f in w_outside if not covered(f, (*full, *full_doubts)))
            msgs = [{"role": "user", "content": out}]
            v_full = check_payload(msgs, scanner, policy, done.mapping, found=full, doubts=lambda _t, _f: full_doubts)
            v_win = check_payload(msgs, scanner, policy, done.mapping, found=windowed, doubts=lambda _t, _f: w_doubts)
            if v_full.ok == v_win.ok:
                row["same_verdict"] += 1
            elif v_win.ok:
                row["leak_verdicts"] += 1
            else:
                row["extra_refusals"] += 1
            if missed and len(row["examples"]) < 10:  # types and reasons only: the sets are surrogate data
                row["examples"].append({"set": name, "types": sorted({f.entity_type for f in missed}),
                                        "full": v_full.reason or "ok", "windowed": v_win.reason or "ok"})
        full_ms, win_ms = row.pop("full_ms"), row.pop("windowed_ms")
        row["full_s"] = round(sum(full_ms), 2)
        row["windowed_s"] = round(sum(win_ms), 2)
        row["full_ms_p50_p95"] = [round(pct(full_ms, 0.5) * 1000, 1), round(pct(full_ms, 0.95) * 1000, 1)]
        row["windowed_ms_p50_p95"] = [round(pct(win_ms, 0.5) * 1000, 1), round(pct(win_ms, 0.95) * 1000, 1)]
        results[policy_name] = row
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
