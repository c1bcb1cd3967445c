"""Declarative recognizer packs: YAML files that compliance can read and edit.

This module builds recognizers from pack entries; their schema and the reading of
pack files are in ``pack_specs.py``.

A pack is a YAML file with a list of ``recognizers``; each entry becomes a Presidio
recognizer.  ``recognizers/README.md`` documents the fields for editors.  In short::

    version: 1
    description: what this pack covers
    recognizers:
      - name: credit_card                 # unique; a later pack may replace it by name
        entity_type: CREDIT_CARD
        category: FINANCIAL               # PII | FINANCIAL | HEALTH | CREDENTIAL | GENERAL | OTHER
        patterns: [{name: grouped, regex: '...', score: 0.9}]
        validator: luhn                   # a name in redactor.detect.validators.VALIDATORS
        invalid_score: null               # null: drop a match that fails the validator
        context: [card, visa]             # whole words, case-insensitive, plural 's' allowed
        context_required: false           # true: report only with a context word nearby
        context_window: 40                # characters before (and after) the match
        context_after: null               # characters after, when different from the window
        context_boost: 0.05               # added to the score when context is nearby
      - name: medication
        entity_type: MEDICATION
        category: HEALTH
        lexicon: medications.txt          # one term per line, in <pack dir>/lexicons/
        lexicon_score: 0.8

Design choices:
  * Regexes are case-sensitive unless they say ``(?i)``: identifiers such as SWIFT
    codes, MBIs and ICD-10 codes are written in capitals, and lower-case lookalikes
    are ordinary words.
  * Context is checked by the recognizer itself on the raw text, so results do not
    depend on the spaCy model; every result is flagged as already context-scored so
    Presidio's lemma enhancer does not boost it a second time.
  * A match that fails its validator is retried without its last one or two
    space-separated chunks (a card number followed by a CVV, an IBAN followed by
    a currency code), then dropped unless ``invalid_score`` keeps it.
  * A context word counts only when no other identifier (a token with 5+ digits)
    stands between it and the match: in "MRN: 00482913, NPI 1234567893" the word
    MRN labels the first number only.
  * In a context-required entry, a match separated from an accepted match only by
    list punctuation ("," ";" "and" "or") is in context too, so lists such as
    ``Dx: E11.9, I10, J45.909`` work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import regex
from presidio_analyzer import EntityRecognizer, LocalRecognizer, Pattern, PatternRecognizer, RecognizerResult

from ..config import resource_dir
from ..errors import PackError
from .pack_specs import (  # the schema and reading live there, light enough for `policy check`
    Category,
    PackSpec,
    PatternSpec,
    RecognizerSpec,
    checksum_types,
    default_pack_paths,
    pack_categories,
    read_pack_specs,
)
from .validators import VALIDATORS

#: Longest one pattern may run over one text; a pack regex that backtracks
#: catastrophically fails loudly instead of hanging the scan.
REGEX_TIMEOUT_S = 60.0

__all__ = [
    "PackSet", "PackRecognizer", "LexiconRecognizer", "load_packs", "default_pack_paths", "read_lexicon",
    "Category", "PackSpec", "PatternSpec", "RecognizerSpec",
]


# -- context ---------------------------------------------------------------------------


# A token with five or more digits.  Between a context word and a match it means the
# word labels that other identifier ("MRN: 00482913, NPI 1234567893"), not this one.
_OTHER_ID = regex.compile(r"[\w-]*\d(?:[\w-]*\d){4}[\w-]*")
# What may separate the items of a list ("E11.9, I10 and J45.909").
_LIST_GAP = regex.compile(r"[\s,;/&•*-]*(?:(?:and|or)[\s,;/&•*-]*)?", regex.IGNORECASE)
# The next item of a one-per-line list ("A. E11.65  Type 2 diabetes\n  B. I10"): the rest
# of the previous line, a line break, an optional item marker.
_LINE_ITEM_GAP = regex.compile(r"[^\n]{0,200}\n[ \t]*(?:(?:[A-Za-z]|\d{1,2})[.)]|[-*•])?[ \t]*")


class _ContextWindow:
    """Whole-word, case-insensitive context words within N characters of a match,
    with no other identifier in between."""

    def __init__(self, words: list[str], before: int, after: int) -> None:
        alternatives = sorted({" ".join(w.lower().split()) for w in words}, key=len, reverse=True)
        # words of a phrase may be split by spaces or hyphens, or run together ("member#")
        # and "_" separates words as a space does: column names like bank_account carry context
        # and a phrase that ends in a sign may touch its value ("ref #A7720419")
        body = "|".join(
            r"[\s_-]*".join(regex.escape(part) for part in w.split(" ")) + (r"s?(?![^\W_])" if w[-1].isalnum() else "")
            for w in alternatives
        )
        self.regex = regex.compile(rf"(?<![^\W_])(?:{body})", regex.IGNORECASE)
        self.before, self.after = before, after

    def near(self, text: str, start: int, end: int) -> bool:
        if self.before:
            lo = max(0, start - self.before)
            for other in _OTHER_ID.finditer(text, lo, start):
                lo = other.end()
            if self.regex.search(text, lo, start):
                return True
        if self.after:
            hi = min(len(text), end + self.after)
            other = _OTHER_ID.search(text, end, hi)
            return self.regex.search(text, end, other.start() if other else hi) is not None
        return False


def _context_window(spec: RecognizerSpec) -> _ContextWindow | None:
    if not spec.context:
        return None
    after = spec.context_window if spec.context_after is None else spec.context_after
    return _ContextWindow(spec.context, spec.context_window, after)


def _metadata(recognizer: EntityRecognizer) -> dict:
    return {
        RecognizerResult.RECOGNIZER_NAME_KEY: recognizer.name,
        RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: recognizer.id,
        # context was already weighed on the raw text; keep Presidio's enhancer out
        RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY: bool(recognizer.context),
    }


@dataclass
class _Hit:
    start: int
    end: int
    score: float
    pattern: Pattern
    validation: bool | None


def _score_by_context(
    recognizer: EntityRecognizer, text: str, hits: list[_Hit], window: _ContextWindow | None, spec: RecognizerSpec
) -> list[RecognizerResult]:
    """Apply context_required / context_boost and turn hits into results."""
    results = []
    last_end: int | None = None
    for hit in sorted(hits, key=lambda h: (h.start, -h.end)):
        score = hit.score
        near = window is not None and window.near(text, hit.start, hit.end)
        if spec.context_required:
            chained = last_end is not None and (
                hit.start <= last_end
                or _LIST_GAP.fullmatch(text, last_end, hit.start) is not None
                or _LINE_ITEM_GAP.fullmatch(text, last_end, hit.start) is not None
            )
            if not (near or chained):
                continue
            last_end = max(hit.end, last_end or 0)
        elif near:
            score = min(1.0, score + spec.context_boost)
        explanation = PatternRecognizer.build_regex_explanation(
            recognizer.name, hit.pattern.name, hit.pattern.regex, hit.score, hit.validation, 0
        )
        explanation.score = score
        results.append(
            RecognizerResult(
                entity_type=recognizer.supported_entities[0],
                start=hit.start,
                end=hit.end,
                score=score,
                analysis_explanation=explanation,
                recognition_metadata=_metadata(recognizer),
            )
        )
    return EntityRecognizer.remove_duplicates(results)


# -- recognizers -----------------------------------------------------------------------


class PackRecognizer(PatternRecognizer):
    """A regex recognizer from a pack entry; checksums run in ``validate_result``."""

    def __init__(self, spec: RecognizerSpec) -> None:
        super().__init__(
            supported_entity=spec.entity_type,
            name=spec.name,
            supported_language=spec.language,
            patterns=[Pattern(p.name, p.regex, p.score) for p in spec.patterns],
            context=list(spec.context) or None,
            global_regex_flags=0,
        )
        self.spec = spec
        self._validator = VALIDATORS[spec.validator] if spec.validator else None
        self._window = _context_window(spec)
        self._compiled = [regex.compile(p.regex) for p in spec.patterns]

    def validate_result(self, pattern_text: str) -> bool | None:
        return None if self._validator is None else self._validator(pattern_text)

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None, regex_flags=None) -> list[RecognizerResult]:
        """Regex matches, validated, then weighed by context.  ``regex_flags`` is ignored:
        a pack's regex carries its own flags."""
        if entities and self.supported_entities[0] not in entities:
            return []
        if self.spec.context_required and not self._window.regex.search(text):
            return []  # no context word anywhere: no match can count, so skip the patterns
        hits = []
        for pattern, compiled in zip(self.patterns, self._compiled):
            try:
                for match in compiled.finditer(text, timeout=REGEX_TIMEOUT_S):
                    hit = self._check(pattern, compiled, text, *match.span())
                    if hit is not None:
                        hits.append(hit)
            except TimeoutError:
                # Skipping would silently miss data; fail the document instead.
                raise PackError(
                    f"recognizer {self.name}: pattern {pattern.name} took over {REGEX_TIMEOUT_S}s "
                    "(catastrophic backtracking?); simplify the regex"
                ) from None
        return _score_by_context(self, text, hits, self._window, self.spec)

    def _check(self, pattern: Pattern, compiled: regex.Pattern, text: str, start: int, end: int) -> _Hit | None:
        if start == end:
            return None
        valid = self.validate_result(text[start:end])
        if valid is not False:
            return _Hit(start, end, pattern.score, pattern, valid)
        shorter = self._trim_to_valid(compiled, text, start, end)
        if shorter is not None:
            return _Hit(start, shorter, pattern.score, pattern, True)
        if self.spec.invalid_score is not None:
            return _Hit(start, end, self.spec.invalid_score, pattern, False)
        return None

    def _trim_to_valid(self, compiled: regex.Pattern, text: str, start: int, end: int) -> int | None:
        """The match without its last one or two space-separated chunks, if that validates."""
        value = text[start:end]
        for _ in range(2):
            head, sep, _tail = value.rpartition(" ")
            if not sep:
                return None
            value = head.rstrip()
            new_end = start + len(value)
            if value and compiled.fullmatch(text, start, new_end) and self.validate_result(value):
                return new_end
        return None


