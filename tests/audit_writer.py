"""A writer process for the fleet tests and the benchmark: appends N records (forever when
N < 0) to the trail at TARGET (a SQLite file or a postgresql:// URL), after the file GO
appears when one is given, and prints each acknowledged seq as it returns.

    python tests/audit_writer.py TARGET N TAG [--key K] [--go FILE] [--retry-s S] [--batch B]

``--batch B`` appends B records at a time (``record_many``).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from redactor.audit import AuditEvent
from redactor.audit.stores import open_trail


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("target")
    p.add_argument("n", type=int)
    p.add_argument("tag")
    p.add_argument("--key", default=None)
    p.add_argument("--go", default="")
    p.add_argument("--retry-s", type=float, default=None)
    p.add_argument("--batch", type=int, default=1)
    a = p.parse_args()
    trail = open_trail(a.target, key=a.key, host=a.tag, retry_s=a.retry_s)
    while a.go and not os.path.exists(a.go):
        time.sleep(0.005)
    i = 0
    while a.n < 0 or i < a.n:
        events = [AuditEvent(run_id=a.tag, document_id=f"{a.tag}/{j}", document_sha256="0" * 64, document_size=j,
                             entity_counts={}, category_counts={}, top_scores={}, route="local", reasons=["r"],
                             policy_version="p", outcome="ok", source="batch")
                  for j in range(i, i + a.batch if a.n < 0 else min(i + a.batch, a.n))]
        seqs = trail.record_many(events) if a.batch > 1 else [trail.record(events[0])]
        print("\n".join(map(str, seqs)), flush=a.n < 0)
        i += len(events)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
