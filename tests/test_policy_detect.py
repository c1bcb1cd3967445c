"""A policy may ask for more detection than the settings give (``[detect]`` in its file): the
shipped hipaa-safe-harbor policy turns on the clinical NER for the documents it routes, in the
library, the batch run's worker processes and the gateway, per gateway key.  Every example is
invented."""

from __future__ import annotations

import openai
import pytest

from conftest import make_settings
from redactor.config import DetectSettings
from redactor.errors import PolicyError
from redactor.pipeline import Pipeline
from redactor.policy import detect_for, load_policy
from redactor.serve.keys import KeyStore

# a clinic that no cue or head word marks: only the clinical NER reads it
NOTE = "She follows with oncology at Harborview Crest and walks daily."
CLINIC = "Harborview"


def test_safe_harbor_asks_for_the_clinical_ner_and_the_others_do_not():
    off = DetectSettings()
    assert detect_for(load_policy("hipaa-safe-harbor"), off).clinical_ner
    for name in ("default", "redact-pii", "strict"):
        assert detect_for(load_policy(name), off) is off
    on = DetectSettings(clinical_ner=True)  # the settings turn it on for every policy
    assert detect_for(load_policy("default"), on).clinical_ner


def test_a_policy_that_asks_for_nothing_keeps_its_version(tmp_path):
    plain = tmp_path / "plain.toml"
    plain.write_text('name = "p"\n[categories.PII]\naction = "local"\n', encoding="utf-8")
    explicit = tmp_path / "explicit.toml"
    explicit.write_text(plain.read_text() + "[detect]\nclinical_ner = false\n", encoding="utf-8")
    asks = tmp_path / "asks.toml"
    asks.write_text(plain.read_text() + "[detect]\nclinical_ner = true\n", encoding="utf-8")
    assert load_policy(plain).version == load_policy(explicit).version != load_policy(asks).version


def test_an_unknown_detect_field_is_refused(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "b"\n[detect]\nclinical_nerr = true\n', encoding="utf-8")
    with pytest.raises(PolicyError, match="clinical_nerr"):
        load_policy(bad)


def test_the_pipeline_scans_with_what_its_policy_asks_for(openai_server, scanner):
    settings = make_settings(openai_server, policy="hipaa-safe-harbor")
    own = Pipeline(settings)
    assert own.scanner.settings.clinical_ner
    sent = own.prepare(NOTE, "Summarize").outgoing_text
    assert "<HEALTHCARE_FACILITY_1>" in sent and CLINIC not in sent and "Crest" not in sent
    # the same policy with a scanner given without the NER: only the unknown word is masked
    given = Pipeline(settings, scanner=scanner).prepare(NOTE, "Summarize").outgoing_text
    assert "Crest" in given


def test_a_gateway_key_scans_with_its_own_policy(gateway, openai_server, scanner, redactor_home):
    store = KeyStore()
    store.create(name="plain", policy="redact-pii")
    _, safe_harbor = store.create(name="sh", policy="hipaa-safe-harbor")
    gw = gateway(policy="redact-pii", keys=store)
    client = openai.OpenAI(base_url=gw.base_url, api_key=safe_harbor, max_retries=0)
    raw = client.chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": NOTE}])
    assert raw.headers["x-redactor-policy-name"] == "hipaa-safe-harbor"
    assert raw.headers["x-redactor-route"] == "cloud_redacted"
    assert not openai_server.sent_anywhere(CLINIC) and not openai_server.sent_anywhere("Crest")
    caches = gw.gateway.caches
    assert caches.for_policy(load_policy("redact-pii")).scanner is scanner  # the gateway's own, as given
    assert caches.for_policy(load_policy("hipaa-safe-harbor")).scanner.settings.clinical_ner
