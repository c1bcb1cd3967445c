"""``Scanner``: the detection stage.  Text in, categorised findings out.

Presidio's ``AnalyzerEngine`` is built explicitly from settings (no silent
defaults), texts are batched through spaCy's ``nlp.pipe`` with only NER enabled,
and the raw results are refined (see ``refine.py``) before they leave.
Thread-safe: spaCy and Presidio calls are serialised by one lock per Scanner.
"""

from __future__ import annotations

import re
import threading
from itertools import islice
from typing import Iterable, Iterator

from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from ..config import DetectSettings, Settings, load_settings
from ..ingest.document import Document
from .candidate import STATISTICAL_RECOGNIZERS
from .categories import category_of
from .context import RawTextContextEnhancer
from .findings import Finding, ScanResult
from .nlp import NerOnlySpacyEngine
from .refine import refine
from .registry import build_registry
from .shorthand import CUE_RECOGNIZER
from .shorthand_names import _ACTION, CREDENTIAL

# spaCy's NER is run on pieces of at most this many characters; regex recognizers
# see the whole text.  Keeps memory flat on very large documents.
NER_PIECE_CHARS = 100_000


class Scanner:
    """Find PII, financial and health entities in text.

    >>> scanner = Scanner()
    >>> [f.entity_type for f in scanner.scan("Call me at 212-555-0134").findings]
    ['PHONE_NUMBER']
    """

    def __init__(self, settings: Settings | DetectSettings | None = None) -> None:
        if settings is None:
            settings = load_settings()
        self.settings: DetectSettings = settings.detect if isinstance(settings, Settings) else settings
        built = build_registry(self.settings)
        self.categories = built.categories
        self.checksum_types = built.checksum_types
        self._nlp = NerOnlySpacyEngine(self.settings.spacy_model, self.settings.language, beside=built.beside)
        self._nlp.load()
        self._analyzer = _Analyzer(
            registry=built.registry,
            nlp_engine=self._nlp,
            supported_languages=[self.settings.language],
            default_score_threshold=0.0,
            context_aware_enhancer=RawTextContextEnhancer(),
        )
        self._lock = threading.Lock()

    @property
    def supported_entities(self) -> list[str]:
        return sorted(self._analyzer.get_supported_entities(self.settings.language))

    def scan(self, text: str | Document) -> ScanResult:
        return next(self.scan_many([text]))

    def scan_many(self, texts: Iterable[str | Document], batch_size: int | None = None) -> Iterator[ScanResult]:
        """Stream results in input order; memory is bounded by one batch."""
        size = batch_size or self.settings.batch_size
        it = iter(texts)
        while batch := list(islice(it, size)):
            yield from self._scan_batch(batch)

    def _scan_batch(self, batch: list[str | Document]) -> list[ScanResult]:
        ids = [b.id if isinstance(b, Document) else "" for b in batch]
        texts = [b.text if isinstance(b, Document) else str(b) for b in batch]
        short = [i for i, t in enumerate(texts) if len(t) <= NER_PIECE_CHARS]
        out: list[ScanResult | None] = [None] * len(texts)
        with self._lock:
            artifacts = self._nlp.pipe([texts[i] for i in short], batch_size=len(short) or 1)
            for i, art in zip(short, artifacts):
                out[i] = self._analyze(texts[i], art, ids[i])
            for i, t in enumerate(texts):
                if out[i] is None:
                    out[i] = self._analyze_long(t, ids[i])
        return out  # type: ignore[return-value]

    def _analyze(self, text: str, artifacts: NlpArtifacts, doc_id: str) -> ScanResult:
        raw = self._analyzer.analyze(text, language=self.settings.language, nlp_artifacts=artifacts)
        return ScanResult(text=text, findings=self._findings(text, raw), document_id=doc_id)

    def _analyze_long(self, text: str, doc_id: str) -> ScanResult:
        """NER piecewise on line boundaries; each piece analysed, offsets shifted back."""
        raw = []
        for offset, piece in _pieces(text, NER_PIECE_CHARS):
            art = next(self._nlp.pipe([piece]))
            for r in self._analyzer.analyze(piece, language=self.settings.language, nlp_artifacts=art):
                r.start += offset
                r.end += offset
                raw.append(r)
        return ScanResult(text=text, findings=self._findings(text, raw), document_id=doc_id)

    def _findings(self, text: str, raw) -> tuple[Finding, ...]:
        return tuple(
            Finding(
                entity_type=c.entity_type,
                category=category_of(c.entity_type, self.categories),
                start=c.start,
                end=c.end,
                score=round(c.score, 3),
                recognizer=c.recognizer,
            )
            for c in refine(text, raw, self.settings.min_score)
        )


