"""The unit of work that flows through every stage."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from ..errors import printable_path


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
        object.__setattr__(self, "id", printable_path(self.id))  # a file name that is not UTF-8
        if not self.sha256:
            object.__setattr__(self, "sha256", hashlib.sha256(self.text.encode("utf-8")).hexdigest())
        if not self.size:
            object.__setattr__(self, "size", len(self.text.encode("utf-8")))

    @classmethod
    def from_text(cls, text: str, id: str = "<text>", source: str = "text") -> "Document":
        return cls(id=id, text=text, source=source)


#: What a reader's note means, as a fixed code the audit trail can hold
#: (a note itself may name a MIME type or an encoding taken from the file).
_NOTE_CODES = (
    ("replaced", "decoded-with-replacement"),
    ("decoded as", "decoded-legacy-encoding"),
    ("charset", "decoded-legacy-encoding"),
    ("attachment", "attachment-skipped"),
    ("empty password", "pdf-empty-password"),
    ("extraction failed", "pdf-page-unreadable"),
)


def note_codes(notes: tuple[str, ...] | list[str]) -> list[str]:
    """The codes of ``notes`` (see ``_NOTE_CODES``), each once, in order; ``other`` for the rest."""
    codes = [next((code for cue, code in _NOTE_CODES if cue in note), "other") for note in notes]
    return list(dict.fromkeys(codes))
