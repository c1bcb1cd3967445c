"""Tokens and maximal runs of capitalised words on one line, the units that
``NameRecognizer`` scores."""

from __future__ import annotations

from dataclasses import dataclass

import regex as re

from .lexicons import fold


_TOKEN = re.compile(r"[\p{L}\p{M}]+(?:(?:-|['’](?!s\b))[\p{L}\p{M}]+)*")  # "O'Neil", not "Neil's"
_NAME_SHAPE = re.compile(
    r"(?:(?:Mc|Mac|O['’]|D['’]|L['’]|De|Di|Da|Du|La|Le|Van|Von|St)?\p{Lu}[\p{Ll}\p{M}]*"
    r"(?:['’][\p{Ll}\p{M}]+)?)(?:-\p{Lu}?[\p{Ll}\p{M}]+)*"
)
_GAP = re.compile(r"[ \t]{1,3}")
_INITIAL_GAP = re.compile(r"\.?[ \t]{1,3}")
# "Smith", or "A" opening a sentence ("A 3/4 inch laceration: sutures?")
_CAPITALISED_WORD = re.compile(r"(?<![\p{L}\p{M}])\p{Lu}[\p{Ll}\p{M}]|(?:^|[.!?][ \t]+|\n[ \t]*)A[ \t]+[\p{Ll}\d]")
_LOWER = re.compile(r"\p{Ll}")
_UPPER = re.compile(r"\p{Lu}")


def typed_in_lower_case(text: str) -> bool:
    """Text written without capitalised words (chat logs, portal messages, lower-cased
    exports), where names hide among ordinary words.  Capitals in codes and acronyms
    ("chart RG55120", "ER") do not make it cased: only a word that starts with a capital
    followed by a lower-case letter does, or a sentence opened by "A"; a text in capitals
    only is not lower case."""
    if _CAPITALISED_WORD.search(text):
        return False
    return len(_LOWER.findall(text)) > len(_UPPER.findall(text))


@dataclass
class Tok:
    start: int
    end: int
    text: str
    key: str

    @property
    def is_initial(self) -> bool:
        return len(self.text) == 1 and self.text.isupper()

    @property
    def is_cap(self) -> bool:
        return self.text[0].isupper()

    @property
    def all_caps(self) -> bool:
        return len(self.text) > 1 and self.text.isupper()

    @property
    def name_shaped(self) -> bool:
        """"Smith", "SMITH", "McDonald", "O'Neil", "Jean-Luc"; not "RDs", "CsA", "iPhone"."""
        return self.all_caps or bool(_NAME_SHAPE.fullmatch(self.text))


@dataclass
class Run:
    toks: list[Tok]
    titled: bool = False  # capitalised English words were trimmed off: a heading or title

    @property
    def start(self) -> int:
        return self.toks[0].start

    @property
    def end(self) -> int:
        return self.toks[-1].end

    @property
    def words(self) -> list[Tok]:
        """Name-bearing tokens: not initials, not particles."""
        return [t for t in self.toks if t.is_cap and not t.is_initial]


def _runs(text: str, particles: frozenset[str]) -> list[Run]:
    """Maximal runs of capitalised tokens on one line, particles allowed inside."""
    runs: list[Run] = []
    cur: list[Tok] = []
    prev: Tok | None = None
    for m in _TOKEN.finditer(text):
        word = m.group()
        if not (word[0].isupper() or (cur and word in particles)):
            if cur:  # a lower-case word ends the run
                runs.append(Run(cur))
                cur = []
            prev = None
            continue
        tok = Tok(m.start(), m.end(), word, fold(word))
        if cur and prev is not None:
            gap = text[prev.end : tok.start]
            if not (_GAP.fullmatch(gap) or (prev.is_initial and _INITIAL_GAP.fullmatch(gap))):
                runs.append(Run(cur))
                cur = []
        if cur or tok.is_cap:
            cur.append(tok)
        prev = tok
    if cur:
        runs.append(Run(cur))
    out = []
    for r in runs:
        while r.toks and not r.toks[-1].is_cap:  # no trailing particles
            r.toks.pop()
        if r.toks:
            out.append(r)
    return out
