"""pandas helpers (redactor.frames): scan, redact and route DataFrame columns.

Routing uses the recording OpenAI server for the cloud and a LocalBackend whose
GGUF is missing, so the local route fails closed without loading a model.
"""

from __future__ import annotations

import math

import pytest

pd = pytest.importorskip("pandas")

from redactor.audit.store import AuditTrail  # noqa: E402
from redactor.errors import ConfigError  # noqa: E402
from redactor.frames import cell_text, redact_frame, route_frame, scan_frame  # noqa: E402

NAME, SSN, EMAIL = "Dana Whitfield", "536-22-1987", "dana.whitfield@example.com"
VALUES = (NAME, "Dana", "Whitfield", SSN, EMAIL)
CLEAN = "The office move to the third floor is planned for next quarter."
TASK = "Summarize this document in one sentence."


@pytest.fixture
def frame():
    return pd.DataFrame(
        {
            "ticket": ["T-1", "T-2", "T-3", "T-4", "T-5"],
            "notes": [
                f"Employee {NAME}, SSN {SSN}, starts on the payroll next month.",
                CLEAN,
                float("nan"),
                f"Please reply to {EMAIL} about the desk move.",
                None,
            ],
            "code": [7, 8, None, 9, 10],
        }
    )


def test_cells_null_text_and_other_values():
    assert [cell_text(v) for v in (None, float("nan"), pd.NA, pd.NaT)] == [None] * 4
    assert cell_text("") == "" and cell_text(12) == "12" and cell_text(b"caf\xc3\xa9") == "café"


def test_scan_frame_adds_counts_categories_and_scores(frame, scanner):
    before = frame.copy()
    out = scan_frame(frame, ["notes"], scanner)
    pd.testing.assert_frame_equal(frame, before)  # the input is never modified
    assert list(out.columns) == [*frame.columns, "notes__entities", "notes__categories", "notes__max_score"]
    first, clean, nan, email, none = out.to_dict("records")
    assert first["notes__entities"]["US_SSN"] == 1 and first["notes__entities"]["PERSON"] >= 1
    assert first["notes__categories"]["PII"] >= 2 and first["notes__max_score"] > 0.5
    assert email["notes__entities"] == {"EMAIL_ADDRESS": 1}
    assert (clean["notes__entities"], clean["notes__categories"], clean["notes__max_score"]) == ({}, {}, 0.0)
    for row in (nan, none):  # null in, null out: never scanned
        assert row["notes__entities"] is None and row["notes__categories"] is None
        assert math.isnan(row["notes__max_score"])


def test_scan_frame_several_columns_and_non_strings(frame, scanner):
    out = scan_frame(frame, ["notes", "code"], scanner, batch_size=2)
    assert out["code__entities"].tolist()[2] is None  # a null number is skipped too
    assert out["code__entities"].tolist()[0] == {}  # 7 is scanned as "7"
    assert out["notes__entities"].tolist()[3] == {"EMAIL_ADDRESS": 1}


def test_redact_frame_replaces_every_value(frame, scanner):
    out = redact_frame(frame, ["notes"], scanner=scanner)
    notes = out["notes"].tolist()
    assert "<US_SSN>" in notes[0] and "<PERSON>" in notes[0] and notes[3] == "Please reply to <EMAIL_ADDRESS> about the desk move."
    assert notes[1] == CLEAN  # clean text is kept as it was
    assert pd.isna(notes[2]) and pd.isna(notes[4])  # nulls stay null
    assert not any(v in str(cell) for cell in notes for v in VALUES)
    pd.testing.assert_frame_equal(out.drop(columns="notes"), frame.drop(columns="notes"))
    assert frame["notes"].tolist()[0].startswith("Employee Dana")  # a copy: the input keeps its values


def test_redact_frame_hmac_is_keyed_and_consistent(scanner, monkeypatch):
    df = pd.DataFrame({"a": [f"SSN {SSN}", f"again {SSN}", CLEAN]})
    monkeypatch.setenv("REDACTOR_REDACT_KEY", "k" * 32)
    out = redact_frame(df, ["a"], "hmac", scanner)["a"].tolist()
    token = out[0].removeprefix("SSN ")
    assert token.startswith("HMAC:") and out[1] == f"again {token}" and out[2] == CLEAN
    monkeypatch.setenv("REDACTOR_REDACT_KEY", "another key, 16 bytes or more")
    assert redact_frame(df, ["a"], "hmac", scanner)["a"].tolist()[0] != out[0]