_WORD = regex.compile(r"\w+")
# what may separate the words of a multi-word term in running text
_GAP = regex.compile(r"[ \t\-'’/.]{0,3}(?:\r?\n[ \t]*)?")


@dataclass
class _Term:
    words: tuple[str, ...]  # lower-case, or as written when exact
    exact: bool  # written in capitals (HIV, COPD): matches only in capitals


_CAPS_PREFIX = regex.compile(r"(?<![\w-])[A-Z]{1,2}-$")


@dataclass
class _LexiconIndex:
    by_first_word: dict[str, list[_Term]] = field(default_factory=dict)

    @classmethod
    def build(cls, terms: Iterable[str]) -> "_LexiconIndex":
        index = cls()
        seen = set()
        for term in terms:
            words = tuple(_WORD.findall(term))
            if not words:
                continue
            exact = term.upper() == term and any(ch.isalpha() for ch in term)
            key = (words if exact else tuple(w.lower() for w in words), exact)
            if key in seen:
                continue
            seen.add(key)
            index.by_first_word.setdefault(words[0].lower(), []).append(_Term(*key))
        for entries in index.by_first_word.values():
            entries.sort(key=lambda t: len(t.words), reverse=True)  # longest match first
        return index

    def find(self, text: str) -> Iterable[tuple[int, int]]:
        tokens = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
        i = 0
        while i < len(tokens):
            length = self._match_at(text, tokens, i)
            if length:
                yield tokens[i][0], tokens[i + length - 1][1]
                i += length
            else:
                i += 1

    def _match_at(self, text: str, tokens: list[tuple[int, int, str]], i: int) -> int:
        for term in self.by_first_word.get(tokens[i][2].lower(), ()):
            n = len(term.words)
            if i + n > len(tokens):
                continue
            if term.exact and _CAPS_PREFIX.search(text, max(0, tokens[i][0] - 4), tokens[i][0]):
                continue  # "R-CHOP", "DA-EPOCH": a compound (a regimen), not the acronym CHOP
            for j, word in enumerate(term.words):
                start, _end, token = tokens[i + j]
                if (token if term.exact else token.lower()) != word:
                    break
                if j and not _GAP.fullmatch(text, tokens[i + j - 1][1], start):
                    break
            else:
                return n
        return 0


