"""Peer conformance: Presidio's own recognizer test tables, run through redactor's scanner.

The cases are vendored as data (tests/data/presidio_conformance/, MIT); every case
must pass, except the differences by design listed in that folder's README, which
are expected to fail (strictly: a listed case that starts passing fails here, so the
list stays true).
"""

from __future__ import annotations

import pytest

from presidio_conformance import TYPE_MAP, exclusions, judge, load, stock_findings

HEADER, CASES = load()
EXCLUDED = exclusions()


def _param(case):
    marks = [pytest.mark.xfail(strict=True, reason=EXCLUDED[case.id])] if case.id in EXCLUDED else []
    return pytest.param(case, id=case.id, marks=marks)


@pytest.fixture(scope="module")
def findings(scanner) -> dict[str, list[tuple[str, int, int]]]:
    """Every case's text scanned once, in batches."""
    results = scanner.scan_many([c.text for c in CASES])
    return {c.id: [(f.entity_type, f.start, f.end) for f in r.findings] for c, r in zip(CASES, results)}


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_redactor_agrees_with_presidio_table(case, findings):
    problems = judge(case, findings[case.id])
    assert not problems, f"{case.source}: {case.text!r}: " + "; ".join(problems)


def test_stock_presidio_passes_every_case(scanner, monkeypatch):
    """The vendored rows say what stock Presidio does (the README's counts), judged by the same rule."""
    import tldextract

    # Presidio's e-mail recognizer would fetch the public suffix list; its bundled copy will do
    monkeypatch.setattr(tldextract, "extract", tldextract.TLDExtract(suffix_list_urls=()))
    nlp = scanner._nlp  # the phone recognizer reads context words from spaCy's tokens
    failing = [c.id for c in CASES if judge(c, stock_findings(c, nlp.process_text(c.text, "en")), frozenset({c.entity}))]
    assert failing == []


def test_the_data_is_whole():
    assert HEADER["version"] and len(HEADER["commit"]) == 40
    assert len({c.id for c in CASES}) == len(CASES) > 600
    assert {c.entity for c in CASES} <= set(TYPE_MAP)
    assert set(EXCLUDED) <= {c.id for c in CASES}, "the README lists a case that is not in cases.json"


def test_judge_holds_a_finding_to_its_span_and_type():
    case = next(c for c in CASES if c.entity == "IP_ADDRESS" and c.text == "my ip: ::1")
    assert judge(case, [("IP_ADDRESS", 7, 10)]) == []
    assert judge(case, [("IP_ADDRESS", 9, 10)])  # "1" without its "::"
    assert judge(case, [("PHONE_NUMBER", 7, 10)])  # the wrong type
    assert judge(case, [("IP_ADDRESS", 7, 10), ("IP_ADDRESS", 0, 2)])  # one too many
