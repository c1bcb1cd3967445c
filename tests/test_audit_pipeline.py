"""What the pipeline writes into the audit trail: the policy's name beside its
hash, how text was rewritten for the cloud, the action of every reason, and the
doubt pass's findings counted when they decided the route."""

from __future__ import annotations

from redactor.errors import IngestError
from conftest import ListSink

TASK = "Summarize this document in one sentence."
CLEAN = "The office move to the third floor is planned for next quarter. Desks will be labelled by team."
# Nothing a recognizer reports; the made-up capitalised word is a doubt, and the
# default policy masks doubts (low_confidence = "redact").
DOUBT_ONLY = "The Quorvane rollout starts next week, so every team should read the short guide first."


def test_records_carry_the_policy_name_the_transform_and_each_reasons_action(make_pipeline, openai_server, missing_local_model):
    sink = ListSink()
    pipeline = make_pipeline(policy="redact-pii", local=missing_local_model, audit=sink)
    redacted = pipeline.process("Please ask Dana Whitfield to call 212-555-0187 about the desk move.", TASK, max_tokens=16)
    clean = pipeline.process(CLEAN, TASK, max_tokens=16)
    pipeline.record_input_failure(IngestError("inbox/broken.pdf", "not a PDF"))
    e_red, e_clean, e_fail = sink.events
    assert redacted.route == "cloud_redacted" and clean.route == "cloud"
    assert e_red.policy_name == e_clean.policy_name == e_fail.policy_name == "redact-pii"
    assert e_red.policy_version == pipeline.policy.version
    assert e_red.transform == "pseudonymize" and e_clean.transform == "" and e_fail.transform == ""
    assert e_red.reason_actions == [r.action for r in redacted.decision.reasons] and "redact" in e_red.reason_actions
    assert e_clean.reasons == ["clean"] and e_clean.reason_actions == ["allow"]


def test_a_route_decided_by_doubts_counts_them(make_pipeline, openai_server, missing_local_model, scanner):
    from redactor.ingest.document import Document

    assert scanner.scan(Document.from_text(DOUBT_ONLY)).findings == ()  # no recognizer finds anything
    sink = ListSink()
    r = make_pipeline(local=missing_local_model, audit=sink).process(DOUBT_ONLY, TASK, max_tokens=16)
    assert (r.outcome, r.route) == ("ok", "cloud_redacted")
    [e] = sink.events
    assert e.reasons == ["low_confidence(category.PII)"] and e.reason_actions == ["redact"]
    assert e.entity_counts == {"UNVERIFIED": 1} and e.category_counts == {"PII": 1}
    assert e.top_scores == {"UNVERIFIED": 0.3}
    assert not openai_server.sent_anywhere("Quorvane")
