"""The routing pipeline end to end: real openai client → recording server on 127.0.0.1,
real llama.cpp model for the local route."""

from __future__ import annotations

import pytest

from conftest import ListSink

CLEAN = "The office move to the third floor is planned for next quarter. Desks will be labelled by team."
SENSITIVE = "Employee Dana Whitfield, SSN 536-22-1987, starts on the payroll next month."
TASK = "Summarize this document in one sentence."


def test_clean_text_goes_to_the_cloud(make_pipeline, openai_server, local_backend):
    openai_server.enqueue("The office moves upstairs next quarter.")
    r = make_pipeline(local=local_backend).process(CLEAN, TASK, max_tokens=32)
    assert (r.outcome, r.route) == ("ok", "cloud")
    assert r.answer == "The office moves upstairs next quarter."
    assert r.completion.backend == "cloud" and r.completion.usage.prompt_tokens > 0
    [req] = openai_server.chat_requests
    assert req.authorization == "Bearer sk-test-key-123"
    assert "third floor" in req.messages[-1]["content"]


@pytest.mark.slow
def test_sensitive_text_is_answered_locally_and_never_sent(make_pipeline, openai_server, local_backend):
    r = make_pipeline(local=local_backend).process(SENSITIVE, TASK, max_tokens=24)
    assert (r.outcome, r.route) == ("ok", "local")
    assert r.decision.rule_ids[0] == "category.PII"
    assert r.completion.backend == "local" and r.answer.strip()
    assert openai_server.requests == []


@pytest.mark.slow
def test_no_cloud_configured_runs_everything_locally(make_pipeline, openai_server, local_backend):
    r = make_pipeline(cloud=False, local=local_backend).process(CLEAN, TASK, max_tokens=16)
    assert (r.outcome, r.route) == ("ok", "local")
    assert r.decision.rule_ids[-1] == "cloud-not-configured"
    assert openai_server.requests == []


def test_redacted_route_sends_placeholders_and_restores_the_answer(make_pipeline, openai_server, local_backend):
    text = "Please ask Dana Whitfield to call 212-555-0187 about the desk move."
    r = make_pipeline(policy="redact-pii", local=local_backend).process(text, TASK, max_tokens=32)
    assert (r.outcome, r.route) == ("ok", "cloud_redacted")
    [req] = openai_server.chat_requests
    sent = req.messages[-1]["content"]
    assert "<PERSON_1>" in sent and "<PHONE_NUMBER_1>" in sent
    for value in ("Dana", "Whitfield", "212-555-0187"):
        assert not openai_server.sent_anywhere(value)
    # the recording server answers by naming the placeholders it saw; we get values back
    assert "Dana Whitfield" in r.answer and "212-555-0187" in r.answer


@pytest.mark.slow
def test_guard_reroutes_when_the_task_itself_is_sensitive(make_pipeline, openai_server, local_backend):
    r = make_pipeline(local=local_backend).process(CLEAN, "Summarize and email it to dana.whitfield@example.com", max_tokens=16)
    assert r.route == "local"
    assert "guard.category.PII" in r.decision.rule_ids
    assert openai_server.requests == []


@pytest.mark.slow
def test_cloud_5xx_is_retried_then_falls_back_to_local(make_pipeline, openai_server, local_backend):
    openai_server.fail_next(3, status=503)
    r = make_pipeline(local=local_backend).process(CLEAN, TASK, max_tokens=16)
    assert len(openai_server.chat_requests) == 3  # first try + max_retries=2
    assert (r.outcome, r.route) == ("ok", "local")
    assert r.decision.rule_ids[-1] == "cloud-failed.CloudError"


def test_cloud_failure_without_fallback_fails_the_document(make_pipeline, openai_server, local_backend):
    openai_server.fail_next(3, status=500)
    pipeline = make_pipeline(local=local_backend)
    pipeline.settings.cloud.fallback_to_local = False
    r = pipeline.process(CLEAN, TASK, max_tokens=16)
    assert (r.outcome, r.error_class) == ("error", "CloudError")
    assert "CLEAN" not in r.error and "third floor" not in r.error


def test_missing_local_model_fails_closed(make_pipeline, openai_server, missing_local_model):
    sink = ListSink()
    r = make_pipeline(local=missing_local_model, audit=sink).process(SENSITIVE, TASK)
    assert (r.outcome, r.route, r.error_class) == ("error", "local", "ModelNotFoundError")
    assert openai_server.requests == []
    [event] = sink.events
    assert (event.outcome, event.route, event.error_class) == ("error", "local", "ModelNotFoundError")


def test_blocked_documents_are_not_processed(make_pipeline, openai_server, missing_local_model):
    r = make_pipeline(policy="strict", local=missing_local_model).process("Patient MRN: 4481923 has asthma.", TASK)
    assert (r.outcome, r.route, r.answer) == ("blocked", "blocked", None)
    assert openai_server.requests == []


def test_every_outcome_reaches_the_audit_hook_without_values(make_pipeline, openai_server, missing_local_model):
    sink = ListSink()
    pipeline = make_pipeline(local=missing_local_model, audit=sink)
    for text in (CLEAN, SENSITIVE):
        pipeline.process(text, TASK)
    assert [e.route for e in sink.events] == ["cloud", "local"]
    assert sink.events[1].entity_counts["US_SSN"] == 1
    assert sink.events[1].category_counts["PII"] >= 2
    blob = repr([e.to_dict() for e in sink.events])
    for value in ("Dana", "Whitfield", "536-22-1987", "third floor"):
        assert value not in blob


def test_pipeline_is_safe_to_share_between_threads(make_pipeline, openai_server, missing_local_model):
    from concurrent.futures import ThreadPoolExecutor

    pipeline = make_pipeline(policy="redact-pii", local=missing_local_model)
    texts = [f"Ask Dana Whitfield about desk {i} on the third floor." for i in range(12)] + [CLEAN] * 4
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda t: pipeline.process(t, TASK, max_tokens=8), texts))
    assert [r.route for r in results] == ["cloud_redacted"] * 12 + ["cloud"] * 4
    assert all(r.outcome == "ok" for r in results)
    assert all("Dana Whitfield" in r.answer for r in results[:12])
    assert not openai_server.sent_anywhere("Whitfield")
    assert len(openai_server.chat_requests) == 16


def test_an_unexpected_failure_fails_the_document_closed(make_pipeline, openai_server, missing_local_model, scanner, monkeypatch):
    pipeline = make_pipeline(local=missing_local_model)

    def broken(text, findings=()):
        raise ValueError(f"cannot handle {text}")  # a library error quoting its input

    monkeypatch.setattr("redactor.prepare.find_doubts", broken)
    r = pipeline.process(CLEAN, TASK)
    assert (r.outcome, r.error_class) == ("error", "UnexpectedError")
    assert "third floor" not in r.error
    assert openai_server.requests == []
