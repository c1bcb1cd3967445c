"""Every entity type belongs to a category; policies speak in categories.

Pack recognizers declare their own category in YAML; this table covers the
built-in and code recognizers.  A type in neither gets ``UNKNOWN``, which the
policy routes the safe way.

``GENERAL`` holds what HIPAA Safe Harbor (45 CFR 164.514(b)(2)) does not count as an
identifier: a year on its own (``DATE_YEAR``) and a state, country or larger region
(``REGION``), and eponymous clinical terms (``CLINICAL_TERM``: "Braden scale").  Refinement turns such ``DATE_TIME`` and ``LOCATION`` findings into these
types, so a policy can let them out while full dates and towns stay quasi-identifiers.
"""

from __future__ import annotations

PII = "PII"
FINANCIAL = "FINANCIAL"
HEALTH = "HEALTH"
CREDENTIAL = "CREDENTIAL"
QUASI = "QUASI_IDENTIFIER"  # not identifying alone (dates, places); identifying in combination
GENERAL = "GENERAL"  # not an identifier under HIPAA Safe Harbor: a year alone, a state or country
UNKNOWN = "UNKNOWN"

CATEGORIES = (PII, FINANCIAL, HEALTH, CREDENTIAL, QUASI, GENERAL, UNKNOWN)

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
    "US_BANK_NUMBER": FINANCIAL,
    "US_ITIN": FINANCIAL,
    "CRYPTO": FINANCIAL,
    "HEALTHCARE_FACILITY": PII,  # also declared by recognizers/phi.yaml
    "DATE_YEAR": GENERAL,
    "REGION": GENERAL,
    "CLINICAL_TERM": GENERAL,  # "Romberg test", "APACHE II": eponyms and scores, not names
}


def category_of(entity_type: str, extra: dict[str, str] | None = None) -> str:
    if extra and entity_type in extra:
        return extra[entity_type]
    return BUILTIN_CATEGORIES.get(entity_type, UNKNOWN)
