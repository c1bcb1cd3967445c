"""Command-line interface.  ``main.py`` holds the group; each command family has its own module.

``start`` here is the ``redactor`` entry point: loading the commands takes a second or two
(Presidio, spaCy and pydantic are imported), and a Ctrl-C in that time is one ``interrupted``
line and exit code 130, as it is once a command runs, not a traceback.
"""

from __future__ import annotations

import sys

from ..errors import Interrupted


def start() -> None:
    try:
        from .main import main as run_cli
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        raise SystemExit(Interrupted.exit_code) from None
    run_cli()
