"""Checks a batch makes once, before its first document, so a broken setup is one clear error.

- The local model: resolved in the model store (installed on first use, as
  the backend would), and its file must start like a GGUF; or, with
  ``local.server_url``, the server must answer.  Otherwise every document
  routed local would fail on its own, with the same error.
- The cloud endpoint, when one is configured: one cheap request
  (``CloudBackend.check()``).  A refused key, a wrong URL or an unreachable
  host then either stops the run before anything is processed, or, with
  ``cloud.fallback_to_local``, leaves the cloud out of this run: documents
  cleared for it are answered locally, each recorded with
  ``cloud-failed.<ErrorClass>``, and the run summary counts them.

Neither check sends any document text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from .backends.cloud import CloudBackend, UnavailableCloud
from .backends.local import LocalBackend
from .backends.server import LocalServerBackend
from .errors import CloudError, LocalModelError, ModelNotFoundError
from .pipeline import Pipeline

#: The first bytes of every GGUF file.
GGUF_MAGIC = b"GGUF"
MODELS_HINT = ("see the known models with `redactor models list`, install one with `redactor models install NAME`, "
               "or set local.model (REDACTOR_LOCAL__MODEL) to the path of a .gguf file")


def check_local_model(pipeline: Pipeline) -> None:
    """The in-process local model exists and looks like a GGUF (or the local server answers);
    raises ``ModelNotFoundError`` / ``LocalModelError`` naming the model and how to get one."""
    local = pipeline.local
    if isinstance(local, LocalServerBackend):  # a llama.cpp server: it must answer (there is no fallback for local)
        local.check()
        return
    if not isinstance(local, LocalBackend):  # a caller's own backend: nothing to resolve here
        return
    name = pipeline.settings.local.model
    try:
        path: Path = local.model_path
    except ModelNotFoundError as e:  # the same class: a name that names nothing stays a usage error (exit 2)
        raise type(e)(f"{e}; {MODELS_HINT}") from None
    try:
        with open(path, "rb") as fh:
            magic = fh.read(len(GGUF_MAGIC))
    except OSError as e:
        raise LocalModelError(f"local model {name!r}: cannot read {path.name} ({e.strerror or type(e).__name__})") from None
    if magic != GGUF_MAGIC:
        raise LocalModelError(f"local model {name!r}: {path.name} is not a GGUF file; {MODELS_HINT}")


def check_cloud(pipeline: Pipeline, warn: Callable[[str], None]) -> CloudError | None:
    """Ask the configured cloud endpoint once.  Returns None when it answers.

    On failure: without ``cloud.fallback_to_local`` the error is raised (the run
    stops before any document); with it, ``warn`` gets one line, the pipeline's
    cloud is replaced by one that fails at once, and the error is returned.
    """
    cloud = pipeline.cloud
    if not isinstance(cloud, CloudBackend):
        return None
    try:
        cloud.check()
    except CloudError as e:
        if not pipeline.settings.cloud.fallback_to_local:
            raise
        pipeline.cloud = UnavailableCloud(cloud, e)
        warn(f"the cloud cannot be used ({type(e).__name__}: {e}); documents cleared for the cloud will be answered "
             f"by the local model instead (cloud.fallback_to_local), recorded as cloud-failed.{type(e).__name__}")
        return e
    return None
