"""The one interface every model backend implements, and the values it returns.

A backend answers a list of chat messages with a ``Completion``.  Cloud, local
in-process and local-server backends differ by configuration, not by the
shape of the call, so the pipeline never needs to know which one it holds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

#: One chat message: ``{"role": "system" | "user" | "assistant", "content": "..."}``.
Message = dict[str, str]


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: "Usage") -> "Usage":
        return Usage(self.prompt_tokens + other.prompt_tokens, self.completion_tokens + other.completion_tokens)


@dataclass(frozen=True)
class Completion:
    """A model's answer plus what the audit trail needs about the call.

    ``backend`` is ``"cloud"``, ``"local"`` or ``"local_server"``.
    ``endpoint_host`` is the host the text was sent to (``"in-process"`` for
    the local model).  ``price_known`` is False when the model had no entry in
    the price table, so ``cost_usd`` is 0 only because we do not know.
    ``calls`` counts model calls behind this answer (more than one when a long
    document was answered map-reduce) and ``retries`` counts retried attempts.
    """

    text: str
    usage: Usage
    model: str
    latency_ms: float
    backend: str
    endpoint_host: str
    cost_usd: float = 0.0
    price_known: bool = True
    calls: int = 1
    retries: int = 0


@runtime_checkable
class Backend(Protocol):
    """What the dispatcher talks to.  Implementations must be thread-safe."""

    name: str
    model: str
    context_tokens: int

    def count_tokens(self, text: str) -> int:
        """Tokens ``text`` takes in this backend's model (approximate for cloud)."""
        ...

    def complete(self, messages: list[Message], *, max_tokens: int) -> Completion:
        """Answer ``messages`` with at most ``max_tokens`` new tokens."""
        ...


def approx_tokens(text: str) -> int:
    """The usual rule of thumb for English with BPE tokenizers: four characters a token."""
    return math.ceil(len(text) / 4)
