"""The privacy property: with the cloud configured, no sensitive value ever reaches it.

Every shipped policy is run over sample_docs and the presidio-research synthetic
set through the real pipeline and the real ``openai`` client, against the
recording server on 127.0.0.1.  Then every request the server recorded (headers
and raw body) is searched for:

- every gold value of a type the policy does not allow out in clear, and
- every value the scanner detected in a document whose findings the policy
  does not allow out in clear.

On sample_docs (realistic documents) nothing may leak.  On the synthetic set no
detected value may leak, and gold values that every detector missed are held to
the measured residual (``MAX_SYNTH_MISSES``).

The local backend here is a real ``LocalBackend`` whose model file is absent,
so every local route fails closed: what matters is what was *sent*.  The local
route itself is exercised with the real model in test_pipeline.py and test_cli_run.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import SAMPLE_DOCS, SAMPLE_LABELS, SYNTH
from redactor.detect.findings import Finding
from redactor.detect.clinical import general_type
from redactor.evaluate import DEFAULT_IGNORED
from redactor.ingest import iter_documents
from redactor.policy import builtin_policies
from redactor import safe_harbor
from redactor.safe_harbor import is_year_only

TASK = "Summarize this document."
# Gold types of the synthetic set that redactor types as QUASI_IDENTIFIER (places,
# dates, domains, postcodes); a policy may allow those out in clear.
QUASI_GOLD = {"GPE", "LOCATION", "DATE_TIME", "DOMAIN_NAME", "URL", "ZIP_CODE"}
# The residual the synthetic set still leaks (see the test below); raising it is a decision.
# Measured 6 on every quiet run; about one run in eight under heavy CPU load adds a 7th (the
# house number "333" of "333 Golfskálinn 78"), a nondeterminism whose cause is still open.
MAX_SYNTH_MISSES = 7
# Gold PERSON values among them (issue 9): a name opening a sentence, after a naming cue,
# joined to a person ("Dale and White"), typed as a place. Measured 0 under redact-pii.
MAX_SYNTH_PERSON_MISSES = 2
# Under hipaa-safe-harbor places, dates and postcodes count too (Safe Harbor removes them):
# measured 13 = 7 places no detector sees ("SUND", "EBEN", "PORT O' WARREN") or countries
# (allowed in clear once REGION is reported), 5 four-digit postcodes after a town name
# ("Bjert 6091"), and the lower-case address of the residual below.
MAX_SYNTH_MISSES_SAFE_HARBOR = 13


def _allowed_in_clear(policy, entity_type: str, category: str, value: str = "") -> bool:
    if policy.transform == "hipaa-safe-harbor" and safe_harbor.generalize(entity_type, value).clear:
        return True  # a year alone: no identifier under Safe Harbor, the transform leaves it
    return policy.action_for(Finding(entity_type, category, 0, 1, 1.0))[1] == "allow"


def _sample_gold() -> dict[str, list[tuple[str, str]]]:
    data = json.loads(SAMPLE_LABELS.read_text())
    return {d["file"]: [(e["type"], e["value"]) for e in d["entities"]] for d in data["documents"]}


def _leaks(pipeline, server, items, categories) -> list[str]:
    """Process each (document, gold values) pair; check what was sent *for that document*."""
    policy, leaks = pipeline.policy, []
    for doc, gold in items:
        before = len(server.requests)
        r = pipeline.process(doc, TASK, max_tokens=16)
        sent = server.requests[before:]
        if not sent:
            continue

        def reached(value: str) -> bool:
            if len(value) > 3:
                return any(q.contains(value) for q in sent)
            # a short value ("ER", "MD") counts as a word, not inside "<PERSON_1>" or "answer"
            word = re.compile(rf"(?<!\w){re.escape(value)}(?!\w)")
            return any(word.search(q.body.decode("utf-8", "replace")) for q in sent)

        detected = [(f.entity_type, f.category, f.value(r.scan.text)) for f in r.scan.findings] if r.scan else []
        for entity_type, value in gold:
            category = "QUASI_IDENTIFIER" if entity_type in QUASI_GOLD else categories.get(entity_type, "PII")
            if entity_type in QUASI_GOLD and general_type(value):
                category = "GENERAL"  # a year alone, a state or a country: not a Safe Harbor identifier
            if not _allowed_in_clear(policy, entity_type, category, value) and reached(value):
                leaks.append(f"gold {entity_type}")
        for entity_type, category, value in detected:
            if not _allowed_in_clear(policy, entity_type, category, value) and reached(value):
                leaks.append(f"detected {entity_type}")
    return leaks


@pytest.mark.parametrize("policy_name", sorted(builtin_policies()))
def test_no_sensitive_value_reaches_the_cloud_sample_docs(policy_name, make_pipeline, openai_server, missing_local_model, scanner):
    pipeline = make_pipeline(policy=policy_name, local=missing_local_model)
    gold = _sample_gold()
    items = [(doc, gold[Path(doc.id.split("#")[0]).name]) for doc in iter_documents([SAMPLE_DOCS])]
    leaks = _leaks(pipeline, openai_server, items, scanner.categories)
    assert openai_server.chat_requests, "no document went to the cloud: the test would prove nothing"
    assert leaks == []


@pytest.mark.parametrize("policy_name", sorted(builtin_policies()))
def test_no_sensitive_value_reaches_the_cloud_synthetic_set(policy_name, make_pipeline, openai_server, missing_local_model, scanner):
    pipeline = make_pipeline(policy=policy_name, local=missing_local_model)
    records = json.loads(SYNTH.read_text())
    items = [
        (r["full_text"], [(s["entity_type"], s["entity_value"]) for s in r["spans"] if s["entity_type"] not in DEFAULT_IGNORED])
        for r in records
    ]
    leaks = _leaks(pipeline, openai_server, items, scanner.categories)
    assert openai_server.chat_requests
    assert [x for x in leaks if x.startswith("detected")] == []
    # Every gold value a detector misses is caught by the doubt pass except one address typed
    # in lower case ("33 avenue de Provence"); the names that are also ordinary English words
    # ("Walker began writing...", "Dale and White", "her maiden name is Key") are doubted since
    # issue 9. Measured before it: default 2, redact-pii 6, strict 0 of 1,788.
    sensitive = sum(1 for _, g in items for t, _ in g if t not in QUASI_GOLD)
    persons = leaks.count("gold PERSON")
    assert persons <= MAX_SYNTH_PERSON_MISSES, f"{persons} gold PERSON values reached the cloud"
    bound = MAX_SYNTH_MISSES_SAFE_HARBOR if pipeline.policy.transform == "hipaa-safe-harbor" else MAX_SYNTH_MISSES
    assert len(leaks) <= bound, f"{len(leaks)} of {sensitive} values reached the cloud: {sorted(set(leaks))}"


# -- HIPAA Safe Harbor over clinical notes -----------------------------------

# Our own notes, and the project's clinical labels when they are there (both JSONL:
# {"text", "spans": [{"entity_type", "start", "end"}]}, surrogate PHI only).
CLINICAL = (Path(__file__).parent / "data" / "clinical_notes.jsonl", Path(__file__).parent / "labeled" / "clinical.jsonl")
# Label types that Safe Harbor lets out in clear: clinical content, a year alone, a state or larger.
SAFE_HARBOR_CLEAR = {"MEDICAL_CONDITION", "MEDICATION", "ICD10_CODE", "DATE_YEAR", "REGION"}
_YEAR = re.compile(r"(?<!\d)(?:1[89]|20)\d\d(?!\d)")


def _clinical_records() -> list[dict]:
    out = []
    for path in CLINICAL:
        if path.exists():
            out += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return out


def _forbidden(entity_type: str, value: str) -> list[str]:
    """What of one labelled value must not reach the cloud under Safe Harbor."""
    if entity_type.startswith("DATE"):
        if is_year_only(value):
            return []  # a year alone is not an identifier
        # the date, and every element of it but the year ("March 3", "03/14", "23:40")
        rest = _YEAR.sub(" ", value).strip(" ,./-–")
        return [value] + ([rest] if any(ch.isdigit() for ch in rest) or len(rest) > 5 else [])
    return [value]


def _age_number_sent(value: str, sent) -> bool:
    """An age over 89 leaves only as "90 or older": its number must not be in any message."""
    number = re.search(r"\d+", value)
    if number is None or number.group() == "90":
        return False
    pattern = re.compile(rf"(?<!\d){number.group()}(?!\d)")
    return any(pattern.search(m.get("content", "")) for q in sent for m in q.messages)


def test_hipaa_safe_harbor_sends_no_identifier_and_no_date_element_but_the_year(make_pipeline, openai_server, missing_local_model, scanner):
    records = _clinical_records()
    pipeline = make_pipeline(policy="hipaa-safe-harbor", local=missing_local_model)
    # Identifier types with no recognizer in this build (issue 9 adds them) are held to
    # this test as soon as the scanner supports them; until then their leaks are only listed.
    unsupported = {s["entity_type"] for r in records for s in r["spans"]} - set(scanner.supported_entities) - SAFE_HARBOR_CLEAR
    leaks, pending, went, not_restored = [], [], 0, []
    for i, rec in enumerate(records):
        text = rec["text"]
        before = len(openai_server.requests)
        r = pipeline.process(text, TASK, max_tokens=64)
        sent = openai_server.requests[before:]
        if not sent:
            continue
        went += 1
        # a clean clinical question (no identifier) goes as it is; the span checks below hold either way
        assert r.outcome == "ok" and r.decision.route.value in ("cloud_redacted", "cloud")
        for span in rec["spans"]:
            entity_type, value = span["entity_type"], text[span["start"] : span["end"]]
            if entity_type in SAFE_HARBOR_CLEAR:
                continue
            found = leaks if entity_type not in unsupported else pending
            if any(q.contains(piece) for piece in _forbidden(entity_type, value) for q in sent):
                found.append(f"record {i}: {entity_type}")
            if entity_type.startswith("AGE") and _age_number_sent(value, sent):
                found.append(f"record {i}: {entity_type} number")
            # the recording server echoes the placeholders it got; restore must give back the full date
            # (the date itself: a label's span may hold a weekday or "DOB" that stays in clear)
            date_parts = re.findall(r"\d+(?:[/.:-]\d+)*", value)
            if entity_type == "DATE_TIME" and not is_year_only(value) and not all(d in (r.answer or "") for d in date_parts):
                not_restored.append(f"record {i}: {entity_type}")
        assert not re.search(r"<[A-Z_]+_\d+>", r.answer or ""), "a placeholder came back unrestored"
    assert leaks == [], f"not yet recognized, also sent: {pending}"
    assert not_restored == []
    # Safe Harbor exists so that health documents can use the cloud: most must go
    assert went >= 0.9 * len(records), f"only {went} of {len(records)} notes went to the cloud"
