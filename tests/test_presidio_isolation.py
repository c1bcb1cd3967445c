"""Importing redactor leaves Presidio as it is for other code in the same process.

Presidio builds its default registry by looking its recognizer classes up by name
among every ``EntityRecognizer`` subclass loaded (the first of a set); a redactor
class with the same name as one of Presidio's may be picked instead, depending on
where the classes sit in memory.  So the test looks for namesakes, which is
deterministic, and compares the stock engine in two fresh interpreters, with and
without redactor's scanner built first, with sockets forbidden (tests/test_offline.py).
"""

from __future__ import annotations

import json

from test_offline import run_offline

TEXTS = ["Call me at (415) 555-0132 or +44 20 7123 4567.", "Write to jane.doe@example.co.uk today."]

STOCK_ENGINE = """
import json
import tldextract
from collections import Counter
from presidio_analyzer import AnalyzerEngine
from presidio_analyzer.nlp_engine import NlpEngineProvider
from presidio_analyzer.recognizer_registry.recognizers_loader_utils import RecognizerListLoader
# The stock engine as other code would build it, kept offline: the small spaCy model that
# is installed (the default model would be downloaded) and tldextract's bundled suffix list.
tldextract.extract = tldextract.TLDExtract(suffix_list_urls=())
nlp = NlpEngineProvider(nlp_configuration={"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": MODEL}]})
engine = AnalyzerEngine(nlp_engine=nlp.create_engine())
names = Counter(c.__name__ for c in RecognizerListLoader.get_all_existing_recognizers())
out = {
    "namesakes": sorted(name for name, n in names.items() if n > 1),
    "recognizers": sorted(type(r).__module__ + "." + type(r).__name__ for r in engine.registry.recognizers),
    "results": [sorted((r.entity_type, r.start, r.end, round(r.score, 3)) for r in engine.analyze(t, language="en"))
                for t in TEXTS],
}
print(json.dumps(out))
"""


def _stock(tmp_path, before: str) -> dict:
    """The stock engine's registry and results in a fresh interpreter, after running ``before``."""
    from redactor.config import DetectSettings

    model = DetectSettings().spacy_model  # installed with redactor; named here so the fresh process need not import it
    proc = run_offline(f"TEXTS = {TEXTS!r}\nMODEL = {model!r}\n{before}\n{STOCK_ENGINE}", tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_stock_analyzer_engine_is_the_same_after_redactor(tmp_path):
    alone = _stock(tmp_path, "")
    after = _stock(tmp_path, "import redactor\nfrom redactor import Scanner\nScanner().scan('Call 212-555-0134')")
    assert after["namesakes"] == []
    assert after == alone
    assert not any(name.startswith("redactor.") for name in after["recognizers"])
    phones, emails = after["results"]
    assert [r[0] for r in phones].count("PHONE_NUMBER") == 2
    assert "EMAIL_ADDRESS" in [r[0] for r in emails]

