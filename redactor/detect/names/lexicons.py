"""The lexicons behind ``NameRecognizer``: given names, surnames, places and the
English words that guard against them (``recognizers/lexicons/``), read once and
keyed by ``fold``; plus the fixed word lists (non-names, organisation words,
street words, particles)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from spacy.lang.en.stop_words import STOP_WORDS

from ...config import resource_dir
from ..pii import _EN_TYPES
from ..vocabulary import HONORIFICS, MONTH_ABBREVIATIONS, MONTHS, WEEKDAYS


@lru_cache(maxsize=1 << 16)
def fold(s: str) -> str:
    """Lookup key: case-folded, accents stripped, one kind of apostrophe."""
    if s.isascii():
        return s.lower()
    s = unicodedata.normalize("NFKD", s.replace("’", "'"))
    return "".join(c for c in s if not unicodedata.combining(c)).casefold()


def read_terms(path: Path) -> frozenset[str]:
    """A lexicon file's terms keyed by ``fold``; a missing file is an empty list."""
    if not path.exists():
        return frozenset()
    keys = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            keys.add(fold(" ".join(line.split())))
    return frozenset(keys)


# Capitalised words that are not names, whatever a lexicon says: the calendar,
# honorifics and roles, greetings, and words that open sentences and headings.
_NON_NAMES = [*MONTHS, *MONTH_ABBREVIATIONS, *WEEKDAYS, *HONORIFICS] + """
today tomorrow yesterday sr jr esq phd md
dear hi hello hey thanks thank regards sincerely cheers best yours welcome congratulations
said says asked told
will can shall may might must could would should
north south east west northern southern eastern western central upper lower new old great saint st
street avenue road lane drive court boulevard place square
president director manager doctor nurse patient officer captain general chief judge senator
professor mister uncle aunt grandma grandpa mom mum dad
christmas easter god lord jesus allah
english french german spanish italian american british european african asian
""".split()

# Words that make a run an organisation, not a person or a place.
_ORG_WORDS = frozenset(fold(w) for w in """
inc llc ltd limited corp corporation co company companies group holdings partners associates
bank university college school academy institute foundation hospital hosp hospice clinic center centre
agency society association club orchestra band solutions technologies technology systems
services industries international insurance capital labs media markets software consulting
pharmaceuticals pharma healthcare medical council department ministry committee trust fund
airlines airways motors foods enterprises ventures gmbh ag sa bv nv ab oy spa srl plc llp lp
church cathedral museum gallery theatre theater stadium hotel restaurant cafe bar festival
records studios productions press times post journal news magazine review weekly daily
""".split())

_STREET_WORDS = frozenset(fold(w) for w in _EN_TYPES.split("|"))

# Lower-case words allowed inside a name ("Willemine ten Pas") or a place
# ("Villafranca del Cid", "Ostrov nad Ohří").
_NAME_PARTICLES = frozenset("van von der den de del della di da dos das du le la ten ter bin binti ibn al el zu".split())
_PLACE_PARTICLES = _NAME_PARTICLES | frozenset("nad pod u am an im sur sous upon on-the y i e of".split())


@dataclass(frozen=True)
class Lexicons:
    first: frozenset[str]
    last: frozenset[str]
    places: frozenset[str]
    towns: frozenset[str]  # small US towns: places only beside a place cue ("in Montpelier")
    common: frozenset[str]  # frequent words: never a name on their own
    dictionary: frozenset[str]  # English words; a name only if a lexicon says so
    ambiguous: frozenset[str]  # names and places that are also English words ("Love", "Reading")

    def is_name(self, key: str) -> bool:
        return key in self.first or key in self.last

    def is_word(self, key: str) -> bool:
        """An English word that is not also a known name or place."""
        return key in self.common or (
            key in self.dictionary and key not in self.first and key not in self.last and key not in self.places
        )


@lru_cache(maxsize=4)
def load_lexicons(folder: Path | None = None) -> Lexicons:
    """Read the lexicon files once per folder; the result is immutable and shared."""
    folder = folder or resource_dir("recognizers") / "lexicons"
    common = set(read_terms(folder / "frequent_words.txt")) | {fold(w) for w in STOP_WORDS} | set(_NON_NAMES)
    dictionary = read_terms(folder / "common_words.txt")
    return Lexicons(
        first=read_terms(folder / "first_names.txt"),
        last=read_terms(folder / "surnames.txt"),
        places=read_terms(folder / "places.txt"),
        towns=read_terms(folder / "us_towns.txt"),
        common=frozenset(common),
        dictionary=dictionary,
        ambiguous=read_terms(folder / "name_words.txt"),
    )
