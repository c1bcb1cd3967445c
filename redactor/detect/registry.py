"""Build the recognizer registry explicitly from settings.

Order of authority: recognizer packs (``recognizers/*.yaml`` and any the user
adds) define an entity type; a Presidio built-in is added only for types no pack
defines; our code recognizers (``pii.py``) replace the built-ins that are slow,
networked or imprecise, ``names.py`` adds the person and place names spaCy's
NER misses, ``facilities.py`` the names of hospitals and clinics, ``dates.py``
the dates clinical notes write, ``clinical_ner.py`` (``detect.clinical_ner``) the project's
own small NER's people, towns and facilities, ``records.py`` the cells of tables and HL7
messages, ``shorthand_names.py`` the people and ``shorthand_places.py`` the places
nursing shorthand names by context, ``workplaces.py`` employers, schools and
congregations behind a cue in any case; ``clinical_terms.py`` reports eponymous signs
and scores as what they are, so they are not taken for names.  Nothing is
added implicitly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from presidio_analyzer import EntityRecognizer, RecognizerRegistry
from presidio_analyzer.predefined_recognizers import (
    AbaRoutingRecognizer,
    CreditCardRecognizer,
    CryptoRecognizer,
    DateRecognizer,
    IbanRecognizer,
    IpRecognizer,
    SpacyRecognizer,
    UsBankRecognizer,
    UsItinRecognizer,
    UsLicenseRecognizer,
    UsPassportRecognizer,
    UsSsnRecognizer,
)

from ..config import DetectSettings
from . import pack_specs
from .candidate import SPACY_NER
from .categories import BUILTIN_CATEGORIES
from .clinical_ner import ClinicalNerRecognizer
from .clinical_terms import ClinicalTermRecognizer
from .dates import ClinicalDateRecognizer, HolidayRecognizer
from .facilities import FacilityRecognizer
from .names import NameRecognizer
from .nlp import BesideModel
from .pii import PrefilteredUrlRecognizer, pii_recognizers
from .records import RecordRecognizer
from .shorthand_names import ShorthandNameRecognizer
from .workplaces import WorkplaceRecognizer

NER_ENTITIES = ["PERSON", "LOCATION", "DATE_TIME"]


class CasedNerRecognizer(SpacyRecognizer):
    """spaCy's NER, less the people it finds in lower-case words: the small model
    guesses there ("the ketamine drip"), and the name recognizer reads lower case with
    its lexicons.  Dropped here rather than after the analysis, because Presidio keeps
    only the higher-scored of two same-type results on the same words, so a guess would
    hide the name recognizer's reading ("maria delacroix") and then be dropped itself."""

    def __init__(self) -> None:
        super().__init__(supported_entities=list(NER_ENTITIES), name=SPACY_NER)

    def analyze(self, text, entities, nlp_artifacts=None):
        results = super().analyze(text, entities, nlp_artifacts)
        return [r for r in results if not (r.entity_type == "PERSON" and text[r.start : r.end].islower())]

# Built-ins used only when no pack defines their entity type.
_FALLBACK_BUILTINS = [
    CreditCardRecognizer,
    IbanRecognizer,
    CryptoRecognizer,
    AbaRoutingRecognizer,
    UsBankRecognizer,
    UsItinRecognizer,
    UsLicenseRecognizer,  # recognizers/pii.yaml defines both, with required context
    UsPassportRecognizer,
]
_ALWAYS_BUILTINS = [DateRecognizer, IpRecognizer, PrefilteredUrlRecognizer, UsSsnRecognizer]


# Built-in types whose recognizers confirm a match by a checksum or fixed validity
# rules (Presidio's validate_result / invalidate_result).  Packs add theirs (``validator``).
BUILTIN_CHECKSUM_TYPES = frozenset({"CREDIT_CARD", "IBAN_CODE", "ABA_ROUTING_NUMBER", "CRYPTO", "US_SSN"})


@dataclass
class Registry:
    registry: RecognizerRegistry
    categories: dict[str, str] = field(default_factory=dict)
    pack_files: list[Path] = field(default_factory=list)
    checksum_types: frozenset[str] = frozenset()
    beside: dict[str, BesideModel] = field(default_factory=dict)  # NER pipelines the scanner runs beside spaCy's


def build_registry(settings: DetectSettings) -> Registry:
    from .packs import load_packs

    pack_paths = pack_specs.pack_paths(settings)
    packs = load_packs(pack_paths)
    recognizers: list[EntityRecognizer] = [CasedNerRecognizer()]
    recognizers += pii_recognizers()
    recognizers += [NameRecognizer(), ShorthandNameRecognizer(), WorkplaceRecognizer()]
    beside = {}
    if settings.clinical_ner:
        clinical = ClinicalNerRecognizer(only_shorthand=settings.clinical_ner == "shorthand")
        recognizers.append(clinical)
        beside[clinical.name] = BesideModel(clinical.path, clinical.reads)
    recognizers += [FacilityRecognizer(), ClinicalDateRecognizer(), HolidayRecognizer(), ClinicalTermRecognizer(),
                    RecordRecognizer(known=set(BUILTIN_CATEGORIES) | set(packs.categories))]
    recognizers += [cls() for cls in _ALWAYS_BUILTINS]
    recognizers += list(packs.recognizers)
    covered = {e for r in recognizers for e in r.supported_entities}
    recognizers += [r for r in (cls() for cls in _FALLBACK_BUILTINS) if not set(r.supported_entities) & covered]

    registry = RecognizerRegistry(supported_languages=[settings.language])
    for r in recognizers:
        registry.add_recognizer(r)
    categories = dict(BUILTIN_CATEGORIES)
    categories.update(packs.categories)
    checksum = BUILTIN_CHECKSUM_TYPES | packs.checksum_types
    return Registry(registry=registry, categories=categories, pack_files=pack_paths, checksum_types=checksum,
                    beside=beside)
