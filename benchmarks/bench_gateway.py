"""The gateway's cost: added latency against calling the upstream directly, requests per
second, multi-turn cost (scan cache), and time to first token with and without streaming restore.

    python benchmarks/bench_gateway.py [--requests 30] [--tokens 500 4000] [--seconds 10] [--in-process] [--json out.json]

Everything runs on loopback: the recording OpenAI-compatible server (tests/openai_server.py,
answers at once) is the upstream, in this process; the gateway is ``redactor serve`` in its own
process, as users run it (``--in-process``: a uvicorn thread of this process instead, sharing
its interpreter lock with the client and the upstream); the real ``openai`` client calls both.  "Added latency" is gateway minus direct
for the same prompt; the target is p95 added ≤ the scan time of the new text + 10 ms, so
the scan time of the same texts (``Scanner.scan``, no cache) is measured alongside, and
with the doubt pass (``detect_ms``: what ``redactor scan`` reports and routing needs before
text may leave), and, paired request by request, what the gateway adds beyond that
(``added_beyond_detect_ms``: HTTP, the SDK's call upstream, the leak guard, the audit record).  The gateway
writes its audit trail (a temporary REDACTOR_HOME) as in production: one fsynced record per request.
The load average is recorded at the start and the end (2 shared cores).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import openai  # noqa: E402

from gateway_server import GatewayServer  # noqa: E402
from openai_server import OpenAIServer  # noqa: E402
from redactor.audit.store import AuditTrail  # noqa: E402
from redactor.config import load_settings  # noqa: E402
from redactor.detect.doubt import find_doubts  # noqa: E402
from redactor.detect.scanner import Scanner  # noqa: E402
from redactor.serve.app import Gateway, GatewayOptions  # noqa: E402

CLEAN = [ROOT / "sample_docs" / n for n in ("press_release_product_launch.txt", "office_move_memo.txt")]
PII = " Please reply to Dana Whitfield at dana.whitfield@example.com or call 212-555-0134."


def prose(chars: int) -> str:
    base = "\n\n".join(p.read_text(encoding="utf-8") for p in CLEAN)
    out = ""
    while len(out) < chars:
        out += base + "\n\n"
    return out[:chars].rsplit(None, 1)[0] + "\n"  # whole words: a cut word is an unexplained token


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def ms(values: list[float]) -> dict[str, float]:
    return {"p50": round(pct(values, 0.5) * 1000, 1), "p95": round(pct(values, 0.95) * 1000, 1)}


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def ttft(c: openai.OpenAI, messages: list[dict[str, str]]) -> float:
    t = time.perf_counter()
    for chunk in c.chat.completions.create(model="gpt-4o-mini", messages=messages, stream=True):
        if chunk.choices and chunk.choices[0].delta.content:
            return time.perf_counter() - t
    return time.perf_counter() - t


@contextmanager
def gateway_process(upstream_url: str, home: str):
    """``redactor serve`` on a free loopback port, pointed at the upstream; yields (base URL, metrics())."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, OPENAI_BASE_URL=upstream_url, OPENAI_API_KEY="sk-bench", REDACTOR_HOME=home,
               PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-c", "from redactor.cli.main import main; main()", "serve", "--port", str(port),
           "--policy", "redact-pii", "--scan-timeout", "300"]
    proc = subprocess.Popen(cmd, env=env, cwd=home)
    url = f"http://127.0.0.1:{port}"

    def metrics() -> dict[str, int]:
        text = urllib.request.urlopen(url + "/metrics", timeout=10).read().decode()
        return {r: int(float(line.rsplit(" ", 1)[1])) for line in text.splitlines() for r in ("hit", "miss")
                if line.startswith(f'redactor_gateway_scan_cache_total{{result="{r}"}}')}

    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                urllib.request.urlopen(url + "/healthz", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("redactor serve did not start") from None
                time.sleep(0.2)
        yield url + "/v1", metrics
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@contextmanager
def gateway_thread(upstream_url: str, home: str, scanner: Scanner):
    settings = load_settings(None, audit={"enabled": False}, policy="redact-pii",
                             cloud={"base_url": upstream_url, "api_key": "sk-bench", "timeout_s": 120})
    gateway = Gateway(settings, GatewayOptions(scan_timeout_s=300), scanner=scanner,
                      audit=AuditTrail(Path(home) / "audit.db"))
    with GatewayServer(gateway) as gw:
        yield gw.base_url, lambda: {"hit": gateway.cache.hits, "miss": gateway.cache.misses}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=30, help="requests per latency cell")
    ap.add_argument("--seconds", type=float, default=10, help="duration of the requests-per-second run")
    ap.add_argument("--clients", type=int, default=8, help="concurrent clients in the requests-per-second run")
    ap.add_argument("--tokens", type=int, nargs="+", default=[500, 4000],
                    help="prompt sizes of the added-latency cells (~4 characters a token)")
    ap.add_argument("--in-process", action="store_true", help="the gateway in a thread of this process")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    results: dict[str, object] = {"load_average_start": [round(x, 2) for x in os.getloadavg()],
                                  "gateway": "thread of the benchmark" if args.in_process else "redactor serve process"}
    tickets = itertools.count(1)
    home = tempfile.TemporaryDirectory()

    scanner = Scanner(load_settings(None, audit={"enabled": False}, policy="redact-pii"))
    with OpenAIServer() as upstream:
        started = (gateway_thread(upstream.base_url, home.name, scanner) if args.in_process
                   else gateway_process(upstream.base_url, home.name))
        with started as (gateway_url, cache_counts):
            direct = openai.OpenAI(base_url=upstream.base_url, api_key="sk-bench", max_retries=0)
            via = openai.OpenAI(base_url=gateway_url, api_key="x", max_retries=0, timeout=300)
            for _ in range(3):  # warm both paths (connections, spaCy, the SDK)
                via.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": prose(400) + PII}])
                direct.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])

            # -- added latency at ~500 and ~4,000 tokens, new text (cache miss) and repeated text (hit)
            for label, chars in ((f"{t}_tokens", 4 * t) for t in args.tokens):
                for route, tail in (("cloud_redacted", PII), ("cloud", "")):
                    body = prose(chars - len(tail)) + tail
                    d, g_new, g_same, scan, detect = [], [], [], [], []
                    n = args.requests if chars < 10000 else max(5, args.requests // 2)
                    for k in range(n):
                        text = f"Ticket {next(tickets)}. " + body  # new text: nothing cached
                        msgs = [{"role": "user", "content": text}]
                        d.append(timed(lambda: direct.chat.completions.create(model="gpt-4o-mini", messages=msgs)))
                        raw = via.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=msgs)
                        assert raw.headers["x-redactor-route"] == route, raw.headers["x-redactor-route"]
                        g_new.append(timed(lambda: via.chat.completions.create(
                            model="gpt-4o-mini", messages=[{"role": "user", "content": "Once more. " + text}])))
                        g_same.append(timed(lambda: via.chat.completions.create(model="gpt-4o-mini", messages=msgs)))
                        scan.append(timed(lambda: scanner.scan("Again. " + text)))
                        detect.append(timed(lambda: find_doubts("And again. " + text, scanner.scan("And again. " + text).findings)))
                    added_new = [g - x for g, x in zip(g_new, d)]
                    added_same = [g - x for g, x in zip(g_same, d)]
                    results[f"{label}_{route}"] = {
                        "requests": n, "direct_ms": ms(d), "gateway_new_text_ms": ms(g_new),
                        "gateway_repeated_ms": ms(g_same), "added_new_text_ms": ms(added_new),
                        "added_repeated_ms": ms(added_same), "scan_ms": ms(scan), "detect_ms": ms(detect),
                        # paired, request by request: what the gateway adds beyond detecting its new text
                        "added_beyond_detect_ms": ms([a - x for a, x in zip(added_new, detect)]),
                        "target_p95_ms": round(pct(scan, 0.95) * 1000 + 10, 1),
                        "target_p95_with_doubts_ms": round(pct(detect, 0.95) * 1000 + 10, 1),
                    }

            # -- multi-turn: each turn adds one ~500-token message to a growing history
            history = [{"role": "system", "content": "You are a helpful assistant."}]
            turns, added_turns = [], []
            for turn in range(10):
                history.append({"role": "user", "content": f"Ticket {next(tickets)}. " + prose(1800) + PII})
                d = timed(lambda: direct.chat.completions.create(model="gpt-4o-mini", messages=history))
                turns.append(timed(lambda: via.chat.completions.create(model="gpt-4o-mini", messages=history)))
                added_turns.append(turns[-1] - d)
                history.append({"role": "assistant", "content": f"Noted, Dana Whitfield (turn {turn})."})
            results["multi_turn_ms"] = [round(t * 1000, 1) for t in turns]
            results["multi_turn_added_ms"] = [round(t * 1000, 1) for t in added_turns]

            # -- time to first token, streamed: clean (no restore), redacted (restore), direct
            upstream.stream_piece = 4
            clean = [{"role": "user", "content": prose(1800)}]
            redacted = [{"role": "user", "content": prose(1800) + PII}]
            via.chat.completions.create(model="gpt-4o-mini", messages=clean)  # scans cached: TTFT is the gateway's own
            via.chat.completions.create(model="gpt-4o-mini", messages=redacted)
            reps = args.requests
            results["ttft_ms"] = {
                "direct": ms([ttft(direct, redacted) for _ in range(reps)]),
                "gateway_clean_no_restore": ms([ttft(via, clean) for _ in range(reps)]),
                "gateway_redacted_with_restore": ms([ttft(via, redacted) for _ in range(reps)]),
            }

            # -- requests per second: concurrent clients, each adding a short new message to a cached history
            async def rps() -> tuple[int, float]:
                stop = time.monotonic() + args.seconds
                count = [0]
                prefix = [{"role": "user", "content": prose(1800) + PII}, {"role": "assistant", "content": "Noted."}]

                async def one(i: int, c: openai.AsyncOpenAI) -> None:
                    k = 0
                    while time.monotonic() < stop:
                        k += 1
                        msgs = prefix + [{"role": "user", "content": f"Client {i} question {k}: and Dana's manager?"}]
                        await c.chat.completions.create(model="gpt-4o-mini", messages=msgs)
                        count[0] += 1

                start = time.monotonic()
                async with openai.AsyncOpenAI(base_url=gateway_url, api_key="x", max_retries=0, timeout=300) as c:
                    await asyncio.gather(*[one(i, c) for i in range(args.clients)])
                return count[0], time.monotonic() - start

            done, elapsed = asyncio.run(rps())
            results["rps"] = {"clients": args.clients, "requests": done, "seconds": round(elapsed, 1),
                              "requests_per_s": round(done / elapsed, 1)}
            results["scan_cache"] = cache_counts()
    results["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    home.cleanup()

    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
