"""Redacted copies of documents, written with Presidio's anonymizer operators.

Operators: ``replace`` (``<PERSON>``), ``mask`` (``*`` for every character),
``encrypt`` (AES, reversible with the key) and ``hmac`` (keyed HMAC-SHA256, the
same value always gives the same token under one key; never an unsalted hash,
which a dictionary attack reverses for SSNs and phone numbers in minutes).
Keys come from the environment and are never printed.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from typing import Iterable

from .detect.findings import Finding
from .errors import ConfigError
from .transform import merge_spans

OPERATORS = ("replace", "mask", "encrypt", "hmac")
KEY_ENV = "REDACTOR_REDACT_KEY"


def _key(env: str) -> str:
    key = os.environ.get(env, "")
    if not key:
        raise ConfigError(f"this operator needs a key: set {env} (it is never printed)")
    return key


def operator_config(operator: str, key_env: str = KEY_ENV):
    from presidio_anonymizer.entities import OperatorConfig

    if operator == "replace":
        return None  # one "replace" config per entity type, built in Redactor.redact
    if operator == "mask":
        return OperatorConfig("mask", {"masking_char": "*", "chars_to_mask": 10_000, "from_end": False})
    if operator == "encrypt":
        key = _key(key_env)
        if len(key.encode()) not in (16, 24, 32):
            raise ConfigError(f"{key_env} must be 16, 24 or 32 bytes for AES")
        return OperatorConfig("encrypt", {"key": key})
    if operator == "hmac":
        secret = _key(key_env).encode()
        return OperatorConfig(
            "custom", {"lambda": lambda v: "HMAC:" + hmac.new(secret, v.encode(), hashlib.sha256).hexdigest()[:24]}
        )
    raise ConfigError(f"unknown operator {operator!r}; choose one of {', '.join(OPERATORS)}")


class Redactor:
    def __init__(self, operator: str = "replace", key_env: str = KEY_ENV) -> None:
        self.operator = operator
        from presidio_anonymizer import AnonymizerEngine  # heavy; loaded when a Redactor is made

        self._config = operator_config(operator, key_env)
        self._engine = AnonymizerEngine()

    def redact(self, text: str, findings: Iterable[Finding]) -> str:
        from presidio_anonymizer.entities import OperatorConfig, RecognizerResult as AnonResult

        spans = merge_spans(findings)
        results = [AnonResult(f.entity_type, f.start, f.end, f.score) for f in spans]
        if self.operator == "replace":
            operators = {f.entity_type: OperatorConfig("replace", {"new_value": f"<{f.entity_type}>"}) for f in spans}
        else:
            operators = {"DEFAULT": self._config}
        return self._engine.anonymize(text=text, analyzer_results=results, operators=operators).text
