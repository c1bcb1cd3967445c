"""Every entity type belongs to a category; policies speak in categories.

Pack recognizers declare their own category in YAML; this table covers the
built-in and code recognizers.  A type in neither gets ``UNKNOWN``, which the
policy routes the safe way.
"""

from __future__ import annotations

PII = "PII"
FINANCIAL = "FINANCIAL"
HEALTH = "HEALTH"
CREDENTIAL = "CREDENTIAL"
QUASI = "QUASI_IDENTIFIER"  # not identifying alone (dates, places); identifying in combination
UNKNOWN = "UNKNOWN"

CATEGORIES = (PII, FINANCIAL, HEALTH, CREDENTIAL, QUASI, UNKNOWN)

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
}


def category_of(entity_type: str, extra: dict[str, str] | None = None) -> str:
    if extra and entity_type in extra:
        return extra[entity_type]
    return BUILTIN_CATEGORIES.get(entity_type, UNKNOWN)
