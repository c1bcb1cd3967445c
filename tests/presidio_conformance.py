"""Presidio's recognizer test tables as a conformance suite (data: tests/data/presidio_conformance/).

``judge()`` says whether one tool's findings on a case agree with the table: every
expected span covered by findings of the matching type, and no finding of that type
elsewhere.  It is used for redactor (tests/test_presidio_conformance.py) and for
stock Presidio (``stock_findings()``), so both are held to the same rule.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).parent / "data" / "presidio_conformance"

# Presidio's entity -> the redactor types that report the same identifier
_SAME_NAME = ("ABA_ROUTING_NUMBER", "CREDIT_CARD", "CRYPTO", "DATE_TIME", "EMAIL_ADDRESS", "IBAN_CODE", "IP_ADDRESS",
              "PHONE_NUMBER", "URL", "US_BANK_NUMBER", "US_DRIVER_LICENSE", "US_ITIN", "US_PASSPORT", "US_SSN")
TYPE_MAP: dict[str, frozenset[str]] = {
    **{name: frozenset({name}) for name in _SAME_NAME},
    "MAC_ADDRESS": frozenset({"DEVICE_ID"}),  # recognizers/phi.yaml: device_mac_address
    # Presidio's MedicalLicenseRecognizer reads DEA registration numbers
    "MEDICAL_LICENSE": frozenset({"DEA_NUMBER", "CERTIFICATE_NUMBER"}),
    "UK_POSTCODE": frozenset({"ZIP_CODE"}),
    "US_MBI": frozenset({"MEDICARE_MBI"}),
    "US_NPI": frozenset({"NPI"}),
}
# Quotes, brackets and white space around a value need not be covered.
_EDGE = "\"'()[]<>{} \t\r\n"


@dataclass(frozen=True)
class Case:
    id: str
    source: str
    recognizer: str
    kwargs: dict
    entity: str
    text: str
    count: int
    spans: tuple[tuple[int, int], ...] | None
    scores: tuple[tuple[float, float], ...] | None

    @classmethod
    def of(cls, d: dict) -> "Case":
        spans = None if d["spans"] is None else tuple(tuple(s) for s in d["spans"])
        scores = None if d["scores"] is None else tuple(tuple(s) for s in d["scores"])
        return cls(d["id"], d["source"], d["recognizer"], d["kwargs"], d["entity"], d["text"], d["count"], spans, scores)


def load() -> tuple[dict, list[Case]]:
    """(header: version and commit, cases)."""
    doc = json.loads((DATA / "cases.json").read_text(encoding="utf-8"))
    return {k: v for k, v in doc.items() if k != "cases"}, [Case.of(d) for d in doc["cases"]]


def exclusions() -> dict[str, str]:
    """Case id -> reason, from the table in the README ("| `id` | reason |")."""
    rows = re.findall(r"^\| `([\w-]+)` \| (.+?) \|$", (DATA / "README.md").read_text(encoding="utf-8"), re.MULTILINE)
    return dict(rows)


def judge(case: Case, findings: list[tuple[str, int, int]], types: frozenset[str] | None = None) -> list[str]:
    """What is wrong with ``findings`` (entity type, start, end) for ``case``; empty when it
    agrees.  ``types``: the types that count (default: redactor's for the case's entity)."""
    types = TYPE_MAP[case.entity] if types is None else types
    found = [(s, e) for t, s, e in findings if t in types]
    if case.spans is None:
        return [] if len(found) == case.count else [f"{len(found)} findings, expected {case.count}"]
    problems = []
    for s, e in case.spans:
        while s < e and case.text[s] in _EDGE:
            s += 1
        while e > s and case.text[e - 1] in _EDGE:
            e -= 1
        missed = [i for i in range(s, e) if not any(fs <= i < fe for fs, fe in found)]
        if missed:
            problems.append(f"expected {case.text[s:e]!r} at {s}-{e}: {len(missed)} characters uncovered")
    for fs, fe in found:
        if not any(fs < e and s < fe for s, e in case.spans):
            problems.append(f"unexpected {case.text[fs:fe]!r} at {fs}-{fe}")
    return problems


def stock_findings(case: Case, nlp_artifacts=None) -> list[tuple[str, int, int]]:
    """Stock Presidio's recognizer for the case, built as Presidio's own test builds it."""
    from presidio_analyzer import predefined_recognizers

    cls = getattr(predefined_recognizers, case.recognizer)
    kwargs = dict(case.kwargs)
    if "supported_regions" in kwargs:
        kwargs["supported_regions"] = tuple(kwargs["supported_regions"])
    results = cls(**kwargs).analyze(case.text, [case.entity], nlp_artifacts)
    return [(r.entity_type, r.start, r.end) for r in results]
