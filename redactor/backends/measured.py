"""What ``models optimize`` measured, kept where a fresh ``REDACTOR_HOME`` finds it.

Measuring a model's re-encodings takes minutes; it depends only on the model file, the CPU
and the llama.cpp build, so it is done once per machine (``redactor models install``, which
setup runs) and kept in a shared cache folder: ``REDACTOR_CACHE_DIR``, else the platform's
user cache folder (``~/.cache/redactor`` on Linux), under ``measured/``.  Each entry is keyed by
the original file's sha256, the CPU's features and the llama-cpp-python version:

    measured/<key>.json    {"chosen", "quant", "sha256", "size", "source_sha256", "encodings"}
    measured/<key>.gguf    the chosen re-encoding (absent when the original was kept)

A model store without its own measurement takes it from here at install time (``models.py``);
with none here either, it uses the shipped file at once and says so, never measuring on a
first call.  Only file facts and measurements: never document text.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import uuid
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import platformdirs


def cache_dir() -> Path:
    value = os.environ.get("REDACTOR_CACHE_DIR")
    return (Path(value).expanduser() if value else Path(platformdirs.user_cache_dir("redactor"))) / "measured"


@lru_cache(maxsize=1)
def machine() -> str:
    """The CPU's features (what decides llama.cpp's fast paths) and the llama.cpp build."""
    flags = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(("flags", "Features")):
                flags = " ".join(sorted(line.split(":", 1)[1].split()))
                break
    except OSError:
        pass
    try:
        llama = metadata.version("llama-cpp-python")
    except metadata.PackageNotFoundError:
        llama = "none"
    return f"{platform.machine()}|{flags or platform.processor()}|llama-cpp-python {llama}"


def key(source_sha256: str) -> str:
    return hashlib.sha256(f"{source_sha256}|{machine()}".encode()).hexdigest()[:32]


def recall(source_sha256: str) -> tuple[dict[str, Any], Path | None] | None:
    """The measurement of the file with digest ``source_sha256`` on this machine, and its chosen
    re-encoding (None when the original was kept); None when nothing usable is cached."""
    folder = cache_dir()
    try:
        entry = json.loads((folder / f"{key(source_sha256)}.json").read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(entry, dict) or entry.get("source_sha256") != source_sha256:
        return None
    if entry.get("quant") is None:
        return entry, None
    path = folder / f"{key(source_sha256)}.gguf"
    if not path.is_file() or path.stat().st_size != entry.get("size"):
        return None
    return entry, path


def remember(source_sha256: str, entry: dict[str, Any], chosen: Path | None) -> None:
    """Keep a measurement (and the chosen re-encoding's file) for every store on this machine.
    Best effort: a cache that cannot be written only means the next store measures again."""
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        name = key(source_sha256)
        if chosen is not None:
            place(chosen, folder / f"{name}.gguf")
        tmp = folder / f".{name}.{uuid.uuid4().hex}.json"
        tmp.write_text(json.dumps({**entry, "source_sha256": source_sha256, "machine": machine()}, indent=1))
        os.replace(tmp, folder / f"{name}.json")
    except OSError:
        pass


def place(source: Path, dest: Path) -> None:
    """``source`` at ``dest``: a hard link when both are on one file system, else a copy."""
    tmp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex}.part")
    try:
        try:
            os.link(source, tmp)
        except OSError:
            shutil.copyfile(source, tmp)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
