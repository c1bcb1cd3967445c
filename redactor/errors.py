"""One error tree for redactor.

Every error the package raises on purpose derives from ``RedactorError``.
A guard refusal or a blocking policy is not an error: it is a route
(``local`` or ``blocked``) with its reason recorded.
Third-party errors (spaCy, openai, llama.cpp, sqlite, parsers) are translated at
the boundary where they happen, so callers only ever catch these.  Messages
never contain document text or detected values: they name files, fields,
entity *types* and error classes only.

    RedactorError
    ├── ConfigError                 bad settings, policy or recognizer pack (CLI exit 2)
    │   ├── PolicyError             policy file invalid; names the field
    │   └── PackError               recognizer pack invalid; names the pack and field
    ├── ModelNotFoundError          spaCy model or GGUF not installed; says how to install
    │   └── UnknownModel            local.model names no known model; suggests one (CLI exit 2)
    ├── IngestError                 one input could not be read; names the file and why
    │   ├── UnsupportedFormat       extension/format we do not read
    │   ├── FileTooLarge            over the configured size limit
    │   ├── EmptyDocument           nothing to read (a batch reports it as skipped, not failed)
    │   ├── BinaryFile              looks binary (skipped, likewise)
    │   └── CorruptDocument         parser failed, encrypted PDF, zip bomb, ...
    ├── BackendError                a model call failed
    │   ├── CloudError              cloud API failed after retries
    │   │   ├── CloudNotConfigured  no key / base URL
    │   │   ├── CloudAuthError      the endpoint refused the API key: HTTP 401/403 (CLI exit 2)
    │   │   ├── CloudEndpointNotFound  nothing OpenAI-compatible at the base URL: HTTP 404 (CLI exit 2)
    │   │   └── CloudUnreachable    no connection, or no answer in time, after retries
    │   ├── LocalModelError         llama.cpp failed or model missing
    │   ├── DocumentTooLong         over the local model's token budget (local.max_input_tokens)
    │   └── EndpointNotAllowed      a local-server URL outside loopback/allow-list
    ├── OutputError                 an output folder or file cannot be created; names it and why
    │                               (CLI exit 2)
    ├── Interrupted                 the user stopped the run (Ctrl-C); in-flight work is
    │                               recorded with outcome ``interrupted`` (CLI exit 130)
    ├── AuditError                  audit store unusable
    │   └── AuditIntegrityError     the chain does not verify
    ├── GatewayError                a gateway request answered with an error (status, code);
    │                               its subtree is in redactor/serve/errors.py
    └── UnexpectedError             a third-party failure while handling one document;
                                    only its class is kept (its message may quote text)
"""

from __future__ import annotations

from pathlib import Path


class RedactorError(Exception):
    """Root of every error redactor raises on purpose."""

    #: CLI exit code when this error ends a command.
    exit_code = 1


class ConfigError(RedactorError):
    exit_code = 2


class PolicyError(ConfigError):
    pass


class PackError(ConfigError):
    pass


class ModelNotFoundError(RedactorError):
    pass


class UnknownModel(ModelNotFoundError, ConfigError):
    """A model name that is neither known nor a file: a usage error, like a typo in a policy."""

    exit_code = 2


def printable_path(path: object) -> str:
    """A path as text that can be printed, stored and encoded: file name bytes that
    are not UTF-8 (kept by Python as surrogates) are shown as ``\\xNN``."""
    text = str(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return text


class OutputError(RedactorError):
    """An output folder or file cannot be created (``--out`` names a file, a read-only place...)."""

    exit_code = 2


def make_dir(path: object) -> None:
    """Create the folder ``path`` and its parents; ``OutputError`` naming it and why when it cannot be."""
    try:
        Path(str(path)).mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"cannot create {printable_path(path)}: {e.strerror}") from None


class IngestError(RedactorError):
    """An input could not be read. ``path`` names it; ``reason`` says why."""

    def __init__(self, path: object, reason: str) -> None:
        self.path = printable_path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")

    def __reduce__(self) -> tuple:  # crosses worker-process pipes whole, subclass included
        return type(self), (self.path, self.reason)


class UnsupportedFormat(IngestError):
    pass


class FileTooLarge(IngestError):
    pass


class EmptyDocument(IngestError):
    pass


class BinaryFile(IngestError):
    pass


class CorruptDocument(IngestError):
    pass


class BackendError(RedactorError):
    pass


class CloudError(BackendError):
    pass


class CloudNotConfigured(CloudError):
    pass


class CloudAuthError(CloudError):
    exit_code = 2


class CloudEndpointNotFound(CloudError):
    exit_code = 2


class CloudUnreachable(CloudError):
    pass


class LocalModelError(BackendError):
    pass


class DocumentTooLong(BackendError):
    pass


class EndpointNotAllowed(BackendError, ConfigError):
    exit_code = 2


class Interrupted(RedactorError):
    exit_code = 130


class AuditError(RedactorError):
    pass


class AuditIntegrityError(AuditError):
    pass


class UnexpectedError(RedactorError):
    pass
