"""The first local answer from a fresh ``REDACTOR_HOME``: install from the PyPI package, take
this machine's measurement (``backends/measured.py``), load, answer — what a new container,
CI job, Spark executor or gateway replica pays before its first local answer.

    python benchmarks/bench_first_call.py [--model smollm2-135m-instruct] [--runs 3]

Each run uses a new temporary ``REDACTOR_HOME`` in a fresh process.  Whether this machine has a
measurement is printed (``redactor models install`` makes one); with none, the shipped
encoding is used at once (and the answer is slower per token, not later).  Target: under 5 s
on an idle 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, sys, time
start = time.perf_counter()
from redactor.backends.local import LocalBackend
from redactor.config import LocalSettings
backend = LocalBackend(LocalSettings(model=sys.argv[1]))
path = backend.model_path
installed = time.perf_counter()
c = backend.complete([{"role": "user", "content": "Say hello."}], max_tokens=8)
done = time.perf_counter()
print(json.dumps({"file": path.name, "install_s": round(installed - start, 2), "answer_s": round(done - installed, 2),
                  "total_s": round(done - start, 2), "tokens": c.usage.completion_tokens}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="smollm2-135m-instruct")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from redactor.backends.measured import cache_dir, recall
    from redactor.backends.models import load_manifest

    spec = load_manifest()[args.model]
    got = recall(spec.sha256)
    print(f"measurement on this machine: {'yes, ' + str(got[0].get('chosen')) if got else 'none (shipped encoding)'}"
          f" ({cache_dir()})")
    for i in range(args.runs):
        with tempfile.TemporaryDirectory() as home:
            env = {**os.environ, "REDACTOR_HOME": home, "PYTHONPATH": str(ROOT)}
            out = subprocess.run([sys.executable, "-c", CHILD, args.model], env=env, capture_output=True, text=True,
                                 timeout=600)
            if out.returncode:
                sys.exit(out.stderr)
            print(f"run {i + 1}: {json.loads(out.stdout.strip().splitlines()[-1])}")


if __name__ == "__main__":
    main()
