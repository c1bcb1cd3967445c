"""Redacted copies of documents, written with Presidio's anonymizer operators.

Operators: ``replace`` (``<PERSON>``), ``mask`` (``*`` for every character),
``encrypt`` (AES-CBC, ``ENC:<base64>``, reversible with the key:
``Redactor.decrypt``) and ``hmac`` (keyed HMAC-SHA256, ``HMAC:<hex>``: the same
value always gives the same token under one key; never an unsalted hash, which
a dictionary attack reverses for SSNs and phone numbers in minutes).

The key is an argument (``key=``) or, by default, the environment variable
``REDACTOR_REDACT_KEY``.  It is never printed, and errors name the variable or
the argument, never the key.  ``hmac`` needs at least 16 bytes of key;
``encrypt`` exactly 16, 24 or 32 (AES-128/192/256).
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
import os
import re
from typing import Iterable

from .detect.findings import Finding
from .errors import ConfigError
from .transform import merge_spans

OPERATORS = ("replace", "mask", "encrypt", "hmac")
KEY_ENV = "REDACTOR_REDACT_KEY"
#: Shortest ``hmac`` key: an HMAC is only as strong as its key, and a short one
#: can be guessed, which gives back every value through a dictionary attack.
MIN_HMAC_KEY_BYTES = 16
AES_KEY_BYTES = (16, 24, 32)
ENCRYPTED_PREFIX = "ENC:"
# IV (16 bytes) + at least one AES block, in (URL-safe) base64: 44 characters or more
_ENCRYPTED = re.compile(re.escape(ENCRYPTED_PREFIX) + r"([A-Za-z0-9_+/-]{43,}={0,2})")


def _key(key: str | bytes | None, env: str) -> tuple[bytes, str]:
    """The key as bytes, and how to name it in an error (never its value)."""
    if key is not None:
        name = "the key argument"
        value = key.encode() if isinstance(key, str) else bytes(key)
    else:
        name = env
        value = os.environ.get(env, "").encode()
    if not value:
        where = "pass key= or set " + env if key is None else "pass a non-empty key"
        raise ConfigError(f"this operator needs a key: {where} (it is never printed)")
    return value, name


def operator_config(operator: str, key_env: str = KEY_ENV, key: str | bytes | None = None):
    from presidio_anonymizer.entities import OperatorConfig

    if operator == "replace":
        return None  # one "replace" config per entity type, built in Redactor.redact
    if operator == "mask":
        return OperatorConfig("mask", {"masking_char": "*", "chars_to_mask": 10_000, "from_end": False})
    if operator == "encrypt":
        secret = _aes_key(key, key_env)
        return OperatorConfig("custom", {"lambda": lambda v: ENCRYPTED_PREFIX + _cipher().encrypt(secret, v)})
    if operator == "hmac":
        secret, name = _key(key, key_env)
        if len(secret) < MIN_HMAC_KEY_BYTES:
            raise ConfigError(
                f"{name} is too short for hmac: {len(secret)} bytes, need at least {MIN_HMAC_KEY_BYTES} "
                "(a short key can be guessed, and then every value with it)"
            )
        return OperatorConfig(
            "custom", {"lambda": lambda v: "HMAC:" + hmac.new(secret, v.encode(), hashlib.sha256).hexdigest()[:24]}
        )
    raise ConfigError(f"unknown operator {operator!r}; choose one of {', '.join(OPERATORS)}")


def _aes_key(key: str | bytes | None, key_env: str) -> bytes:
    secret, name = _key(key, key_env)
    if len(secret) not in AES_KEY_BYTES:
        raise ConfigError(f"{name} must be 16, 24 or 32 bytes for AES, got {len(secret)}")
    return secret


def _cipher():
    from presidio_anonymizer.operators.aes_cipher import AESCipher

    return AESCipher


class Redactor:
    """Rewrites the findings of a text with one operator.

    ``key`` (str or bytes) is the key for ``encrypt``/``hmac``; without it the
    key is read from the environment variable ``key_env``.  A missing or
    unsuitable key fails here, before any text is read."""

    def __init__(self, operator: str = "replace", key_env: str = KEY_ENV, *, key: str | bytes | None = None) -> None:
        self.operator = operator
        from presidio_anonymizer import AnonymizerEngine  # heavy; loaded when a Redactor is made

        self._config = operator_config(operator, key_env, key)
        self._aes = _aes_key(key, key_env) if operator == "encrypt" else None
        self._engine = AnonymizerEngine()

    def __repr__(self) -> str:  # never the key
        return f"Redactor(operator={self.operator!r})"

    def redact(self, text: str, findings: Iterable[Finding]) -> str:
        from presidio_anonymizer.entities import OperatorConfig, RecognizerResult as AnonResult

        spans = merge_spans(findings)
        results = [AnonResult(f.entity_type, f.start, f.end, f.score) for f in spans]
        if self.operator == "replace":
            operators = {f.entity_type: OperatorConfig("replace", {"new_value": f"<{f.entity_type}>"}) for f in spans}
        else:
            operators = {"DEFAULT": self._config}
        return self._engine.anonymize(text=text, analyzer_results=results, operators=operators).text

    def decrypt(self, text: str) -> str:
        """``text`` with every ``ENC:<base64>`` value that ``encrypt`` wrote restored.

        Needs a Redactor made with ``operator="encrypt"`` and the same key.  A value
        that does not decrypt (another key, or a damaged file) is an error naming its
        position: nothing is restored half-way."""
        if self._aes is None:
            raise ConfigError(f"decrypt needs a Redactor made with operator='encrypt' and its key, not {self.operator!r}")
        cipher, key = _cipher(), self._aes
        out: list[str] = []
        last = 0
        for n, m in enumerate(_ENCRYPTED.finditer(text), 1):
            try:
                value = cipher.decrypt(key, m.group(1))
            except (ValueError, UnicodeDecodeError, binascii.Error):
                raise ConfigError(
                    f"encrypted value {n} (character {m.start()}) does not decrypt: wrong key, or the text was changed"
                ) from None
            out += [text[last : m.start()], value]
            last = m.end()
        out.append(text[last:])
        return "".join(out)
