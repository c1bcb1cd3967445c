"""What a reading of the text yields (``_Reading``), and the token tests both
readings share (``_Reader``)."""

from __future__ import annotations

from dataclasses import dataclass

from .cues import _SURNAME_ENDING
from .lexicons import Lexicons
from .runs import Tok

PERSON = "PERSON"
LOCATION = "LOCATION"


@dataclass
class _Reading:
    entity: str
    start: int
    end: int
    score: float


class _Reader:
    """Base of the two readings; the recognizer sets ``lex``."""

    lex: Lexicons

    def _namelike(self, tok: Tok) -> bool:
        """A lexicon name, or a word with a surname ending ("-ović", "-ska", "-sson")."""
        return self.lex.is_name(tok.key) or self._surname_shaped(tok)

    def _surname_shaped(self, tok: Tok) -> bool:
        return len(tok.key) >= 5 and bool(_SURNAME_ENDING.search(tok.text.lower())) and not self.lex.is_word(tok.key)
