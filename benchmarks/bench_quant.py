"""Which encoding of the shipped model to run: speed against faithfulness, measured on the model.

For the shipped SmolLM2-135M-Instruct Q4_1 file and its re-encodings
(``llama_model_quantize`` with ``allow_requantize``), the same measurements
``redactor models optimize`` makes (``redactor/backends/quality.py``):

- perplexity of the fixed reference text (``redactor/backends/data/reference.txt``),
  and top-1 agreement with the shipped file's next-token predictions;
- answers right on the labelled task (``redactor/backends/data/answer_check.json``:
  24 notes, dollar amount / date / diagnosis), greedy;
- tokens per CPU-second on one thread (reference text + 32 new tokens), the
  measure that is stable on a shared machine.

The gate ``models optimize`` applies: perplexity within 2% of the shipped
file's and accuracy not lower.  Prints a Markdown table (docs/models.md).

    python benchmarks/bench_quant.py [--model smollm2-135m-instruct] [--to Q8_0 F16 Q6_K Q4_0] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    from redactor.backends.models import resolve_model
    from redactor.backends.optimize import measure, passes, quantize

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="smollm2-135m-instruct")
    ap.add_argument("--to", nargs="+", default=["Q8_0", "F16", "Q6_K", "Q5_0", "Q4_0"])
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()

    source = resolve_model(args.model, optimized=False)
    print(f"# {source.name}; load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", file=sys.stderr)
    start = time.perf_counter()
    base = measure(source)
    rows = [base | {"accepted": True, "note": "shipped", "size": source.stat().st_size}]
    with tempfile.TemporaryDirectory() as tmp:
        for quant in args.to:
            dest = Path(tmp) / f"model.{quant}.gguf"
            quantize(source, dest, quant)
            m = measure(dest, reference=base["_ppl"])
            ok, note = passes(base, m)
            rows.append(m | {"accepted": ok, "note": note, "size": dest.stat().st_size})
            print(f"# {quant} done", file=sys.stderr)
    for r in rows:
        r.pop("_ppl", None)
    print(f"| encoding | size | perplexity | vs shipped | top-1 agreement | answers right | tokens/CPU-s (1 thread) "
          f"| speed vs shipped | passes the gate |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['quant']} | {r['size'] / 1e6:.0f} MB | {r['perplexity']:.2f} | "
              f"{r['perplexity'] / base['perplexity'] - 1:+.1%} | {r.get('top1_agreement', 1.0):.1%} | "
              f"{r['correct']}/{r['items']} | {r['tokens_per_s']:.0f} | {r['tokens_per_s'] / base['tokens_per_s']:.2f}× | "
              f"{'yes' if r['accepted'] else 'no: ' + r['note']} |")
    print(f"\nmeasured in {time.perf_counter() - start:.0f}s; load average {os.getloadavg()[0]:.1f}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
