"""Refinement on labelled cases (tests/labeled/refinement.jsonl): exactly the gold
spans, no more.

- One name is one finding: "John Smith" read by spaCy and "John Smith SSN" read by
  the name recognizer merge into "John Smith", and the label "SSN" stays text.
- Ordinary words are not people or places: "Lunch" (PERSON at 0.85 from spaCy),
  "Nice to have" and "the delta delta" (LOCATION) kept clean memos local.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from redactor.evaluate import read_jsonl

CASES = list(read_jsonl(Path(__file__).parent / "labeled" / "refinement.jsonl"))


@pytest.mark.parametrize("example", CASES, ids=[e.text[:40] for e in CASES])
def test_exactly_the_gold_spans(scanner, example):
    found = sorted((f.entity_type, f.start, f.end) for f in scanner.scan(example.text).findings)
    assert found == sorted((s.entity_type, s.start, s.end) for s in example.gold)


def test_a_place_that_is_a_frequent_word_needs_a_place_cue(scanner):
    text = "It would be Nice to have a dashboard. We flew to Nice in May."
    places = [(f.value(text), f.start) for f in scanner.scan(text).findings if f.entity_type == "LOCATION"]
    assert places == [("Nice", text.rindex("Nice"))]


@pytest.mark.parametrize("text", ["Consulted Urology and Vascular Surgery; patient moved to 6 North, bed 3.",
                                  "Seen by Cardiology; moved to 5 South, bed 9, on telemetry.",
                                  "Patient transferred to 11 West overnight.", "Report called to 4 East charge nurse."])
def test_a_floor_and_wing_is_a_ward_not_a_place(scanner, text):
    assert [f.value(text) for f in scanner.scan(text).findings if f.entity_type == "LOCATION"] == []


def test_a_compass_word_without_a_floor_stays_a_place(scanner):
    text = "She moved from South Bend to the West Coast in 2019."
    assert [f.value(text) for f in scanner.scan(text).findings if f.entity_type == "LOCATION"]


def test_a_name_ends_before_the_phone_or_date_ner_read_on_with_it(scanner):
    text = "Follow-up with Dr. Okonedo 1/14/27.\nContact: husband Laszlo 781-555-0171; second contact daughter Fenna."
    found = {(f.entity_type, f.value(text)) for f in scanner.scan(text).findings}
    assert {("PERSON", "Okonedo"), ("DATE_TIME", "1/14/27"), ("PERSON", "Laszlo"), ("PHONE_NUMBER", "781-555-0171")} <= found, found


def test_a_count_stays_with_its_word_and_a_capitals_name_keeps_its_number(scanner):
    """Only a phone number or a date is cut from NER's person ("Amb 150" stays one span and is dropped as
    a clinical phrase), and not where the name left alone would read as an acronym ("KEVIN")."""
    text = "Today: Amb 150 ft with hemi-walker and CGA."
    assert [f for f in scanner.scan(text).findings if f.entity_type == "PERSON"] == []
    text = "HCP IS SON KEVIN 401/555/0163, WIFE CALLED."
    assert any("KEVIN" in f.value(text) for f in scanner.scan(text).findings if f.entity_type == "PERSON")


def test_overlapping_findings_of_one_type_are_one_finding():
    """Two recognizers, two overlapping readings of one name: one finding over both."""
    from presidio_analyzer import RecognizerResult

    from redactor.detect.refine import refine

    text = "Signed by Anna Maria Lindqvist on arrival."
    a, b = text.index("Anna Maria"), text.index("Maria Lindqvist")
    raw = [RecognizerResult("PERSON", a, a + len("Anna Maria"), 0.85), RecognizerResult("PERSON", b, b + len("Maria Lindqvist"), 0.7)]
    [one] = refine(text, raw, 0.4)
    assert (one.entity_type, text[one.start : one.end]) == ("PERSON", "Anna Maria Lindqvist")


def test_a_clean_memo_goes_to_the_cloud(make_pipeline, openai_server, missing_local_model):
    """What the false positives cost: a memo with no personal data was kept local."""
    memo = "Team memo\n\nLunch is at noon on Thursday in the atrium.\nThe delta delta between the two load tests was small.\n"
    r = make_pipeline(local=missing_local_model).process(memo, "Summarize this memo.", max_tokens=16)
    assert (r.outcome, r.route) == ("ok", "cloud"), r.reasons
    assert openai_server.sent_anywhere("Lunch is at noon")
