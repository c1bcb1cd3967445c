"""What of a request body may leave without being scanned: the written allowlist.

The rule: **every string that leaves the machine was scanned as part of the
conversation, or the request is refused.**  An endpoint's reader
(``conversation.py``) takes the texts it knows how to pseudonymise in place
(message contents, tool-call arguments, prompts, inputs).  This module walks
the *whole* body, every key and every leaf however deeply nested, against the
endpoint's schema below and sorts what the reader did not take:

- **pass**: the only things forwarded unscanned, and only where the schema
  says so: numbers, booleans and null in numeric or boolean fields
  (``temperature``, ``stream``…), a string of an API enum in its own field
  (``role``: ``user``; ``tool_choice``: ``auto``…), and ``model`` (checked
  against a model-name pattern).  A value of the wrong kind in such a field
  (a sentence in ``temperature``, an unknown ``role``) is scanned instead.
- **scan, not maskable**: strings whose meaning a placeholder would break:
  names and ids (tool names, call ids), descriptions, ``user``, ``stop``,
  ``metadata``, JSON schemas (property names, ``enum``/``const``/``default``
  values, ``required``), and the *names* of fields nobody listed.  They are
  scanned together as one text; if the policy would mask or keep anything in
  them, the request is answered locally (reason ``unmaskable-field``).
- **scan and mask**: the string values of fields nobody listed (``documents``,
  a vendor's ``chat_template_kwargs``, an ``annotations`` list in a message):
  conversation texts like any other, pseudonymised in place on the redacted
  route.  Numbers in such fields are scanned as text, not maskable.

``gateway.unknown_fields = "refuse"`` refuses a body holding any field nobody
listed with a 400 that names its path instead (``documents``,
``messages[0].annotations``).  A path never shows a value: a field name that
is not identifier-shaped is shown as ``<key>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator

Path = tuple[Any, ...]

MODEL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,127}")
_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$.-]{0,39}")


class _Kind:
    """A leaf kind of the schema.  ``name`` is for reading the schema, not used in logic."""

    def __init__(self, name: str, values: frozenset[str] = frozenset()) -> None:
        self.name, self.values = name, values

    def __repr__(self) -> str:
        return self.name


NUM = _Kind("number, boolean or null")
MODEL = _Kind("model name")
TEXT = _Kind("conversation text (the endpoint's reader takes it)")
SCAN = _Kind("scanned, not maskable")  # anything below is scanned, keys included


def enum(*values: str) -> _Kind:
    return _Kind("enum", frozenset(values))


@dataclass(frozen=True)
class OneOf:
    """A field of several JSON shapes (a string or a list of parts): the first spec that fits."""

    specs: tuple[Any, ...]


def one_of(*specs: Any) -> OneOf:
    return OneOf(specs)


class Schema:
    """A JSON Schema (tool parameters, structured output): keywords known, names and values scanned."""


SCHEMA = Schema()

# ----------------------------------------------------------------------------- the allowlist

STREAM_OPTIONS = {"include_usage": NUM, "include_obfuscation": NUM}
_TEXT_PART = {"type": enum("text", "input_text", "output_text", "refusal"), "text": TEXT, "refusal": TEXT,
              "annotations": SCAN}
CONTENT = one_of(TEXT, [_TEXT_PART])
_FUNCTION_DEF = {"name": SCAN, "description": SCAN, "parameters": SCHEMA, "strict": NUM}
_TOOL_CALL = {"id": SCAN, "type": enum("function"), "function": {"name": SCAN, "arguments": TEXT}}

CHAT = {
    "model": MODEL,
    "messages": [{
        "role": enum("system", "developer", "user", "assistant", "tool", "function"),
        "content": CONTENT,
        "name": SCAN,
        "refusal": SCAN,
        "tool_calls": [_TOOL_CALL],
        "tool_call_id": SCAN,
        "function_call": {"name": SCAN, "arguments": TEXT},
        "audio": {"id": SCAN},
    }],
    "audio": {"voice": SCAN, "format": enum("wav", "aac", "mp3", "flac", "opus", "pcm16")},
    "frequency_penalty": NUM, "presence_penalty": NUM, "logit_bias": SCAN, "logprobs": NUM, "top_logprobs": NUM,
    "max_tokens": NUM, "max_completion_tokens": NUM, "n": NUM, "seed": NUM, "temperature": NUM, "top_p": NUM,
    "stream": NUM, "stream_options": STREAM_OPTIONS, "store": NUM, "parallel_tool_calls": NUM,
    "metadata": SCAN, "user": SCAN, "safety_identifier": SCAN, "prompt_cache_key": SCAN,
    "stop": SCAN, "modalities": [enum("text", "audio")],
    "prediction": {"type": enum("content"), "content": SCAN},
    "reasoning_effort": enum("none", "minimal", "low", "medium", "high", "xhigh"),
    "verbosity": enum("low", "medium", "high"),
    "service_tier": enum("auto", "default", "flex", "scale", "priority"),
    "response_format": {
        "type": enum("text", "json_object", "json_schema"),
        "json_schema": {"name": SCAN, "description": SCAN, "schema": SCHEMA, "strict": NUM},
    },
    "tools": [{"type": enum("function"), "function": _FUNCTION_DEF}],
    "tool_choice": one_of(enum("none", "auto", "required"),
                          {"type": enum("function"), "function": {"name": SCAN}}),
    "functions": [_FUNCTION_DEF],
    "function_call": one_of(enum("none", "auto"), {"name": SCAN}),
    "web_search_options": SCAN,
}

COMPLETIONS = {
    "model": MODEL, "prompt": one_of(TEXT, [TEXT]), "suffix": TEXT,
    "best_of": NUM, "echo": NUM, "frequency_penalty": NUM, "presence_penalty": NUM, "logit_bias": SCAN,
    "logprobs": NUM, "max_tokens": NUM, "n": NUM, "seed": NUM, "temperature": NUM, "top_p": NUM,
    "stream": NUM, "stream_options": STREAM_OPTIONS, "stop": SCAN, "user": SCAN,
}

EMBEDDINGS = {
    "model": MODEL, "input": one_of(TEXT, [TEXT]), "dimensions": NUM,
    "encoding_format": enum("float", "base64"), "user": SCAN,
}

_ITEM_STATUS = enum("in_progress", "completed", "incomplete")
RESPONSES = {
    "model": MODEL, "instructions": TEXT,
    "input": one_of(TEXT, [{
        "type": enum("message", "function_call", "function_call_output"),
        "role": enum("system", "developer", "user", "assistant"),
        "content": CONTENT,
        "id": SCAN, "status": _ITEM_STATUS, "call_id": SCAN, "name": SCAN, "arguments": TEXT, "output": TEXT,
    }]),
    "include": SCAN, "max_output_tokens": NUM, "max_tool_calls": NUM, "metadata": SCAN,
    "parallel_tool_calls": NUM, "prompt_cache_key": SCAN, "safety_identifier": SCAN, "user": SCAN,
    "reasoning": {"effort": enum("none", "minimal", "low", "medium", "high", "xhigh"),
                  "summary": enum("auto", "concise", "detailed"), "generate_summary": enum("auto", "concise", "detailed")},
    "service_tier": enum("auto", "default", "flex", "scale", "priority"),
    "store": NUM, "stream": NUM, "stream_options": STREAM_OPTIONS, "temperature": NUM, "top_p": NUM,
    "top_logprobs": NUM, "truncation": enum("auto", "disabled"),
    "text": {"format": {"type": enum("text", "json_object", "json_schema"), "name": SCAN, "description": SCAN,
                        "schema": SCHEMA, "strict": NUM},
             "verbosity": enum("low", "medium", "high")},
    "tools": [{"type": enum("function"), "name": SCAN, "description": SCAN, "parameters": SCHEMA, "strict": NUM}],
    "tool_choice": one_of(enum("none", "auto", "required"), {"type": enum("function"), "name": SCAN}),
    # refused by the gateway when set (it is stateless); null or false may pass
    "previous_response_id": NUM, "conversation": NUM, "background": NUM,
}

ENDPOINTS = {"chat.completions": CHAT, "completions": COMPLETIONS, "embeddings": EMBEDDINGS, "responses": RESPONSES}

#: JSON Schema keywords, by what their value is.  Unknown keywords are scanned (not maskable).
SCHEMA_TYPES = enum("string", "number", "integer", "boolean", "object", "array", "null")
SCHEMA_KEYWORDS: dict[str, Any] = {
    "type": one_of(SCHEMA_TYPES, [SCHEMA_TYPES]),
    **{k: SCHEMA for k in ("items", "not", "if", "then", "else", "contains", "propertyNames",
                           "additionalItems", "unevaluatedItems", "unevaluatedProperties")},
    **{k: [SCHEMA] for k in ("anyOf", "oneOf", "allOf", "prefixItems")},
    **{k: NUM for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength",
                        "maxLength", "minItems", "maxItems", "minProperties", "maxProperties", "uniqueItems",
                        "strict", "nullable", "readOnly", "writeOnly", "deprecated")},
    "additionalProperties": one_of(NUM, SCHEMA),
    # property names, enum/const/default values, required names, descriptions, patterns: scanned
}
_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")


# ----------------------------------------------------------------------------- the walk


@dataclass(frozen=True)
class Leaf:
    """A string of the body the reader did not take: a value, or the name of a field (then
    ``path`` ends with that name).  ``maskable``: it may be pseudonymised in place."""

    path: Path
    text: str
    maskable: bool
    unknown: bool = False  # the name of a field the schema does not list


def unread(endpoint: str, body: dict[str, Any], taken: set[Path]) -> list[Leaf]:
    """Every string of ``body`` (keys included) that is neither at a ``taken`` path nor allowed
    to pass by the endpoint's schema, in document order."""
    return list(_walk(body, ENDPOINTS[endpoint], (), taken))


