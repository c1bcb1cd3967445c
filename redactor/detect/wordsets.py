"""The word sets the doubt pass and the clinical rules read: what is an ordinary word and
what is a name, built once from the lexicons and keyed by ``fold``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from spacy.lang.en.stop_words import STOP_WORDS

from ..config import resource_dir
from .names.lexicons import fold, load_lexicons, read_terms
from .vocabulary import MONTHS, WEEKDAYS


@dataclass(frozen=True)
class Words:
    common: frozenset[str]  # not names: common English, clinical words, one-word drug/condition terms
    names: frozenset[str]  # given names and surnames, minus function and calendar words
    given: frozenset[str]  # given names that are not also English words ("Victoria" yes, "Page" no)
    first: frozenset[str]  # every given name
    diseases: frozenset[str]  # disease eponyms: "crohns", "alzheimers" is a disease, written fast
    places: frozenset[str]


_CALENDAR = frozenset(WEEKDAYS + MONTHS)


@lru_cache(maxsize=1)
def words_for_doubts() -> Words:
    """Built once from the name recognizer's lexicons (read once for both) and the
    clinical and medical word lists, all keyed by ``fold``."""
    lex = load_lexicons()
    folder = resource_dir("recognizers") / "lexicons"
    medical = {t for f in ("medications.txt", "conditions.txt") for t in read_terms(folder / f) if " " not in t}
    names = (lex.first | lex.last) - {fold(w) for w in STOP_WORDS} - _CALENDAR
    diseases = {w for t in read_terms(folder / "clinical_eponym_diseases.txt") for w in t.split()}
    return Words(
        common=lex.dictionary
        | lex.common
        | read_terms(folder / "clinical_words.txt")
        | read_terms(folder / "medical_words.txt")
        | medical,
        names=names,
        given=(lex.first & names) - lex.ambiguous,
        first=lex.first,
        diseases=frozenset(diseases),
        places=lex.places,
    )


def common_words() -> frozenset[str]:
    return words_for_doubts().common


def first_names() -> frozenset[str]:
    return words_for_doubts().first
