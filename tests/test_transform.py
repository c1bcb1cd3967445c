import re

import pytest

from redactor.detect.findings import Finding
from redactor.transform import Mapping, merge_spans, pseudonymize, restore


def spans(text: str, *pairs: tuple[str, str]) -> list[Finding]:
    out = []
    for entity, value in pairs:
        for m in re.finditer(re.escape(value), text):
            out.append(Finding(entity, "PII", m.start(), m.end(), 0.9))
    return out


TEXT = "Maria Lopez wrote to maria  lopez and to Ken Wu at ken@example.com about Maria Lopez's claim."


def test_same_value_same_placeholder_within_a_document():
    fs = spans(TEXT, ("PERSON", "Maria Lopez"), ("PERSON", "maria  lopez"), ("PERSON", "Ken Wu"), ("EMAIL_ADDRESS", "ken@example.com"))
    out, mapping = pseudonymize(TEXT, fs)
    assert out == "<PERSON_1> wrote to <PERSON_1> and to <PERSON_2> at <EMAIL_ADDRESS_1> about <PERSON_1>'s claim."
    assert len(mapping) == 3
    for value in ("Maria", "Lopez", "Ken", "ken@example.com"):
        assert value not in out


def test_mapping_never_shows_values():
    _, mapping = pseudonymize(TEXT, spans(TEXT, ("PERSON", "Ken Wu")))
    assert "Ken" not in repr(mapping) and "Ken" not in str(mapping)


def test_overlapping_findings_become_one_placeholder():
    text = "Send to 12 Rue de Paris 75001 now"
    fs = [Finding("STREET_ADDRESS", "PII", 8, 23, 0.7), Finding("LOCATION", "QUASI_IDENTIFIER", 17, 29, 0.8)]
    assert merge_spans(fs)[0].end == 29
    out, _ = pseudonymize(text, fs)
    assert out == "Send to <STREET_ADDRESS_1> now"


@pytest.mark.parametrize(
    "answer",
    [
        "<PERSON_1> owes <PERSON_2>.",
        "<person_1> owes <Person_2>.",
        "[PERSON_1] owes {PERSON_2}.",
        "PERSON 1 owes PERSON-2.",
        "< PERSON_1 > owes (PERSON_2).",
        "**PERSON_1** owes **PERSON_2**.",
    ],
)
def test_restore_tolerates_reformatted_placeholders(answer: str):
    text = "Ann Lee owes Bob Ray."
    _, mapping = pseudonymize(text, spans(text, ("PERSON", "Ann Lee"), ("PERSON", "Bob Ray")))
    restored = restore(answer, mapping)
    assert "Ann Lee" in restored and "Bob Ray" in restored
    assert "PERSON" not in restored.upper()


def test_restore_does_not_confuse_one_with_ten():
    mapping = Mapping()
    for i in range(10):
        mapping.token_for("PERSON", f"name{i}")
    assert restore("<PERSON_10> and <PERSON_1>", mapping) == "name9 and name0"


def test_restore_leaves_unknown_placeholders_alone():
    mapping = Mapping()
    mapping.token_for("PERSON", "Ann")
    assert restore("<PERSON_2> met <PERSON_1>", mapping) == "<PERSON_2> met Ann"


def test_every_occurrence_of_a_value_is_hidden_even_where_it_was_not_detected():
    text = "Dana Whitfield called. Later DANA WHITFIELD wrote, and Dana  Whitfield signed. Whitfields Ltd did not."
    out, mapping = pseudonymize(text, [Finding("PERSON", "PII", 0, 14, 0.9)])
    assert out == "<PERSON_1> called. Later <PERSON_1> wrote, and <PERSON_1> signed. Whitfields Ltd did not."
    assert len(mapping) == 1
