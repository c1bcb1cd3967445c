"""Pins the public API: changing it is a decision, not an accident."""

import redactor

EXPECTED = {
    "AuditEvent", "AuditTrail", "Decision", "Document", "Finding", "Pipeline", "Policy", "Redactor",
    "RedactorError", "Result", "Route", "ScanResult", "Scanner", "Settings", "decide", "load_policy",
    "load_settings", "pseudonymize", "read_path", "restore", "__version__",
}


def test_exported_members():
    assert set(redactor.__all__) == EXPECTED


def test_every_export_resolves():
    for name in redactor.__all__:
        assert getattr(redactor, name) is not None


def test_library_scan_api(scanner):
    results = list(scanner.scan_many(["Call Dana Whitfield at 212-555-0187.", "Nothing to see here."]))
    assert len(results) == 2
    f = {x.entity_type: x for x in results[0].findings}
    assert {"PERSON", "PHONE_NUMBER"} <= set(f)
    assert f["PHONE_NUMBER"].category == "PII" and 0 < f["PHONE_NUMBER"].score <= 1
    assert results[0].text[f["PHONE_NUMBER"].start : f["PHONE_NUMBER"].end] == "212-555-0187"
    assert results[1].findings == ()