class _Analyzer(AnalyzerEngine):
    """Presidio's engine without its per-recognizer context hook, which scans
    recognizers × results on every text (a tenth of scan time) to call a method
    that none of redactor's recognizers override.  A recognizer that does
    override it still gets it."""

    def _enhance_using_context(self, text, raw_results, nlp_artifacts, recognizers, context=None):
        if any(type(r).enhance_using_context is not EntityRecognizer.enhance_using_context for r in recognizers):
            results = super()._enhance_using_context(text, raw_results, nlp_artifacts, recognizers, context)
        else:
            results = self.context_aware_enhancer.enhance_using_context(
                text=text, raw_results=raw_results, nlp_artifacts=nlp_artifacts, recognizers=recognizers,
                context=context,
            )
        # Presidio drops a result contained in a longer one of its type (``remove_duplicates``),
        # and keeps one of equal spans by score alone: settle those cases first
        results = _without_credential_wrappers(text, results)
        _keep_dates_inside_guesses(results)
        return _evidence_first(results)


# Recognizers that name a person or place by the words around it (a title, an initial and
# a verb, a relation word), which refinement trusts more than a statistical guess; the
# shorthand cues first, as refinement exempts them from the checks for words in capitals.
_BY_EVIDENCE = {CUE_RECOGNIZER: 2, "NameRecognizer": 1}


def _evidence_first(results: list[RecognizerResult]) -> list[RecognizerResult]:
    """Where spaCy and a recognizer of evidence find the same span of the same type, keep the
    latter, at the better of the two scores: Presidio keeps one of equal spans by score alone,
    and refinement would then weigh "K. BAKER IN TO STRIP" as spaCy's bare guess."""
    best: dict[tuple[str, int, int], RecognizerResult] = {}
    score: dict[tuple[str, int, int], float] = {}
    for r in results:
        key = (r.entity_type, r.start, r.end)
        score[key] = max(score.get(key, 0.0), r.score)
        if key not in best or _BY_EVIDENCE.get(_recognizer(r), 0) > _BY_EVIDENCE.get(_recognizer(best[key]), 0):
            best[key] = r
    kept = []
    for r in results:
        key = (r.entity_type, r.start, r.end)
        winner = best[key]
        if _BY_EVIDENCE.get(_recognizer(winner), 0) == 0:
            kept.append(r)  # no evidence on this span: Presidio chooses, as before
        elif winner is r:
            r.score = score[key]
            kept.append(r)
    return kept


def _without_credential_wrappers(text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
    """Where a statistical span only adds a credential or a verb to a recognizer of evidence's ("TOM
    FOLEY RRT" around the signature "TOM FOLEY", "N. BRANDONE AWARE"), drop the former: Presidio would
    drop the signature as contained in it, and refinement then the whole span as an eponym or as
    words in capitals."""
    evidence = [r for r in results if _BY_EVIDENCE.get(_recognizer(r), 0)]
    if not evidence:
        return results
    kept = []
    for r in results:
        inner = None if any(r is e for e in evidence) else next(
            (e for e in evidence if e.entity_type == r.entity_type and r.start <= e.start and e.end <= r.end
             and (e.start, e.end) != (r.start, r.end)
             and _CREDENTIALS_ONLY.fullmatch(text, r.start, e.start) and _CREDENTIALS_ONLY.fullmatch(text, e.end, r.end)),
            None)
        if inner is None:
            kept.append(r)
        else:
            inner.score = max(inner.score, r.score)
    return kept


def _keep_dates_inside_guesses(results: list[RecognizerResult]) -> None:
    """spaCy reads "January 4, 2026    Discharge Date: Jan 13, 2026" as one date, which refinement
    cuts at the gap; Presidio would first have dropped the dates found inside it as contained,
    and "Jan 13, 2026" with them.  A date a pattern found inside spaCy's keeps its place: its
    score is raised to the guess's, so neither contains the other at a lower score."""
    guesses = [r for r in results if r.entity_type == "DATE_TIME" and _recognizer(r) in STATISTICAL_RECOGNIZERS]
    for r in results:
        if r.entity_type == "DATE_TIME" and _recognizer(r) not in STATISTICAL_RECOGNIZERS:
            for g in guesses:
                if g.start <= r.start and r.end <= g.end and r.score <= g.score:
                    r.score = min(1.0, g.score + 0.01)


# a credential or what a clinician does next: "TOM FOLEY RRT", "N. BRANDONE AWARE"
_CREDENTIALS_ONLY = re.compile(rf"(?i)[\s,.;:]*(?:(?:{CREDENTIAL}|{_ACTION})\b\.?[\s,.;:]*)*")


def _recognizer(r: RecognizerResult) -> str | None:
    return (r.recognition_metadata or {}).get(RecognizerResult.RECOGNIZER_NAME_KEY)


def _pieces(text: str, size: int) -> Iterator[tuple[int, str]]:
    """Split at the last newline (or space) before ``size``, with a small overlap so
    a value on a boundary is seen whole in one piece."""
    overlap = 200
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            cut = max(text.rfind("\n", start + size // 2, end), text.rfind(" ", start + size // 2, end))
            end = cut if cut > start else end
        yield start, text[start:end]
        if end >= len(text):
            break
        start = max(end - overlap, start + 1)
