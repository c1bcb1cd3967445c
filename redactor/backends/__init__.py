"""Model backends: one small interface, three configurations.

- ``CloudBackend``: the cloud API through the ``openai`` SDK (only for text cleared to leave).
- ``LocalBackend``: a GGUF model run in process by llama-cpp-python.
- ``LocalServerBackend``: an OpenAI-compatible llama.cpp server on loopback or an allow-listed host.

``complete_long()`` answers documents longer than a backend's context window
map-reduce; ``resolve_model()`` finds (and installs) local model files.
Nothing here imports llama_cpp until a local model is actually loaded.
"""

from __future__ import annotations

from ..config import LocalSettings
from .base import Backend, Completion, Message, Usage, approx_tokens
from .cloud import CloudBackend
from .local import LocalBackend, format_plain_prompt
from .longdoc import build_messages, complete_long, split_by_tokens
from .models import install_model, load_manifest, resolve_model, verify_model
from .server import LocalServerBackend, check_local_endpoint


def local_backend(settings: LocalSettings) -> Backend:
    """The configured local backend: the server when ``server_url`` is set, else in process."""
    return LocalServerBackend(settings) if settings.server_url else LocalBackend(settings)


__all__ = [
    "Backend",
    "CloudBackend",
    "Completion",
    "LocalBackend",
    "LocalServerBackend",
    "Message",
    "Usage",
    "approx_tokens",
    "build_messages",
    "check_local_endpoint",
    "complete_long",
    "format_plain_prompt",
    "install_model",
    "load_manifest",
    "local_backend",
    "resolve_model",
    "split_by_tokens",
    "verify_model",
]