def unknown_fields(endpoint: str, body: dict[str, Any]) -> list[Path]:
    """The paths of the fields the endpoint's schema does not list (for ``unknown_fields = "refuse"``)."""
    return [leaf.path for leaf in _walk(body, ENDPOINTS[endpoint], (), set()) if leaf.unknown]


def show_path(path: Path) -> str:
    """``messages[0].annotations`` — for errors; a key that is not identifier-shaped shows as ``<key>``."""
    out = ""
    for p in path:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            name = p if _IDENTIFIER.fullmatch(str(p)) else "<key>"
            out += f".{name}" if out else name
    return out or "(body)"


def _walk(value: Any, spec: Any, path: Path, taken: set[Path]) -> Iterator[Leaf]:
    if path in taken:
        return
    if isinstance(spec, OneOf):
        yield from _walk(value, _fitting(value, spec), path, taken)
    elif isinstance(spec, dict):
        if not isinstance(value, dict):
            yield from _any(value, path, maskable=False)
            return
        for k, v in value.items():
            if k in spec:
                yield from _walk(v, spec[k], (*path, k), taken)
            else:  # a field nobody listed: its name is scanned, its strings masked in place
                yield Leaf((*path, k), str(k), maskable=False, unknown=True)
                yield from _any(v, (*path, k), maskable=True)
    elif isinstance(spec, list):
        if not isinstance(value, list):
            yield from _any(value, path, maskable=False)
            return
        for i, v in enumerate(value):
            yield from _walk(v, spec[0], (*path, i), taken)
    elif isinstance(spec, Schema):
        yield from _schema(value, path)
    elif spec is SCAN or spec is TEXT:  # TEXT: the reader takes these; one it did not take is still scanned
        yield from _any(value, path, maskable=False)
    elif spec is NUM:
        if not (value is None or isinstance(value, (bool, int, float))):
            yield from _any(value, path, maskable=False)
    elif spec is MODEL:
        if not (isinstance(value, str) and MODEL_NAME.fullmatch(value)):
            yield from _any(value, path, maskable=False)
    else:  # an enum
        if not (value is None or (isinstance(value, str) and value in spec.values)):
            yield from _any(value, path, maskable=False)


