"""Expand the paths a user gives into the files to read, in a stable order."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..config import IngestSettings


def iter_inputs(paths: Iterable[Path | str], settings: IngestSettings | None = None) -> Iterator[Path]:
    """Files named directly, and every entry under a named folder.

    A folder is walked recursively with files and subfolders interleaved by
    name (the order of ``sorted(folder.rglob("*"))``), skipping hidden entries
    (names starting with ``.``) and not following symlinked folders.  Nothing
    is dropped silently: a path named directly, a folder that cannot be listed,
    a broken symlink and a special file (FIFO, socket, device) are yielded as
    they are, so that ``read_path`` reports each one, naming it and the reason.
    Each path is yielded once.  Files are not filtered by suffix: ``read_path``
    reports an unsupported one.  ``settings`` is accepted for symmetry with
    ``read_path``.
    """
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        for file in _walk(path) if path.is_dir() else (path,):
            key = _identity(file)
            if key not in seen:
                seen.add(key)
                yield file


def _identity(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop: read_path reports it
        return path.absolute()


def _walk(folder: Path) -> Iterator[Path]:
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError:
        yield folder  # cannot be listed: read_path says why (permission denied, ...)
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            is_folder = entry.is_dir(follow_symlinks=False)
        except OSError:
            is_folder = False  # read_path reports what stat says
        if is_folder:
            yield from _walk(Path(entry.path))
        else:
            yield Path(entry.path)
