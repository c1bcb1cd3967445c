"""Routing on sample_docs: documents per route for every shipped policy, and the time
redactor adds (scan + decide + doubt pass + pseudonymise + guard = ``prepare()``)
against the time the local model takes to answer.

    python benchmarks/bench_route.py [--max-tokens 64] [--model-docs 8]

The cloud counts as configured (a loopback URL) so that routes show what would go
out; nothing is sent: only ``prepare()`` runs for the route table.  The model
timing answers the first --model-docs documents with the real local model.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from redactor.backends import complete_long  # noqa: E402
from redactor.backends.local import LocalBackend  # noqa: E402
from redactor.config import load_settings  # noqa: E402
from redactor.detect.scanner import Scanner  # noqa: E402
from redactor.ingest import iter_documents  # noqa: E402
from redactor.prepare import SYSTEM_PROMPT, prepare  # noqa: E402
from redactor.policy import builtin_policies, load_policy  # noqa: E402

TASK = "Summarize this document"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-tokens", type=int, default=64)
    ap.add_argument("--model-docs", type=int, default=8)
    args = ap.parse_args()

    settings = load_settings(audit={"enabled": False})
    scanner = Scanner(settings)
    docs = list(iter_documents([ROOT / "sample_docs"]))
    print(f"{len(docs)} documents from sample_docs/")
    prep_ms: list[float] = []
    for name in builtin_policies():
        policy = load_policy(name)
        routes: Counter[str] = Counter()
        for doc in docs:
            p = prepare(doc, TASK, scanner, policy, cloud_configured=True)
            routes[p.decision.route.value if p.decision else "error"] += 1
            prep_ms.append(p.prepare_ms)
        print(f"policy {name:11} " + "  ".join(f"{r}={n}" for r, n in sorted(routes.items())))
    print(f"prepare() per document: median {statistics.median(prep_ms):.1f} ms, p95 {sorted(prep_ms)[int(len(prep_ms) * .95)]:.1f} ms")

    local = LocalBackend(settings.local)
    t0 = time.perf_counter()
    local.count_tokens("warm up")  # loads the model
    print(f"local model {local.model}: load {time.perf_counter() - t0:.1f} s")
    model_ms, gen_tokens, gen_s = [], 0, 0.0
    for doc in docs[: args.model_docs]:
        t0 = time.perf_counter()
        c = complete_long(local, system=SYSTEM_PROMPT, task=TASK, document=doc.text, max_tokens=args.max_tokens)
        dt = time.perf_counter() - t0
        model_ms.append(dt * 1000)
        gen_tokens += c.usage.completion_tokens
        gen_s += dt
        print(f"  {Path(doc.id).name[:40]:40} prompt {c.usage.prompt_tokens:5} out {c.usage.completion_tokens:4} tokens  {dt:6.2f} s  calls {c.calls}")
    print(f"local model per document: median {statistics.median(model_ms) / 1000:.2f} s "
          f"(max_tokens {args.max_tokens}); end-to-end {gen_tokens / gen_s:.1f} generated tokens/s incl. prompt reading")


if __name__ == "__main__":
    main()
