"""The unit of work that flows through every stage."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Document:
    """Text read from one file, one record of a file, or one ETL value.

    ``id`` is the path (plus ``#record`` for multi-record files) or the caller's
    record key.  ``sha256`` is over the extracted text, so identical content
    read from different formats compares equal.  ``notes`` carries reader
    remarks such as "invalid UTF-8 replaced" — never content.
    """

    id: str
    text: str
    source: str = ""
    sha256: str = ""
    size: int = 0
    notes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.sha256:
            object.__setattr__(self, "sha256", hashlib.sha256(self.text.encode("utf-8")).hexdigest())
        if not self.size:
            object.__setattr__(self, "size", len(self.text.encode("utf-8")))

    @classmethod
    def from_text(cls, text: str, id: str = "<text>", source: str = "text") -> "Document":
        return cls(id=id, text=text, source=source)