class LexiconRecognizer(LocalRecognizer):
    """Whole-word terms from a lexicon file, e.g. medication or condition names.

    Matching walks the text's words once and looks each one up in a dict keyed by
    a term's first word, so thousands of terms cost no more than a few."""

    def __init__(self, spec: RecognizerSpec, terms: Iterable[str]) -> None:
        super().__init__(
            supported_entities=[spec.entity_type],
            name=spec.name,
            supported_language=spec.language,
            context=list(spec.context) or None,
        )
        self.spec = spec
        self._index = _LexiconIndex.build(terms)
        self._window = _context_window(spec)
        self._pattern = Pattern(f"lexicon:{spec.lexicon}", "(lexicon)", spec.lexicon_score)

    def load(self) -> None:
        pass

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None) -> list[RecognizerResult]:
        if entities and self.supported_entities[0] not in entities:
            return []
        hits = [_Hit(s, e, self.spec.lexicon_score, self._pattern, None) for s, e in self._index.find(text)]
        return _score_by_context(self, text, hits, self._window, self.spec)

    @property
    def term_count(self) -> int:
        return sum(len(v) for v in self._index.by_first_word.values())


# -- loading ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PackSet:
    """Recognizers built from packs, and the category of every entity type they declare."""

    recognizers: list[EntityRecognizer]
    categories: dict[str, str]
    checksum_types: frozenset[str] = frozenset()


