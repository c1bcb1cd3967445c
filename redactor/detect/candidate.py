"""A detection while results are refined (``refine.py``): its type, span, score and recognizer."""

from __future__ import annotations

from dataclasses import dataclass

from presidio_analyzer import RecognizerResult

SPACY_NER = "SpacyRecognizer"
CLINICAL_NER = "ClinicalNerRecognizer"
# Statistical recognizers: their guesses pass the filters for NER's lookalikes (drugs, headings, breaks).
STATISTICAL_RECOGNIZERS = frozenset({SPACY_NER, CLINICAL_NER})


@dataclass
class Candidate:
    entity_type: str
    start: int
    end: int
    score: float
    recognizer: str

    @classmethod
    def of(cls, r: RecognizerResult) -> "Candidate":
        meta = r.recognition_metadata or {}
        return cls(r.entity_type, r.start, r.end, float(r.score), str(meta.get("recognizer_name", "")))
