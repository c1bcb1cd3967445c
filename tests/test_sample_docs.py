"""The detection bar on sample_docs: every financial and health identifier found,
no checksum-invalid look-alike reported."""

from __future__ import annotations

import json

import pytest

from conftest import SAMPLE_DOCS, SAMPLE_LABELS
from redactor.evaluate import Span, read_labels, score
from redactor.ingest import read_path

IDENTIFIERS = {
    "CREDIT_CARD", "IBAN_CODE", "ABA_ROUTING_NUMBER", "US_BANK_NUMBER", "SWIFT_CODE", "US_EIN", "US_ITIN",
    "CUSIP", "ISIN", "CRYPTO", "MEDICAL_RECORD_NUMBER", "NPI", "DEA_NUMBER", "ICD10_CODE", "MEDICARE_MBI",
    "HEALTH_PLAN_ID",
}


@pytest.fixture(scope="module")
def report(scanner):
    def read_document(path):
        return "\n".join(d.text for d in read_path(path))

    def predict(texts):
        return [[Span(f.entity_type, f.start, f.end) for f in r.findings] for r in scanner.scan_many(texts)]

    return score(read_labels(SAMPLE_LABELS, read_document), predict).to_dict()


def test_every_financial_and_health_identifier_is_found(report):
    found = {t: v["recall"] for t, v in report["by_gold_type"].items() if t in IDENTIFIERS}
    assert found and all(r == 1.0 for r in found.values()), found


def test_no_checksum_invalid_lookalike_is_reported(report):
    assert report["negatives_reported"] == 0


def test_labels_cover_every_sample_document():
    labeled = {d["file"] for d in json.loads(SAMPLE_LABELS.read_text())["documents"]}
    on_disk = {p.name for p in SAMPLE_DOCS.iterdir() if not p.name.startswith(".")}
    assert labeled == on_disk
