"""The audit trail never becomes a store of the data it protects."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import SAMPLE_DOCS, SAMPLE_LABELS
from redactor.audit.store import AuditTrail
from redactor.ingest import iter_documents


def test_no_gold_value_at_rest_after_a_run_over_sample_docs(make_pipeline, openai_server, missing_local_model, tmp_path: Path):
    db = tmp_path / "audit.db"
    trail = AuditTrail(db)
    pipeline = make_pipeline(policy="redact-pii", local=missing_local_model, audit=trail)
    docs = list(iter_documents([SAMPLE_DOCS]))
    for doc in docs:
        pipeline.process(doc, "Summarize this document.", max_tokens=8)
    assert trail.count() == len(docs)
    assert trail.verify().ok
    trail.close()
    blob = b"".join(p.read_bytes() for p in tmp_path.glob("audit.db*"))
    # Dates and times are left out: every record carries its own timestamp ("…T11:16:42…").
    values = [e["value"] for d in json.loads(SAMPLE_LABELS.read_text())["documents"] for e in d["entities"] if e["type"] != "DATE_TIME"]
    # Short values (ages, "MA") also occur as ordinary bytes; every identifier is longer.
    # Document ids are paths by design, so a value that is part of a file name is not a leak.
    ids = " ".join(d.id for d in docs)
    leaked = [v for v in values if len(v) >= 5 and v.encode() in blob and v not in ids]
    assert leaked == []
