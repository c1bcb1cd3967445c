"""The audit trail on one host (SQLite) against a fleet's trail (PostgreSQL), in the same run:

1. records appended per second by 1, 4 and 16 concurrent writer processes (each record
   acknowledged only once durable: SQLite ``synchronous = FULL``, PostgreSQL
   ``synchronous_commit = on`` with ``fsync = on``), one ``record()`` at a time, and (1 and
   4 writers) ``record_many`` of 100 at a time, as a Spark merge could;
2. what the audit store adds to a gateway request, p50 / p95: the same cached request through
   an in-process gateway (the recording upstream on loopback) with no trail, with each store,
   and with each store while 4 other writer processes append as fast as they can;
3. ``verify`` and ``report`` (a subprocess running the CLI: wall time and peak memory) on
   trails of each size given.

    python benchmarks/bench_audit.py [--writers 1 4 16] [--per-writer 300] [--requests 200]
                                     [--sizes 200000 1000000] [--json out.json]

PostgreSQL is a throwaway server on 127.0.0.1 (tests/pg_server.py, the Debian binaries), on
the same disk as the SQLite file.  Large trails are filled in bulk (sealed records written
straight into the tables, one transaction), not through ``record()``: the fill is not what
is measured.  The load average is printed at the start and the end: on a shared machine,
compare the stores within one run, not across runs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from pg_server import PostgresServer  # noqa: E402
from redactor.audit import AuditEvent, chain  # noqa: E402
from redactor.audit.postgres import init_db  # noqa: E402
from redactor.audit.stores import open_trail  # noqa: E402
from redactor.audit.trail import COLUMNS  # noqa: E402
from redactor.audit.validate import event_record  # noqa: E402

WRITER = ROOT / "tests" / "audit_writer.py"
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "REDACTOR_AUDIT_KEY": "bench-key"}


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def writers(target: str, n: int, per: int, tmp: Path, batch: int = 1) -> float:
    """Records per second over ``n`` writer processes released at once (``batch``: per call)."""
    go = tmp / f"go-{time.monotonic_ns()}"
    procs = [subprocess.Popen([sys.executable, str(WRITER), target, str(per), f"w{i}", "--key", "bench-key",
                               "--go", str(go), "--batch", str(batch)], env=ENV, stdout=subprocess.DEVNULL)
             for i in range(n)]
    time.sleep(1.0 + 0.1 * n)  # all connected and waiting
    start = time.perf_counter()
    go.touch()
    if any(p.wait() for p in procs):
        raise SystemExit("a writer failed")
    return n * per / (time.perf_counter() - start)


def background(target: str, n: int) -> list[subprocess.Popen]:
    return [subprocess.Popen([sys.executable, str(WRITER), target, "-1", f"bg{i}", "--key", "bench-key"],
                             env=ENV, stdout=subprocess.DEVNULL) for i in range(n)]


def gateway_latency(sink, requests: int) -> list[float]:
    import openai

    from gateway_server import GatewayServer
    from openai_server import OpenAIServer
    from redactor.config import load_settings
    from redactor.serve.app import Gateway, GatewayOptions

    with OpenAIServer() as upstream:
        settings = load_settings(None, audit={"enabled": False}, policy="redact-pii",
                                 cloud={"base_url": upstream.base_url, "api_key": "sk-bench"})
        gw = GatewayServer(Gateway(settings, GatewayOptions(), scanner=SCANNER, audit=sink)).start()
        try:
            client = openai.OpenAI(base_url=gw.base_url, api_key="x", max_retries=0)
            msgs = [{"role": "user", "content": "Summarise the office move memo in one line."}]
            for _ in range(5):  # warm: scan cache, connections
                client.chat.completions.create(model="gpt-4o-mini", messages=msgs)
            out = []
            for _ in range(requests):
                t = time.perf_counter()
                client.chat.completions.create(model="gpt-4o-mini", messages=msgs)
                out.append((time.perf_counter() - t) * 1000)
            return out
        finally:
            gw.stop()


def fill(target: str, n: int) -> None:
    """``n`` sealed records written in bulk (one transaction), as ``record()`` would seal them."""
    key = b"bench-key"
    prev = chain.GENESIS
    names = ["seq", *[{"timestamp": "ts"}.get(c, c) for c in COLUMNS], "prev_hash", "hash", "record"]

    def rows():
        nonlocal prev
        for i in range(1, n + 1):
            r = event_record(AuditEvent(
                run_id=f"run-{i // 5000}", document_id=f"inbox/doc_{i}.txt",
                document_sha256=hashlib.sha256(str(i).encode()).hexdigest(), document_size=1000 + i % 997,
                entity_counts={"PERSON": 1 + i % 3, "US_SSN": i % 2}, category_counts={"PII": 2},
                top_scores={"PERSON": 0.85}, route=("local", "cloud", "cloud_redacted", "blocked")[i % 4],
                reasons=["category.PII"], reason_actions=["local"], policy_version="a" * 64, policy_name="default",
                outcome="ok", backend="local", model="smollm2", tokens_in=300, tokens_out=40, source="batch",
                host=f"host-{i % 3}", timestamp=f"2026-03-{1 + i * 28 // n:02d}T12:00:00+00:00"))
            r["seq"] = i
            body, digest = chain.seal(prev, r, key)
            yield (i, *[r.get(c, "") for c in COLUMNS], prev, digest, body)
            prev = digest

    if target.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(target) as conn, conn.cursor() as cur:
            with cur.copy(f"COPY redactor.records ({', '.join(names)}) FROM STDIN") as copy:
                for row in rows():
                    copy.write_row(row)
    else:
        open_trail(target, key="bench-key").close()  # the schema
        import sqlite3

        with sqlite3.connect(target) as conn:
            conn.executemany(f"INSERT INTO records ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                             rows())


_MEASURED = ("import atexit, resource, sys\n"
             "atexit.register(lambda: sys.stderr.write("
             "f'\\nmaxrss_kb {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\\n'))\n"
             "from redactor.cli.main import main\n"
             "sys.argv[0] = 'redactor'\n"
             "main()\n")


def cli(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of ``redactor ARGS`` in a fresh process."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _MEASURED, *args], env=ENV, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"redactor {' '.join(args[:3])} failed: {done.stdout[-300:]} {done.stderr[-300:]}")
    peak_kb = int(done.stderr.rsplit("maxrss_kb ", 1)[1].split()[0])
    return wall, peak_kb / 1024


SCANNER = None


def main() -> None:
    global SCANNER
    ap = argparse.ArgumentParser()
    ap.add_argument("--writers", type=int, nargs="*", default=[1, 4, 16], help="none: skip")
    ap.add_argument("--per-writer", type=int, default=300, help="records each writer appends")
    ap.add_argument("--requests", type=int, default=200, help="gateway requests per latency cell; 0: skip")
    ap.add_argument("--sizes", type=int, nargs="*", default=[200_000, 1_000_000])
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args()
    results: dict = {"load_start": os.getloadavg(), "cpus": os.cpu_count()}
    print(f"load average {results['load_start']} on {results['cpus']} cpus", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-audit-") as tmp_, PostgresServer(fsync=True) as pg:
        tmp = Path(tmp_)

        def new(store: str) -> str:
            if store == "sqlite":
                return str(tmp / f"audit-{time.monotonic_ns()}.db")
            url = pg.create_database()
            init_db(url)
            return url

        results["append_per_s"] = {}
        for n in a.writers:
            for store in ("sqlite", "postgres"):
                rate = writers(new(store), n, a.per_writer, tmp)
                results["append_per_s"][f"{store} x{n}"] = round(rate)
                print(f"append: {store:8} {n:2} writer(s): {rate:7.0f} records/s", flush=True)
        for n in a.writers[:2]:
            for store in ("sqlite", "postgres"):
                rate = writers(new(store), n, a.per_writer * 10, tmp, batch=100)
                results["append_per_s"][f"{store} x{n} record_many(100)"] = round(rate)
                print(f"append: {store:8} {n:2} writer(s), record_many of 100: {rate:7.0f} records/s", flush=True)

        if a.requests:
            from redactor.config import DetectSettings
            from redactor.detect.scanner import Scanner

            SCANNER = Scanner(DetectSettings())
            results["gateway_ms"] = {}
            base = gateway_latency(None, a.requests)
            results["gateway_ms"]["no trail"] = (round(pct(base, 0.5), 2), round(pct(base, 0.95), 2))
            print(f"gateway: no trail: p50 {pct(base, 0.5):.2f} ms, p95 {pct(base, 0.95):.2f} ms", flush=True)
            for store in ("sqlite", "postgres"):
                for load in (0, 4):
                    target = new(store)
                    bg = background(target, load)
                    try:
                        time.sleep(1.0 if load else 0)
                        with open_trail(target, key="bench-key", host="gw") as trail:
                            lat = gateway_latency(trail, a.requests)
                    finally:
                        for p in bg:
                            p.kill()
                            p.wait()
                    added = (pct(lat, 0.5) - pct(base, 0.5), pct(lat, 0.95) - pct(base, 0.95))
                    name = f"{store}" + (f" + {load} writers" if load else "")
                    results["gateway_ms"][name] = (round(pct(lat, 0.5), 2), round(pct(lat, 0.95), 2))
                    print(f"gateway: {name:22}: p50 {pct(lat, 0.5):.2f} ms, p95 {pct(lat, 0.95):.2f} ms "
                          f"(added {added[0]:+.2f} / {added[1]:+.2f} ms)", flush=True)

        results["read"] = {}
        for size in a.sizes:
            for store in ("sqlite", "postgres"):
                target = new(store)
                t = time.perf_counter()
                fill(target, size)
                filled = time.perf_counter() - t
                v = cli(["audit", "--db", target, "verify"])
                r = cli(["audit", "--db", target, "report", "--out", str(tmp / f"r-{store}-{size}.html")])
                results["read"][f"{store} {size}"] = {"verify_s": round(v[0], 1), "verify_mb": round(v[1]),
                                                      "report_s": round(r[0], 1), "report_mb": round(r[1])}
                print(f"read: {store:8} {size:>9,} records (filled in {filled:.0f} s): verify {v[0]:.1f} s "
                      f"({v[1]:.0f} MB), report {r[0]:.1f} s ({r[1]:.0f} MB)", flush=True)
    results["load_end"] = os.getloadavg()
    print(f"load average {results['load_end']}")
    if a.json:
        a.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
