"""Context words raise scores: matched on the raw text, not on spaCy lemmas.

Presidio's ``LemmaContextAwareEnhancer`` needs the lemmatizer (which NER does not)
and deep-copies every result list on every call, about a tenth of scan time.
This enhancer gives the same effect for the short label words recognizers use
as context ("ssn", "license", "passport"): a whole-word, case-insensitive match
within ``before`` characters ahead of the value (or ``after`` behind it) adds
``boost`` to the score, at least ``min_score``.  Results a recognizer already
scored with context (the packs do) are left alone.
"""

from __future__ import annotations

import re
from typing import List, Optional

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.context_aware_enhancers import ContextAwareEnhancer
from presidio_analyzer.nlp_engine import NlpArtifacts

_ENHANCED = RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY
_RECOGNIZER_ID = RecognizerResult.RECOGNIZER_IDENTIFIER_KEY


class RawTextContextEnhancer(ContextAwareEnhancer):
    def __init__(self, boost: float = 0.35, min_score: float = 0.4, before: int = 40, after: int = 10) -> None:
        super().__init__(context_similarity_factor=boost, min_score_with_context_similarity=min_score,
                         context_prefix_count=0, context_suffix_count=0)
        self.before, self.after = before, after
        self._patterns: dict[str, re.Pattern[str] | None] = {}

    def _pattern(self, recognizer: EntityRecognizer) -> re.Pattern[str] | None:
        if recognizer.id not in self._patterns:
            words = sorted({w.lower() for w in (recognizer.context or []) if w.strip()}, key=len, reverse=True)
            self._patterns[recognizer.id] = (
                re.compile(r"(?<![^\W_])(?:" + "|".join(re.escape(w) for w in words) + r")(?![^\W_])", re.IGNORECASE)
                if words else None
            )
        return self._patterns[recognizer.id]

    def enhance_using_context(
        self,
        text: str,
        raw_results: List[RecognizerResult],
        nlp_artifacts: NlpArtifacts,
        recognizers: List[EntityRecognizer],
        context: Optional[List[str]] = None,
    ) -> List[RecognizerResult]:
        by_id = {r.id: r for r in recognizers}
        for result in raw_results:
            meta = result.recognition_metadata or {}
            recognizer = by_id.get(meta.get(_RECOGNIZER_ID))
            if meta.get(_ENHANCED) or recognizer is None:
                continue
            pattern = self._pattern(recognizer)
            if pattern is None:
                continue
            if pattern.search(text, max(0, result.start - self.before), result.start) or pattern.search(
                text, result.end, min(len(text), result.end + self.after)
            ):
                result.score = min(1.0, max(result.score + self.context_similarity_factor, self.min_score_with_context_similarity))
                meta[_ENHANCED] = True
                result.recognition_metadata = meta
        return raw_results
