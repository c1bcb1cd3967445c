"""The model store's own records: models the user added, optimised encodings, measured settings.

``<data_dir>/models/catalog.json`` holds what ``models/manifest.toml`` (which
ships with the package and is read-only) cannot know::

    {"models": {
        "<name>": {
            "added":     {path, sha256, size, mtime_ns, quant, context_length,
                          has_chat_template, architecture},        # `models add`
            "optimized": {file, sha256, size, quant, source_sha256},  # `models optimize`
            "quality":   {"<quant>": {perplexity, accuracy, correct, items,
                                      tokens_per_s, accepted, note}},
            "bench":     {workers, n_threads, tokens_per_s, docs_per_s, cpus, measured_at}
        }}}

It is rewritten whole, atomically (temp file, fsync, rename), under a file
lock, so concurrent commands never see half of it.  Never values, never
document text: only file facts and measurements.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any, Callable

from filelock import FileLock

from ..errors import ConfigError

CATALOG = "catalog.json"


def catalog_path(store: Path) -> Path:
    return store / CATALOG


def load_catalog(store: Path) -> dict[str, Any]:
    """The catalog of ``store`` (empty when there is none yet)."""
    path = catalog_path(store)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"models": {}}
    except (OSError, ValueError) as e:
        raise ConfigError(f"{path}: cannot read the model catalog ({type(e).__name__}); "
                          "fix or delete it and re-run `redactor models add/optimize`") from None
    if not isinstance(data, dict) or not isinstance(data.get("models", {}), dict):
        raise ConfigError(f"{path}: the model catalog is malformed; fix or delete it")
    data.setdefault("models", {})
    return data


def model_entry(store: Path, name: str) -> dict[str, Any]:
    return load_catalog(store)["models"].get(name, {})


def update_catalog(store: Path, change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """Apply ``change`` to the catalog and write it back atomically; returns the new catalog."""
    store.mkdir(parents=True, exist_ok=True)
    with FileLock(str(store / f".{CATALOG}.lock")):
        data = load_catalog(store)
        change(data)
        tmp = store / f".{CATALOG}.{uuid.uuid4().hex}.part"
        try:
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump(data, f, indent=2, sort_keys=True)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, catalog_path(store))
        finally:
            tmp.unlink(missing_ok=True)
    return data


def set_model_field(store: Path, name: str, key: str, value: Any) -> None:
    """``catalog.models[name][key] = value`` (``None`` removes the key)."""

    def change(data: dict[str, Any]) -> None:
        entry = data["models"].setdefault(name, {})
        if value is None:
            entry.pop(key, None)
        else:
            entry[key] = value
        if not entry:
            data["models"].pop(name, None)

    update_catalog(store, change)
