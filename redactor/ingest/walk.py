"""Expand the paths a user gives into the files to read, in a stable order."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..config import IngestSettings


def iter_inputs(paths: Iterable[Path | str], settings: IngestSettings | None = None) -> Iterator[Path]:
    """Files named directly, and every file under a named folder.

    A folder is walked recursively with files and subfolders interleaved by
    name (the order of ``sorted(folder.rglob("*"))``), skipping hidden entries
    (names starting with ``.``) and not following symlinked folders.  A path
    named directly is yielded as is, even if hidden or missing, so that
    ``read_path`` reports it.  Each file is yielded once.  Files are not
    filtered by suffix: ``read_path`` reports an unsupported one.
    ``settings`` is accepted for symmetry with ``read_path``.
    """
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        for file in _walk(path) if path.is_dir() else (path,):
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                yield file


def _walk(folder: Path) -> Iterator[Path]:
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError:
        return  # unreadable folder: nothing to yield; its files cannot be named
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(Path(entry.path))
        elif entry.is_file() or entry.is_symlink():
            yield Path(entry.path)  # a broken symlink is yielded so read_path reports it
