"""The local path side by side with raw llama-cpp-python, on the main job's documents.

Both sides answer "Summarize this document" for every document of
``sample_docs/`` (47 documents: CSV and JSONL rows are documents of their own)
with the same prompt (redactor's system prompt, the document, the task), the
same sampling (temperature 0.2, repeat penalty 1.3, up to 256 new tokens) and
the same context (n_ctx 4096):

- **raw**: llama-cpp-python on the shipped GGUF (SmolLM2-135M-Instruct Q4_1),
  one ``create_chat_completion`` per document, in order, on all cores
  (``n_threads`` = ``n_threads_batch`` = cores);
- **redactor**: ``BatchRun`` exactly as ``redactor run`` builds it (spaCy
  detection, policy, audit trail, answers and manifest written), with the
  store's optimised encoding and the model processes ``run`` would use.

Each side runs in a fresh Python process, so imports and loading the model (and
spaCy, on redactor's side) are inside the timing.  Runs alternate (raw,
redactor, raw, ...) and medians are reported: tokens processed per second
(prompt + generated, as llama.cpp reports them) and documents per second.

The pipeline's own share: the model time is what the model processes report
for their calls (generation only); with ``w`` processes the run could not be
shorter than model time / ``w``, and everything above that - start-up, spaCy,
preparing, audit, the last document's tail - is what the pipeline adds.  CPU
time of the main process against the model processes is printed too.

Both sides load the model with llama.cpp's extra weight buffers off: on the
reference machine (an AMX-capable CPU in a VM) llama-cpp-python's defaults
crash on the first decode (see ``redactor/backends/local.py``).

    python benchmarks/bench_local.py [--reps 3] [--max-tokens 256] [--json OUT]

The one-time ``models install`` re-encoding is done first, outside the timing,
in ``REDACTOR_HOME`` (a temp dir unless set).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TASK = "Summarize this document"
MODEL = "smollm2-135m-instruct"


def _documents(folder: Path):
    from redactor.config import IngestSettings
    from redactor.ingest.readers import read_path
    from redactor.ingest.walk import iter_inputs

    docs = []
    for path in iter_inputs([folder], IngestSettings()):
        docs.extend(read_path(path, IngestSettings()))
    return docs


# ----------------------------------------------------------------------------- the two sides (child processes)


def side_raw(folder: Path, max_tokens: int) -> dict:
    start = time.perf_counter()
    from redactor.backends.local import REPEAT_PENALTY, load_llama
    from redactor.backends.longdoc import build_messages
    from redactor.backends.models import resolve_model
    from redactor.config import LocalSettings
    from redactor.prepare import SYSTEM_PROMPT
    from redactor.procs import cpu_count

    settings = LocalSettings()
    shipped = resolve_model(MODEL, optimized=False)
    docs = _documents(folder)
    cores = cpu_count()
    llm = load_llama(shipped, n_ctx=settings.n_ctx, n_threads=cores, n_threads_batch=cores)
    tokens = 0
    for doc in docs:
        out = llm.create_chat_completion(messages=build_messages(SYSTEM_PROMPT, TASK, doc.text), max_tokens=max_tokens,
                                         temperature=settings.temperature, repeat_penalty=REPEAT_PENALTY)
        tokens += out["usage"]["prompt_tokens"] + out["usage"]["completion_tokens"]
    wall = time.perf_counter() - start
    return {"side": "raw", "model": shipped.name, "docs": len(docs), "tokens": tokens, "wall_s": wall,
            "threads": cores}


def side_redactor(folder: Path, max_tokens: int, out: Path) -> dict:
    start = time.perf_counter()
    from redactor.audit.stores import configured_trail
    from redactor.backends.pool import LocalModelPool, choose_model_processes
    from redactor.batch import BatchOptions, BatchRun, RunDir, count_inputs
    from redactor.config import load_settings
    from redactor.pipeline import Pipeline
    from redactor.workers import choose_workers

    model_ms: list[float] = []
    window: list[float] = []  # when the first model call started and the last one ended
    complete = LocalModelPool.complete

    def timed(self, messages, *, max_tokens):  # the model processes' own time for each call
        window.append(time.perf_counter())
        c = complete(self, messages, max_tokens=max_tokens)
        window.append(time.perf_counter())
        model_ms.append(c.latency_ms)
        return c

    LocalModelPool.complete = timed  # type: ignore[method-assign]
    settings = load_settings(None)
    pipeline = Pipeline(settings, audit=configured_trail(settings))
    workers, threads = choose_model_processes(settings.local)
    options = BatchOptions(task=TASK, max_tokens=max_tokens, workers=choose_workers(settings.workers, count_inputs([folder])),
                           model_workers=workers, model_threads=threads)
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    summary = BatchRun(pipeline, RunDir(out), options).run([folder])
    wall = time.perf_counter() - start
    main_cpu = resource.getrusage(resource.RUSAGE_SELF)
    model_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    lines = [json.loads(x) for x in (out / "manifest.jsonl").read_text().splitlines()]
    return {
        "side": "redactor", "model": lines[0]["model"] if lines else "", "docs": summary.processed,
        "tokens": sum(x.get("tokens_in", 0) + x.get("tokens_out", 0) for x in lines), "wall_s": wall,
        "failed": summary.failed, "routes": dict(summary.routes), "model_workers": summary.model_workers,
        "model_threads": threads, "model_s": sum(model_ms) / 1000, "calls_s": max(window) - min(window),
        "main_cpu_s": main_cpu.ru_utime + main_cpu.ru_stime - cpu0.ru_utime - cpu0.ru_stime,
        "model_cpu_s": model_cpu.ru_utime + model_cpu.ru_stime,
    }


def _child(side: str, folder: Path, max_tokens: int, home: Path) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        code = (f"import sys, json; sys.path.insert(0, {str(ROOT)!r}); import benchmarks.bench_local as b; "
                f"from pathlib import Path; "
                + (f"r = b.side_raw(Path({str(folder)!r}), {max_tokens})" if side == "raw" else
                   f"r = b.side_redactor(Path({str(folder)!r}), {max_tokens}, Path({tmp!r}) / 'out')")
                + "; print('RESULT ' + json.dumps(r))")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "REDACTOR_"))}
        env |= {"REDACTOR_HOME": str(home), "PYTHONPATH": str(ROOT)}
        if side == "redactor":  # a fresh audit trail per run, the store of models shared
            env["REDACTOR_AUDIT__PATH"] = str(Path(tmp) / "audit.db")
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=3600)
        if done.returncode != 0:
            raise SystemExit(f"{side} failed:\n{done.stderr[-3000:]}")
        line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
        return json.loads(line[len("RESULT "):])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=Path, default=ROOT / "sample_docs")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--max-tokens", type=int, default=256)
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--only", choices=["raw", "redactor"], default=None, help="Run one side only (no comparison).")
    args = ap.parse_args()

    home = Path(os.environ.get("REDACTOR_HOME") or tempfile.mkdtemp(prefix="bench_local_"))
    os.environ["REDACTOR_HOME"] = str(home)
    from redactor.backends.catalog import model_entry
    from redactor.backends.models import install_model, store_dir
    from redactor.backends.optimize import optimize_model

    install_model(MODEL)
    if not model_entry(store_dir(), MODEL).get("quality"):
        t = time.perf_counter()
        report = optimize_model(MODEL, progress=lambda line: print(f"# {line}", file=sys.stderr))
        print(f"# one-time re-encoding: {report['chosen']} in {time.perf_counter() - t:.0f}s", file=sys.stderr)

    runs: dict[str, list[dict]] = {"raw": [], "redactor": []}
    for rep in range(args.reps):
        for side in (args.only,) if args.only else ("raw", "redactor"):
            load = os.getloadavg()[0]
            r = _child(side, args.docs, args.max_tokens, home) | {"load_before": round(load, 1)}
            r["tokens_per_s"], r["docs_per_s"] = r["tokens"] / r["wall_s"], r["docs"] / r["wall_s"]
            runs[side].append(r)
            print(f"# rep {rep + 1} {side}: {r['docs']} docs, {r['tokens']} tokens in {r['wall_s']:.1f}s "
                  f"({r['tokens_per_s']:.0f} tokens/s, {r['docs_per_s']:.2f} docs/s; load {load:.1f}) "
                  + json.dumps(r), file=sys.stderr)

    if args.only:
        return

    def med(side: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[side])

    ours, raw = runs["redactor"], runs["raw"]
    speedup_tok = med("redactor", "tokens_per_s") / med("raw", "tokens_per_s")
    speedup_docs = med("redactor", "docs_per_s") / med("raw", "docs_per_s")
    floor = [r["model_s"] / r["model_workers"] for r in ours]
    added = statistics.median(r["wall_s"] / f - 1 for r, f in zip(ours, floor))
    steady = statistics.median(r["calls_s"] / f - 1 for r, f in zip(ours, floor))
    print(f"| side | model file | layout | documents | tokens | wall s | tokens/s | docs/s |")
    print("|---|---|---|---|---|---|---|---|")
    print(f"| raw llama-cpp-python | {raw[0]['model']} | 1 process × {raw[0]['threads']} threads | {raw[0]['docs']} | "
          f"{med('raw', 'tokens'):.0f} | {med('raw', 'wall_s'):.1f} | {med('raw', 'tokens_per_s'):.0f} | "
          f"{med('raw', 'docs_per_s'):.2f} |")
    print(f"| redactor run | {ours[0]['model']} | {ours[0]['model_workers']} processes × {ours[0]['model_threads']} thread | "
          f"{ours[0]['docs']} | {med('redactor', 'tokens'):.0f} | {med('redactor', 'wall_s'):.1f} | "
          f"{med('redactor', 'tokens_per_s'):.0f} ({speedup_tok:.2f}×) | {med('redactor', 'docs_per_s'):.2f} "
          f"({speedup_docs:.2f}×) |")
    print(f"\npipeline adds {steady:.1%} to model time from the first model call to the last "
          f"(calls window / (model time / processes) - 1), {added:.1%} with start-up (imports, spaCy, model load) "
          f"included; CPU: main process {med('redactor', 'main_cpu_s'):.1f}s, model processes "
          f"{med('redactor', 'model_cpu_s'):.1f}s; medians of {args.reps} interleaved runs; load before each run: "
          + ", ".join(f"{r['load_before']}" for side in ('raw', 'redactor') for r in runs[side]))
    if args.json:
        args.json.write_text(json.dumps(runs, indent=2))


if __name__ == "__main__":
    main()
