"""The project's own small NER for the names and places clinical notes hold: people, towns and
healthcare facilities, in any case ("chemo at sandpiper", "WIFE AND DTR IN").

Trained by ``tools/train_clinical_ner.py`` on the project's labelled sets (never on the sets it
is measured on) and shipped in the package (``redactor/data/clinical_ner``); loaded once, offline.
A reading is kept only with the evidence ``ner_evidence.py`` asks for (a name word, a place's
shape, a person's context), since the model also reads care phrases as names.  Its findings carry
a moderate score and go through the same refinement as spaCy's own NER (``STATISTICAL_RECOGNIZERS``),
so a drug, a heading or a score name it takes for a name is dropped there.  The scanner runs the
model over each batch beside spaCy's (``nlp.py``) and hands the readings over in the Doc; a text
analysed without them is read here.  ``detect.clinical_ner`` turns it off, or on for every document; by
default (``"shorthand"``) it reads the notes written in clinical shorthand (``shorthand.is_shorthand``), where it
was measured to find more and cost little, and leaves prose, forms and letters to the rules.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import List, Optional

import spacy
from presidio_analyzer import EntityRecognizer, RecognizerResult
from spacy.language import Language

from ..errors import ModelNotFoundError
from .candidate import CLINICAL_NER
from .ner_evidence import has_evidence
from .pii import make_result
from .shorthand import is_shorthand

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
    def __init__(self, path: Path = MODEL_DIR, only_shorthand: bool = False) -> None:
        self._path = path
        self._only_shorthand = only_shorthand
        super().__init__(supported_entities=list(ENTITIES), name=CLINICAL_NER, supported_language="en")

    def reads(self, text: str) -> bool:
        """Whether the model reads ``text``: every text, or (``only_shorthand``) notes in clinical shorthand."""
        return not self._only_shorthand or is_shorthand(text)

    @property
    def path(self) -> Path:
        return self._path

    def load(self) -> None:
        self._nlp = load_model(self._path)

    def analyze(self, text: str, entities: List[str], nlp_artifacts=None) -> List[RecognizerResult]:
        wanted = set(entities) & set(ENTITIES)
        if not wanted or not text.strip():
            return []
        readings = _carried(nlp_artifacts)  # the engine asked ``reads`` already: none for a text it does not read
        if readings is None:
            if not self.reads(text):
                return []
            readings = [(e.start_char, e.end_char, e.label_) for e in self._nlp(text).ents]
        return [make_result(self, label, start, end, SCORE) for start, end, label in readings
                if label in wanted and has_evidence(text, start, end, label)]


def _carried(nlp_artifacts) -> Optional[list[tuple[int, int, str]]]:
    doc = getattr(nlp_artifacts, "tokens", None)
    return None if doc is None else getattr(doc, "user_data", {}).get(CLINICAL_NER)