def test_redact_frame_fails_before_reading_on_a_bad_operator_or_missing_key(frame, monkeypatch):
    # scanner=None: were a cell read first, a Scanner would have to be built
    with pytest.raises(ConfigError, match="unknown operator"):
        redact_frame(frame, ["notes"], "shred")
    with pytest.raises(ConfigError, match="REDACTOR_REDACT_KEY") as e:
        redact_frame(frame, ["notes"], "hmac")
    assert NAME not in str(e.value)


def test_unknown_columns_are_named(frame, scanner):
    with pytest.raises(ConfigError, match="'nope'"):
        scan_frame(frame, ["notes", "nope"], scanner)
    with pytest.raises(ConfigError, match="'missing'"):
        route_frame(frame, "notes", TASK, pipeline=None, id_column="missing")


def test_route_frame_routes_each_row_and_audits_it(frame, make_pipeline, openai_server, missing_local_model, tmp_path):
    openai_server.enqueue("The office moves next quarter.")
    trail = AuditTrail(tmp_path / "audit.db")
    pipeline = make_pipeline(local=missing_local_model, audit=trail)
    out = route_frame(frame, "notes", TASK, pipeline, id_column="ticket", max_tokens=32)

    rows = out.to_dict("records")
    assert [r["notes__outcome"] for r in rows] == ["error", "ok", "skipped", "error", "skipped"]
    assert [r["notes__route"] for r in rows] == ["local", "cloud", None, "local", None]
    assert rows[1]["notes__answer"] == "The office moves next quarter."
    assert rows[0]["notes__reasons"][0] == "category.PII" and rows[0]["notes__answer"] is None
    assert rows[0]["notes__error"] in ("ModelNotFoundError", "LocalModelError")  # fail-closed, never sent
    assert rows[2]["notes__reasons"] == [] and rows[1]["notes__error"] == ""
    assert len(openai_server.chat_requests) == 1
    assert not any(openai_server.sent_anywhere(v) for v in VALUES)

    records = trail.records()
    assert [r["document_id"] for r in records] == ["T-1", "T-2", "T-4"]  # one per routed row, none for nulls
    assert len({r["run_id"] for r in records}) == 1 and trail.verify().ok
    trail.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("audit.db*"))
    assert not any(v.encode() in raw for v in VALUES)


def test_route_frame_skips_blank_cells_like_the_library_and_records_them(make_pipeline, openai_server, missing_local_model,
                                                                        tmp_path):
    trail = AuditTrail(tmp_path / "audit.db")
    pipeline = make_pipeline(local=missing_local_model, audit=trail)
    df = pd.DataFrame({"ticket": ["T-1", "T-2", "T-3", "T-4"], "notes": ["", CLEAN, " \n\t ", None]})
    rows = route_frame(df, "notes", TASK, pipeline, id_column="ticket").to_dict("records")
    assert [r["notes__outcome"] for r in rows] == ["skipped", "ok", "skipped", "skipped"]
    assert [r["notes__route"] for r in rows] == [None, "cloud", None, None]
    assert [r["notes__error"] for r in rows] == ["EmptyDocument", "", "EmptyDocument", ""]
    assert len(openai_server.requests) == 1  # the clean row only: nothing blank was sent
    # the blank rows are recorded as skipped, as `redactor run` records an empty file; the null row is not a document
    assert [(r["document_id"], r["outcome"], r["route"], r["error_class"]) for r in trail.records()] == [
        ("T-1", "skipped", "none", "EmptyDocument"), ("T-2", "ok", "cloud", ""), ("T-3", "skipped", "none", "EmptyDocument"),
    ]


def test_route_frame_redacted_route_restores_answers(frame, make_pipeline, openai_server, missing_local_model):
    pipeline = make_pipeline(policy="redact-pii", local=missing_local_model)
    out = route_frame(frame.iloc[[3]], "notes", TASK, pipeline)  # default ids: "notes#<index>"
    [row] = out.to_dict("records")
    assert (row["notes__route"], row["notes__outcome"]) == ("cloud_redacted", "ok")
    assert EMAIL in row["notes__answer"]  # the server echoed the placeholder; restored locally
    assert not openai_server.sent_anywhere(EMAIL)
