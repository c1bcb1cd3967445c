"""The doubt pass on names that recognizers miss or mistype (issue 9's residual under redact-pii)."""

from __future__ import annotations

import pytest

from redactor.detect.doubt import find_doubts


@pytest.mark.parametrize(
    "text, name",
    [
        ("Walker began writing as a teenager.", "Walker"),  # a surname opening a sentence, then a verb
        ("selma is from stillwater supercomputing inc.", "selma"),  # the same, all in lower case
        ("Her maiden name is Key", "Key"),  # after a naming cue, whatever the word also means
        ("Dale and White were precision engineers.", "White"),  # joined to a person
        ("directed by Brad L Key and starring Key", "Key"),  # a surname after a person and an initial
        ("Kevin had given Alma his address.", "Kevin"),
        ("Hunter had given Mason his keys.", "Mason"),  # a name that is also a word, after a verb
        ("Our 3 founders: kónya, becker and vasquez", "becker"),  # a lower-case list of surnames
    ],
)
def test_names_are_doubted(scanner, text, name):
    found = scanner.scan(text).findings
    spans = [(f.start, f.end) for f in found if f.category != "QUASI_IDENTIFIER"]
    spans += [(d.start, d.end) for d in find_doubts(text, found)]
    mentions = [i for i in range(len(text)) if text.startswith(name, i)]
    assert any(a <= i and i + len(name) <= b for i in mentions for a, b in spans)  # "L Key": with its initial


def test_a_given_name_typed_as_a_place_is_doubted():
    from redactor.detect.findings import Finding

    text = "We visited Alma yesterday."
    place = Finding("LOCATION", "QUASI_IDENTIFIER", 11, 15, 0.85)
    assert "Alma" in {d.value(text) for d in find_doubts(text, [place])}


@pytest.mark.parametrize(
    "text",
    [
        "Reading is fun for the whole family.",
        "The report was filed and the results were clear.",
        "Walker frames and canes are in aisle 4.",
        "Seen by Dr. Anna Weiss, MD in Denver.",  # a place first, though the name lexicon lists it
        "I called the pharmacy and then called Dr. Weiss.",
        "bread and butter for the table",
        "Verified by: Priya Raman, People Operations",
        "Social Security number: on file",
    ],
)
def test_ordinary_sentences_are_not_doubted(scanner, text):
    found = scanner.scan(text).findings
    assert [d.value(text) for d in find_doubts(text, found)] == []
