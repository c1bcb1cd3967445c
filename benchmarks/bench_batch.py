"""Batch throughput and memory: 1 worker against N, at growing corpus sizes.

Two workloads, both without any model call:

- ``scan``: detection only (spaCy + Presidio + redactor's recognizers);
- ``prepare``: what ``redactor run`` does before a model call — detect, decide,
  the doubt pass, pseudonymise and the leak guard (run as if a cloud were
  configured, so the redaction path is taken).

Each configuration runs in a fresh process, reading a corpus from
``make_corpus.py`` (built once per size and cached), through the same pieces
``redactor run`` uses (``workers.PreparePool`` / ``InlinePreparer`` and the
bounded in-order stream).  Reported: documents/s and KB/s of extracted text
after start-up, start-up time (pool and Scanners), and the peak RSS of the
process tree (main + workers + fork server) sampled every 50 ms with psutil.
Flat memory shows as the same peak at 1k and 10k documents.

    python benchmarks/bench_batch.py [--sizes 1000 10000] [--workers 1 2] [--modes scan prepare]
                                     [--big-only-n] [--cache DIR] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
HERE = Path(__file__).resolve().parent

TASK = "Summarize this document"


# ----------------------------------------------------------------------------- one configuration (child process)


class PeakRSS:
    """Peak resident memory of this process and all its descendants, sampled in a thread."""

    def __init__(self, interval: float = 0.05) -> None:
        import psutil

        self._proc, self._interval = psutil.Process(), interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> int:
        import psutil

        total = self._proc.memory_info().rss
        for child in self._proc.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:
                pass
        self.peak = max(self.peak, total)
        return total

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.sample()

    def __enter__(self) -> "PeakRSS":
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()


def child(corpus: Path, mode: str, workers: int) -> dict[str, object]:
    from redactor.config import load_settings
    from redactor.detect.scanner import Scanner
    from redactor.ingest import iter_documents
    from redactor.policy import load_policy
    from redactor.workers import InlinePreparer, PreparePool, prepare_ordered

    settings = load_settings(None, audit={"enabled": False})
    policy = load_policy(settings.policy)
    scan_only = mode == "scan"
    with PeakRSS() as rss:
        t0 = time.perf_counter()
        if workers == 1:
            scanner = Scanner(settings.detect)
            preparer = InlinePreparer(lambda: scanner, policy, TASK, cloud_configured=True, scan_only=scan_only)
        else:
            preparer = PreparePool(workers, settings.detect, policy, TASK, cloud_configured=True, scan_only=scan_only)
            preparer.warm_up()
        startup = time.perf_counter() - t0
        docs = nbytes = 0
        route_counts: dict[str, int] = {}
        t1 = time.perf_counter()
        for p in prepare_ordered(preparer, iter_documents([corpus], settings.ingest)):
            docs += 1
            nbytes += p.doc.size
            route = p.decision.route.value if p.decision else ("error" if p.error else "scanned")
            route_counts[route] = route_counts.get(route, 0) + 1
        elapsed = time.perf_counter() - t1
        preparer.close()
    return {
        "mode": mode, "workers": workers, "docs": docs, "kb": round(nbytes / 1024, 1),
        "startup_s": round(startup, 2), "elapsed_s": round(elapsed, 2),
        "docs_per_s": round(docs / elapsed, 1), "kb_per_s": round(nbytes / 1024 / elapsed, 1),
        "peak_rss_mb": round(rss.peak / 2**20), "routes": dict(sorted(route_counts.items())),
    }


# ----------------------------------------------------------------------------- the driver


def corpus_for(n: int, cache: Path, seed: int) -> Path:
    path = cache / f"corpus-{n}-seed{seed}"
    if not (path / ".complete").exists():
        sys.path.insert(0, str(HERE))
        from make_corpus import make_corpus

        t = time.perf_counter()
        counts = make_corpus(path, n, seed)
        (path / ".complete").write_text(json.dumps(counts))
        print(f"# corpus of {n} documents built in {time.perf_counter() - t:.1f}s: {counts}", file=sys.stderr)
    return path


def run_child(corpus: Path, mode: str, workers: int) -> dict[str, object]:
    cmd = [sys.executable, __file__, "--child", str(corpus), "--modes", mode, "--workers", str(workers)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=os.environ | {"PYTHONWARNINGS": "ignore"})
    return json.loads(out.stdout.strip().splitlines()[-1])


def table(rows: list[dict[str, object]]) -> str:
    head = ("docs", "mode", "workers", "docs/s", "KB/s", "speed-up", "start-up s", "elapsed s", "peak RSS MB")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    base = {(r["docs"], r["mode"]): r["docs_per_s"] for r in rows if r["workers"] == 1}
    for r in rows:
        b = base.get((r["docs"], r["mode"]))
        speed = f"{r['docs_per_s'] / b:.2f}x" if b else "-"
        lines.append("| " + " | ".join(str(x) for x in (
            r["docs"], r["mode"], r["workers"], r["docs_per_s"], r["kb_per_s"], speed,
            r["startup_s"], r["elapsed_s"], r["peak_rss_mb"])) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--workers", type=int, nargs="+", default=None, help="default: 1 and every core")
    ap.add_argument("--modes", nargs="+", default=["scan", "prepare"], choices=["scan", "prepare"])
    ap.add_argument("--big-only-n", action="store_true",
                    help="at the largest size run only the N-worker configurations (keeps 10k under ten minutes)")
    ap.add_argument("--cache", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "redactor-bench")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--child", type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.child is not None:
        print(json.dumps(child(args.child, args.modes[0], args.workers[0])))
        return

    from redactor.procs import cpu_count

    workers = args.workers or sorted({1, cpu_count()})
    rows = []
    for n in args.sizes:
        corpus = corpus_for(n, args.cache, args.seed)
        for mode in args.modes:
            for w in workers:
                if args.big_only_n and n == max(args.sizes) and w == 1 and len(args.sizes) > 1:
                    continue
                r = run_child(corpus, mode, w)
                rows.append(r)
                print(f"# {json.dumps(r)}", file=sys.stderr)
    print(f"\nmachine: {cpu_count()} cores; Python {sys.version.split()[0]}; start method "
          f"{os.environ.get('REDACTOR_START_METHOD') or 'default'}\n")
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
