"""The project's own small NER for the names and places clinical notes hold: people, towns and
healthcare facilities, in any case ("chemo at sandpiper", "WIFE AND DTR IN").

Trained by ``tools/train_clinical_ner.py`` on the project's labelled sets (never on the sets it
is measured on) and shipped in the package (``redactor/data/clinical_ner``); loaded once, offline.
A reading is kept only with the evidence ``ner_evidence.py`` asks for (a name word, a place's
shape, a person's context), since the model also reads care phrases as names.  Its findings carry
a moderate score and go through the same refinement as spaCy's own NER (``STATISTICAL_RECOGNIZERS``),
so a drug, a heading or a score name it takes for a name is dropped there.  ``detect.clinical_ner``
turns it off.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import List

import spacy
from presidio_analyzer import EntityRecognizer, RecognizerResult
from spacy.language import Language

from ..errors import ModelNotFoundError
from .candidate import CLINICAL_NER
from .ner_evidence import has_evidence
from .pii import make_result

MODEL_DIR = Path(__file__).resolve().parents[1] / "data" / "clinical_ner"
ENTITIES = ("PERSON", "LOCATION", "HEALTHCARE_FACILITY")
SCORE = 0.5


@lru_cache(maxsize=2)
def load_model(path: Path = MODEL_DIR) -> Language:
    if not (path / "config.cfg").is_file():
        raise ModelNotFoundError(
            f"the clinical NER model is missing from {path}; rebuild it with tools/train_clinical_ner.py "
            "or set detect.clinical_ner = false"
        )
    return spacy.load(path)


class ClinicalNerRecognizer(EntityRecognizer):
    def __init__(self, path: Path = MODEL_DIR) -> None:
        self._path = path
        super().__init__(supported_entities=list(ENTITIES), name=CLINICAL_NER, supported_language="en")

    def load(self) -> None:
        self._nlp = load_model(self._path)

    def analyze(self, text: str, entities: List[str], nlp_artifacts=None) -> List[RecognizerResult]:
        wanted = set(entities) & set(ENTITIES)
        if not wanted or not text.strip():
            return []
        doc = self._nlp(text)
        return [make_result(self, e.label_, e.start_char, e.end_char, SCORE) for e in doc.ents
                if e.label_ in wanted and has_evidence(text, e.start_char, e.end_char, e.label_)]
