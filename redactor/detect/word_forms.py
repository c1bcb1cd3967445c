"""How nursing shorthand writes a known word: derived from another, glued to a number or an
abbreviation.  The doubt pass (``doubt.py``) asks these of a word in a shorthand note that
no word list holds as it is written; each takes what counts as known from the caller.

- *derived*: a clinical word in a form the lists lack, with the suffix of a related form
  swapped ("anuric" from anuria, "tachypneic" from tachypnea, "dialyzed" from dialysis,
  "spirometer" from spirometry, "perfused" from perfusion, "whitish" from white,
  "nasotracheally" from nasotracheal, "dopplerable" from doppler), or behind a prefix
  ("unlabored", "urosepsis"), and "acidotic" from acidosis;
- *vowelless*: three to five letters and no vowel, an abbreviation ("svr", "pcwp", "mcg");
- *glued*: words and numbers written without spaces, every letter part a known word and no
  run of more than three digits ("TYLENOL650MG", "AC700X10"; not "PB7200", which reads as
  a code);
- *run together*: a preposition and a word typed without a space between them ("tosuction",
  "onmonitor"); never two nouns, which is how places are named ("Sandpiper");
- *clipped*: the first five letters or more of a clinical word ("HEMODY", "insuff", "decomp");
- *abbreviation first*: a clinical abbreviation in capitals glued to a word in lower case
  ("AVpaced", "LLquadrant", "PAsats"); a name's particle ("LaRose", "DeHaven") is no
  abbreviation;
- *misspelt*: one letter away from a known word of six letters or more ("diarhea", "VISTED");
  the relation-word rule of ``shorthand_names.py`` asks it too.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Sequence

from .wordsets import Words

Known = Callable[[str], bool]

# (ending of the written form, ending of a related form the lists hold)
_SWAPS = (
    ("eic", "ea"), ("ic", "ia"), ("ic", "a"), ("yzed", "ysis"), ("ysed", "ysis"), ("yze", "ysis"), ("yse", "ysis"),
    ("otic", "osis"), ("meter", "metry"), ("ed", "ion"), ("ing", "ion"), ("ish", ""), ("ish", "e"), ("ally", "al"),
    ("ally", "ic"), ("ous", "a"), ("ness", ""), ("ies", "y"), ("able", ""), ("able", "e"),
)
_PREFIXES = ("un", "non", "re", "uro", "naso", "oro", "bi", "hemo", "pre", "post", "peri", "intra", "sub")
_MIN_STEM = 4


def derived(key: str, known: Known) -> bool:
    """``key`` (lower case, letters only) is a known word with a related suffix or a prefix."""
    if len(key) < 6:
        return False
    if any(key.endswith(a) and len(key) - len(a) >= _MIN_STEM and known(key[: len(key) - len(a)] + b) for a, b in _SWAPS):
        return True
    return any(key.startswith(p) and len(key) - len(p) >= _MIN_STEM + 1
               and (known(rest := key[len(p):]) or derived(rest, known)) for p in _PREFIXES)


_CHUNK = re.compile(r"[^\W\d_]+|\d+")


def glued(word: str, known: Known) -> bool:
    """Words and numbers glued together, each letter part known (a lone "x" is "times")."""
    chunks = _CHUNK.findall(word)
    letters = [c for c in chunks if not c.isdigit()]
    return len(chunks) > 1 and bool(letters) and all(len(c) <= 3 for c in chunks if c.isdigit()) \
        and all(c.lower() == "x" or known(c) for c in letters)


_RUN_ON = ("in", "on", "at", "for", "to", "of", "with")


def run_together(key: str, known: Known) -> bool:
    """``key`` (lower case) is a preposition, then a known word of five letters or more, with
    no space.  Two nouns run together are no such thing: a place or a facility is often
    written so ("Sandpiper", "Crestfield")."""
    return key.isalpha() and any(key.startswith(p) and len(key) - len(p) >= 5 and known(key[len(p):]) for p in _RUN_ON)


_ABBREVIATION_FIRST = re.compile(r"([A-Z]{2,4})([a-z]{2,})")
_PARTICLES = frozenset("LA LE DE DI DA DU DEL MC MAC VAN VON ST".split())


def abbreviation_first(word: str, abbreviation: Known, known: Known) -> bool:
    """"AVpaced": an abbreviation in capitals, then a known word in lower case."""
    m = _ABBREVIATION_FIRST.fullmatch(word)
    return m is not None and m.group(1) not in _PARTICLES and abbreviation(m.group(1)) and known(m.group(2))


def clipped(key: str, vocabulary: Sequence[str]) -> bool:
    """``key`` (five letters or more) opens a word of the sorted ``vocabulary`` at least two letters longer."""
    if len(key) < 5 or not key.isalpha():
        return False
    i = bisect_left(vocabulary, key)
    while i < len(vocabulary) and vocabulary[i].startswith(key):
        if len(vocabulary[i]) >= len(key) + 2:
            return True
        i += 1
    return False


def vowelless(key: str) -> bool:
    """Three to five letters and no vowel (nor "y"): an abbreviation, not a name ("Ng" is too short)."""
    return 3 <= len(key) <= 5 and key.isalpha() and not any(v in key for v in "aeiouy")


def misspelt(word: str, words: Words, known: Callable[[str], bool] | None = None, *, extra_from: int = 7) -> bool:
    """One letter away from a known word of six letters or more (a typo, "diarhea"),
    and no name or place itself.  ``known``: what counts as known (default: the common words);
    ``extra_from``: how long a word must be to have one letter too many ("vomitt")."""
    if len(word) < 6 or not word.isalpha() or word in words.names or word in words.places:
        return False
    known = known or words.common.__contains__
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    for a, b in splits:
        if b and len(word) >= extra_from and known(a + b[1:]):  # one letter too many
            return True
        if len(b) > 1 and known(a + b[1] + b[0] + b[2:]):  # two letters swapped
            return True
        for c in letters:
            if known(a + c + b):  # one letter missing: "diffrence"
                return True
            if b and c != b[0] and len(word) > 6 and known(a + c + b[1:]):  # one letter wrong
                return True
    return False
