"""redactor: scan documents for sensitive data and route them between a cloud LLM and a local one.

The public API is what ``__all__`` lists; ``tests/test_public_api.py`` pins it.
Names are imported on first use, so ``import redactor`` (and ``redactor --help``)
stays fast: spaCy, Presidio and llama.cpp load only when needed.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "Scanner": "redactor.detect.scanner",
    "ScanResult": "redactor.detect.findings",
    "Finding": "redactor.detect.findings",
    "Document": "redactor.ingest.document",
    "Pipeline": "redactor.pipeline",
    "Result": "redactor.pipeline",
    "Policy": "redactor.policy",
    "Decision": "redactor.policy",
    "Route": "redactor.policy",
    "decide": "redactor.policy",
    "load_policy": "redactor.policy",
    "Settings": "redactor.config",
    "load_settings": "redactor.config",
    "AuditTrail": "redactor.audit.store",
    "AuditEvent": "redactor.audit.event",
    "Redactor": "redactor.redact",
    "pseudonymize": "redactor.transform",
    "restore": "redactor.transform",
    "read_path": "redactor.ingest",
    "RedactorError": "redactor.errors",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'redactor' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
