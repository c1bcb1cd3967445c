"""`redactor eval` on malformed label files: one clear line naming the file, where and why; exit 2.

Every case fails while the labels are read, before spaCy loads, so these are fast."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from redactor.cli.main import cli
from redactor.errors import ConfigError
from redactor.evaluate import read_labels


def _eval(path: Path):
    result = CliRunner().invoke(cli, ["eval", str(path)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, (KeyError, ValueError, TypeError))
    return result.output


def _jsonl(tmp_path: Path, *lines: str) -> Path:
    p = tmp_path / "labels.jsonl"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def _json(tmp_path: Path, data, name: str = "labels.json") -> Path:
    p = tmp_path / name
    p.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return p


GOOD = json.dumps({"text": "Call Dana now", "spans": [{"entity_type": "PERSON", "start": 5, "end": 9}]})


def test_not_json(tmp_path):
    p = _json(tmp_path, "[{'full_text': 'single quotes'}]")
    out = _eval(p)
    assert str(p) in out and "not valid JSON" in out and "line 1" in out


def test_value_labels_not_json(tmp_path):
    out = _eval(_json(tmp_path, "documents: nope"))
    assert "not valid JSON" in out


def test_jsonl_bad_line_is_named(tmp_path):
    p = _jsonl(tmp_path, GOOD, "", '{"text": "unterminated', GOOD)
    out = _eval(p)
    assert f"{p}: line 3: not valid JSON" in out


@pytest.mark.parametrize(
    "record, problem",
    [
        ({"spans": []}, "missing key 'text'"),
        ({"text": "abc", "spans": [{"start": 0, "end": 1}]}, "missing key 'spans[0].entity_type'"),
        ({"text": "abc", "spans": [{"entity_type": "PERSON", "start": 0}]}, "missing key 'spans[0].end'"),
    ],
)
def test_jsonl_missing_keys(tmp_path, record, problem):
    p = _jsonl(tmp_path, GOOD, json.dumps(record))
    assert f"{p}: line 2: {problem}" in _eval(p)


@pytest.mark.parametrize(
    "record, problem",
    [
        ({"text": 42}, "'text' must be str, got int"),
        ({"text": "abc", "spans": {"entity_type": "X"}}, "'spans' must be a list, got dict"),
        ({"text": "abc", "spans": ["PERSON"]}, "spans[0] must be an object, got str"),
        ({"text": "abc", "spans": [{"entity_type": "P", "start": "0", "end": 2}]}, "'spans[0].start' must be int, got str"),
        ({"text": "abc", "spans": [{"entity_type": "P", "start": True, "end": 2}]}, "'spans[0].start' must be int, got bool"),
        (["text", "abc"], "expected an object, got list"),
    ],
)
def test_jsonl_wrong_types(tmp_path, record, problem):
    p = _jsonl(tmp_path, json.dumps(record))
    assert f"{p}: line 1: {problem}" in _eval(p)


@pytest.mark.parametrize("start, end", [(0, 99), (-1, 2), (3, 3), (5, 2)])
def test_jsonl_span_out_of_range(tmp_path, start, end):
    p = _jsonl(tmp_path, json.dumps({"text": "abcdef", "spans": [{"entity_type": "P", "start": start, "end": end}]}))
    out = _eval(p)
    assert f"{p}: line 1: spans[0] is out of range" in out and "6 characters" in out


def test_presidio_json_errors_name_the_record(tmp_path):
    ok = {"full_text": "Call Dana", "spans": [{"entity_type": "PERSON", "start_position": 5, "end_position": 9}]}
    bad_key = {"text": "Call Dana", "spans": []}
    assert "record 2: missing key 'full_text'" in _eval(_json(tmp_path, [ok, bad_key]))
    out_of_range = dict(ok, spans=[{"entity_type": "PERSON", "start_position": 5, "end_position": 90}])
    assert "record 2: spans[0] is out of range" in _eval(_json(tmp_path, [ok, out_of_range]))
    wrong = dict(ok, spans=[{"entity_type": "PERSON", "start_position": 5.0, "end_position": 9}])
    assert "record 1: 'spans[0].start_position' must be int, got float" in _eval(_json(tmp_path, [wrong]))


def test_value_labels_errors(tmp_path):
    (tmp_path / "a.txt").write_text("Dana Whitfield called.", encoding="utf-8")
    assert "top level: missing key 'documents'" in _eval(_json(tmp_path, {"root": "."}))
    assert "documents[0]: missing key 'file'" in _eval(_json(tmp_path, {"documents": [{"entities": []}]}))
    bad_entity = {"documents": [{"file": "a.txt", "entities": [{"type": "PERSON"}]}]}
    assert "documents[0]: missing key 'entities[0].value'" in _eval(_json(tmp_path, bad_entity))
    missing_doc = {"documents": [{"file": "absent.txt", "entities": []}]}
    out = _eval(_json(tmp_path, missing_doc))
    assert "documents[0]: cannot read" in out and "absent.txt" in out


def test_not_utf8(tmp_path):
    p = tmp_path / "labels.jsonl"
    p.write_bytes(GOOD.encode() + b"\n" + b'{"text": "\xff\xfe"}\n')
    assert f"{p}: line 2: not UTF-8 text" in _eval(p)


def test_the_library_raises_config_error(tmp_path):
    p = _jsonl(tmp_path, GOOD, "{")
    with pytest.raises(ConfigError, match="line 2"):
        list(read_labels(p))


def test_well_formed_labels_still_read(tmp_path):
    p = _jsonl(tmp_path, GOOD, "", GOOD)
    examples = list(read_labels(p))
    assert [e.id for e in examples] == [f"{p}#1", f"{p}#3"]
    assert examples[0].gold[0].entity_type == "PERSON"