def _fitting(value: Any, spec: OneOf) -> Any:
    for s in spec.specs:
        if isinstance(s, dict) and isinstance(value, dict) or isinstance(s, list) and isinstance(value, list):
            return s
        if isinstance(s, _Kind) and not isinstance(value, (dict, list)):
            if s is NUM and isinstance(value, str):
                continue
            return s
        if isinstance(s, Schema) and isinstance(value, dict):
            return s
    return SCAN


def _any(value: Any, path: Path, *, maskable: bool) -> Iterator[Leaf]:
    """Every string below ``value``: keys are never maskable, numbers are scanned as text."""
    if isinstance(value, str):
        yield Leaf(path, value, maskable)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, (int, float)):
        yield Leaf(path, str(value), maskable=False)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield Leaf((*path, k), str(k), maskable=False)
            yield from _any(v, (*path, k), maskable=maskable)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _any(v, (*path, i), maskable=maskable)


def _schema(value: Any, path: Path) -> Iterator[Leaf]:
    if not isinstance(value, dict):
        yield from _any(value, path, maskable=False)
        return
    for k, v in value.items():
        at = (*path, k)
        if k in _SCHEMA_MAPS and isinstance(v, dict):
            for name, sub in v.items():
                yield Leaf((*at, name), str(name), maskable=False)
                yield from _schema(sub, (*at, name))
        elif k in SCHEMA_KEYWORDS:
            yield from _walk(v, SCHEMA_KEYWORDS[k], at, set())
        else:
            if k not in _SCANNED_KEYWORDS:
                yield Leaf(at, str(k), maskable=False)
            yield from _any(v, at, maskable=False)


#: keywords whose values are scanned; their names are JSON Schema's, not the client's
_SCANNED_KEYWORDS = frozenset({"description", "title", "enum", "const", "default", "examples", "required",
                               "pattern", "format", "$ref", "$id", "$schema", "$comment", "contentMediaType",
                               "contentEncoding"})
