"""Prometheus text exposition: requests by endpoint, route and outcome, latency, queue depth.

Labels are fixed vocabularies (paths we serve, routes, outcomes): never a
value, a key or a model-supplied string.
"""

from __future__ import annotations

import threading
from collections import Counter

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


class Metrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: Counter[tuple[str, str, str]] = Counter()
        self._hist: dict[str, list[int]] = {}
        self._sum: Counter[str] = Counter()
        self._count: Counter[str] = Counter()
        self.queue_depth = lambda: 0
        self.scan_cache = lambda: (0, 0)

    def observe(self, endpoint: str, route: str, outcome: str, seconds: float) -> None:
        with self._lock:
            self.requests[(endpoint, route, outcome)] += 1
            hist = self._hist.setdefault(endpoint, [0] * len(BUCKETS))
            for i, le in enumerate(BUCKETS):
                if seconds <= le:
                    hist[i] += 1
            self._sum[endpoint] += seconds
            self._count[endpoint] += 1

    def render(self) -> str:
        out = [
            "# HELP redactor_gateway_requests_total Requests by endpoint, route and outcome.",
            "# TYPE redactor_gateway_requests_total counter",
        ]
        with self._lock:
            for (endpoint, route, outcome), n in sorted(self.requests.items()):
                out.append(f'redactor_gateway_requests_total{{endpoint="{endpoint}",route="{route}",outcome="{outcome}"}} {n}')
            out += [
                "# HELP redactor_gateway_request_seconds Request latency, as seen by the gateway.",
                "# TYPE redactor_gateway_request_seconds histogram",
            ]
            for endpoint, hist in sorted(self._hist.items()):
                for le, n in zip(BUCKETS, hist):
                    out.append(f'redactor_gateway_request_seconds_bucket{{endpoint="{endpoint}",le="{le}"}} {n}')
                out.append(f'redactor_gateway_request_seconds_bucket{{endpoint="{endpoint}",le="+Inf"}} {self._count[endpoint]}')
                out.append(f'redactor_gateway_request_seconds_sum{{endpoint="{endpoint}"}} {self._sum[endpoint]:.6f}')
                out.append(f'redactor_gateway_request_seconds_count{{endpoint="{endpoint}"}} {self._count[endpoint]}')
        hits, misses = self.scan_cache()
        out += [
            "# HELP redactor_gateway_local_queue_depth Requests waiting for or running on the local model.",
            "# TYPE redactor_gateway_local_queue_depth gauge",
            f"redactor_gateway_local_queue_depth {self.queue_depth()}",
            "# HELP redactor_gateway_scan_cache_total Scan cache lookups by result.",
            "# TYPE redactor_gateway_scan_cache_total counter",
            f'redactor_gateway_scan_cache_total{{result="hit"}} {hits}',
            f'redactor_gateway_scan_cache_total{{result="miss"}} {misses}',
        ]
        return "\n".join(out) + "\n"