def read_lexicon(path: Path) -> list[str]:
    """One term per line; blank lines and ``#`` comments are ignored."""
    terms = []
    for line in path.read_text(encoding="utf-8").splitlines():
        term = line.split("#", 1)[0].strip()
        if term:
            terms.append(term)
    return terms


def _lexicon_terms(pack_file: Path, spec: RecognizerSpec) -> list[str]:
    candidates = [pack_file.parent / "lexicons" / spec.lexicon, resource_dir("recognizers") / "lexicons" / spec.lexicon]
    for candidate in candidates:
        if candidate.is_file():
            terms = read_lexicon(candidate)
            if not terms:
                raise PackError(f"{pack_file}: recognizer {spec.name}: lexicon {spec.lexicon} has no terms")
            return terms
    raise PackError(f"{pack_file}: recognizer {spec.name}: lexicon: file {spec.lexicon} not found in lexicons/")


def load_packs(paths: Iterable[Path | str]) -> PackSet:
    """Load pack files and folders into recognizers (see ``read_pack_specs``)."""
    specs = read_pack_specs(paths)
    categories = pack_categories(specs)
    recognizers: list[EntityRecognizer] = []
    for pack_file, spec in specs:
        if not spec.enabled:
            continue
        if spec.lexicon:
            recognizers.append(LexiconRecognizer(spec, _lexicon_terms(pack_file, spec)))
        else:
            recognizers.append(PackRecognizer(spec))
    return PackSet(recognizers=recognizers, categories=categories, checksum_types=checksum_types(specs))
