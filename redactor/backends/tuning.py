"""``redactor models bench``: how many model processes, of how many threads, this machine runs best.

For each layout (``threads`` per process × ``workers`` processes, using at
most every core) a ``LocalModelPool`` answers the same small batch of
documents: the reference text (``quality.py``) with its paragraphs rotated,
so no two prompts share a prefix the KV cache could reuse.  Tokens processed
per second of wall time (prompt + generated) decide; the best layout is
written to the store's catalog, where ``run`` reads it (``local.workers`` and
``local.n_threads`` still win when set).
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from ..config import LocalSettings
from .catalog import set_model_field
from .longdoc import SYSTEM_PROMPT, build_messages
from .models import store_dir
from .pool import LocalModelPool, fit_workers
from .quality import reference_text

TASK = "Summarize this document"


def layouts(cpus: int) -> list[tuple[int, int]]:
    """(workers, threads) to try: one thread per core in separate processes, all cores in one, and between."""
    out = []
    threads = 1
    while threads <= cpus:
        out.append((max(1, cpus // threads), threads))
        threads *= 2
    if (1, cpus) not in out:
        out.append((1, cpus))
    return out


def documents(n: int) -> list[str]:
    paragraphs = [p for p in reference_text().split("\n\n") if p.strip()]
    return ["\n\n".join(paragraphs[i % len(paragraphs):] + paragraphs[: i % len(paragraphs)]) for i in range(n)]


def bench_layout(settings: LocalSettings, path: Path, workers: int, threads: int, *, docs_per_worker: int = 2,
                 max_tokens: int = 32) -> dict[str, Any]:
    docs = documents(workers * docs_per_worker)
    with LocalModelPool(settings, path, workers=workers, n_threads=threads) as pool:
        pool.wait_ready()
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=2 * workers) as ex:
            done = list(ex.map(lambda d: pool.complete(build_messages(SYSTEM_PROMPT, TASK, d), max_tokens=max_tokens), docs))
        elapsed = time.perf_counter() - start
    tokens = sum(c.usage.total_tokens for c in done)
    return {"workers": workers, "n_threads": threads, "tokens_per_s": round(tokens / elapsed, 1),
            "docs_per_s": round(len(docs) / elapsed, 3)}


def bench_model(name: str, path: Path, settings: LocalSettings, *, cpus: int, store: Path | None = None,
                progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Measure every layout, record the best for ``name``, and return ``{best..., "results": [...]}``."""
    say = progress or (lambda line: None)
    results = []
    for workers, threads in layouts(cpus):
        workers = fit_workers(path, settings.n_ctx, workers)
        say(f"{name}: {workers} process(es) × {threads} thread(s) ...")
        r = bench_layout(settings, path, workers, threads)
        say(f"  {r['tokens_per_s']} tokens/s, {r['docs_per_s']} docs/s")
        results.append(r)
    best = max(results, key=lambda r: r["tokens_per_s"])
    record = best | {"cpus": cpus, "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                     "results": results}
    set_model_field(store or store_dir(), name, "bench", record)
    return record
