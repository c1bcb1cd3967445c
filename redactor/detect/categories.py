"""Every entity type belongs to a category; policies speak in categories.

Pack recognizers declare their own category in YAML; this table covers the
built-in and code recognizers.  A type in neither gets ``UNKNOWN``, which the
policy routes the safe way.  ``known_entity_types`` is the whole list for one
configuration, which policies are checked against.

``GENERAL`` holds what HIPAA Safe Harbor (45 CFR 164.514(b)(2)) does not count as an
identifier: a year on its own (``DATE_YEAR``) and a state, country or larger region
(``REGION``), and eponymous clinical terms (``CLINICAL_TERM``: "Braden scale").
Refinement turns such ``DATE_TIME`` and ``LOCATION`` findings into these
types, so a policy can let them out while full dates and towns stay quasi-identifiers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, get_args

if TYPE_CHECKING:
    from ..config import DetectSettings

PII = "PII"
FINANCIAL = "FINANCIAL"
HEALTH = "HEALTH"
CREDENTIAL = "CREDENTIAL"
QUASI = "QUASI_IDENTIFIER"  # not identifying alone (dates, places); identifying in combination
GENERAL = "GENERAL"  # not an identifier under HIPAA Safe Harbor: a year alone, a state or country
UNKNOWN = "UNKNOWN"

CATEGORIES = (PII, FINANCIAL, HEALTH, CREDENTIAL, QUASI, GENERAL, UNKNOWN)

# What the doubt pass (detect/doubt.py) calls a word or number no recognizer explained.
DOUBT_TYPE = "UNVERIFIED"

BUILTIN_CATEGORIES: dict[str, str] = {
    "PERSON": PII,
    "EMAIL_ADDRESS": PII,
    "PHONE_NUMBER": PII,
    "STREET_ADDRESS": PII,
    "US_SSN": PII,
    "US_DRIVER_LICENSE": PII,
    "US_PASSPORT": PII,
    "IP_ADDRESS": PII,
    "UK_NHS": HEALTH,
    "MEDICAL_LICENSE": HEALTH,
    "LOCATION": QUASI,
    "DATE_TIME": QUASI,
    "URL": QUASI,
    "ZIP_CODE": QUASI,
    "CREDIT_CARD": FINANCIAL,
    "IBAN_CODE": FINANCIAL,
    "ABA_ROUTING_NUMBER": FINANCIAL,
    "US_BANK_NUMBER": FINANCIAL,
    "US_ITIN": FINANCIAL,
    "CRYPTO": FINANCIAL,
    "HEALTHCARE_FACILITY": PII,  # also declared by recognizers/phi.yaml
    "EMPLOYER": PII,  # also declared by recognizers/phi.yaml; workplaces.py reports it without the packs
    "DATE_YEAR": GENERAL,
    "REGION": GENERAL,
    "CLINICAL_TERM": GENERAL,  # "Romberg test", "APACHE II": eponyms and scores, not names
}


def category_of(entity_type: str, extra: dict[str, str] | None = None) -> str:
    if extra and entity_type in extra:
        return extra[entity_type]
    return BUILTIN_CATEGORIES.get(entity_type, UNKNOWN)


def known_entity_types(settings: "DetectSettings") -> dict[str, str]:
    """Every entity type a Scanner built from ``settings`` can report, with its
    category: this table, the doubt pass's type, and the entries of the packs
    ``settings`` configure, read from YAML (no Presidio, no spaCy, no lexicon)."""
    from .pack_specs import pack_categories, pack_paths, read_pack_specs

    types = dict(BUILTIN_CATEGORIES)
    types[DOUBT_TYPE] = PII
    types.update(pack_categories(read_pack_specs(pack_paths(settings))))
    return types


def known_categories(entity_types: dict[str, str]) -> frozenset[str]:
    """The categories a policy may name: the fixed ones and any a pack entry may use."""
    from .pack_specs import Category

    return frozenset(CATEGORIES) | frozenset(get_args(Category)) | frozenset(entity_types.values())
