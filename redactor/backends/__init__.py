"""Model backends: one small interface, three configurations.

- ``CloudBackend``: the cloud API through the ``openai`` SDK (only for text cleared to leave).
- ``LocalBackend``: a GGUF model run in process by llama-cpp-python.
- ``LocalServerBackend``: an OpenAI-compatible llama.cpp server on loopback or an allow-listed host.

``complete_long()`` answers documents longer than a backend's context window
map-reduce; ``resolve_model()`` finds (and installs) local model files.
Nothing here imports llama_cpp until a local model is actually loaded.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

# Imported on first use: the openai SDK alone takes ~1.5 s to import, and a
# local model process (``pool.py``) or ``redactor --help`` never needs it.
_EXPORTS = {
    "Backend": ".base", "Completion": ".base", "Message": ".base", "Usage": ".base", "approx_tokens": ".base",
    "CloudBackend": ".cloud",
    "LocalBackend": ".local", "format_plain_prompt": ".local",
    "build_messages": ".longdoc", "complete_long": ".longdoc", "split_by_tokens": ".longdoc",
    "install_model": ".models", "load_manifest": ".models", "resolve_model": ".models", "verify_model": ".models",
    "LocalServerBackend": ".server", "check_local_endpoint": ".server",
}

if TYPE_CHECKING:  # pragma: no cover
    from ..config import LocalSettings
    from .base import Backend


def local_backend(settings: "LocalSettings") -> "Backend":
    """The configured local backend: the server when ``server_url`` is set, else in process."""
    from .local import LocalBackend
    from .server import LocalServerBackend

    return LocalServerBackend(settings) if settings.server_url else LocalBackend(settings)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = sorted([*_EXPORTS, "local_backend"])
