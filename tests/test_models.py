"""The model store and ``redactor models``, against a tiny fake manifest and fake packages."""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from redactor.backends import models as store
from redactor.backends.catalog import set_model_field
from redactor.errors import LocalModelError, ModelNotFoundError, UnknownModel

TINY = b"GGUF" + bytes(range(256)) * 8
TINY_SHA = hashlib.sha256(TINY).hexdigest()

MANIFEST = f"""
[models.tiny]
file = "tiny.gguf"
sha256 = "{TINY_SHA}"
size = {len(TINY)}
license = "MIT"
source = {{ pip = "fake-tiny-model", package = "fake_tiny_model", kind = "file", path = "weights/tiny.gguf" }}

[models.built]
file = "built.gguf"
sha256 = "{TINY_SHA}"
size = {len(TINY)}
has_chat_template = false
source = {{ pip = "fake-built-model", package = "fake_built_model", kind = "assemble", function = "assemble" }}

[models.absent]
file = "absent.gguf"
sha256 = "{TINY_SHA}"
size = {len(TINY)}
source = {{ pip = "not-installed-model", package = "not_installed_model_pkg", kind = "file", path = "x.gguf" }}
"""


@pytest.fixture
def fake_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A manifest, a repo ``models/`` folder and two importable model packages, all in tmp."""
    repo_models = tmp_path / "repo_models"
    repo_models.mkdir()
    (repo_models / "manifest.toml").write_text(MANIFEST)
    monkeypatch.setattr(store, "resource_dir", lambda name: repo_models)

    packages = tmp_path / "site"
    weights = packages / "fake_tiny_model" / "weights"
    weights.mkdir(parents=True)
    (packages / "fake_tiny_model" / "__init__.py").write_text("raise ImportError('never import me')\n")
    (weights / "tiny.gguf").write_bytes(TINY)
    (packages / "fake_built_model").mkdir()
    (packages / "fake_built_model" / "__init__.py").write_text(
        "from pathlib import Path\n"
        f"DATA = {TINY!r}\n"
        "def assemble(dest):\n    Path(dest).write_bytes(DATA)\n    return Path(dest)\n"
    )
    monkeypatch.syspath_prepend(str(packages))
    return repo_models


def test_shipped_manifest_is_valid():
    manifest = store.load_manifest()
    assert {"smollm2-135m-instruct", "gemma3-270m"} <= set(manifest)
    gemma = manifest["gemma3-270m"]
    assert gemma.sha256 == "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
    assert gemma.source.kind == "assemble" and not gemma.has_chat_template


def test_existing_path_is_used_as_is(tmp_path):
    gguf = tmp_path / "any name.gguf"
    gguf.write_bytes(b"GGUF")
    assert store.resolve_model(str(gguf)) == gguf.resolve()


def test_missing_path_is_model_not_found(tmp_path):
    with pytest.raises(ModelNotFoundError, match="not found"):
        store.resolve_model(str(tmp_path / "nope.gguf"))


def test_name_installs_from_package_into_the_data_dir(fake_store, redactor_home):
    path = store.resolve_model("tiny")
    assert path == redactor_home / "models" / "tiny.gguf"
    assert path.read_bytes() == TINY
    assert [p.name for p in path.parent.iterdir() if p.suffix != ".lock"] == ["tiny.gguf"]  # no temp left
    assert store.resolve_model("tiny") == path  # second time: found, not reinstalled


def test_assembled_package(fake_store):
    assert store.resolve_model("built").read_bytes() == TINY


def test_sha256_mismatch_removes_the_file(fake_store, redactor_home):
    bad = MANIFEST.replace(f'"tiny.gguf"\nsha256 = "{TINY_SHA}"', f'"tiny.gguf"\nsha256 = "{"0" * 64}"')
    (fake_store / "manifest.toml").write_text(bad)
    with pytest.raises(LocalModelError, match="sha256 mismatch.*removed"):
        store.resolve_model("tiny")
    assert not any(p.suffix in (".gguf", ".part") for p in (redactor_home / "models").iterdir())


def test_missing_package_says_which_pip_command(fake_store):
    with pytest.raises(ModelNotFoundError, match="pip install not-installed-model"):
        store.resolve_model("absent")


def test_file_dropped_into_repo_models_folder_is_used(fake_store):
    (fake_store / "absent.gguf").write_bytes(TINY)  # package missing, but the file is there
    assert store.resolve_model("absent") == fake_store / "absent.gguf"
    (fake_store / "custom.gguf").write_bytes(b"GGUF")
    assert store.resolve_model("custom") == fake_store / "custom.gguf"
    assert store.resolve_model("custom.gguf") == fake_store / "custom.gguf"


def test_wrong_size_is_reported(fake_store):
    (fake_store / "absent.gguf").write_bytes(TINY[:-1])
    with pytest.raises(LocalModelError, match="wrong size"):
        store.resolve_model("absent")


def test_verify_reports_corruption_and_keeps_the_file_unless_asked(fake_store, redactor_home):
    path = store.install_model("tiny")
    assert store.verify_model("tiny") == [path]
    path.write_bytes(TINY[:-1] + b"!")
    with pytest.raises(LocalModelError, match="mismatch.*left in place"):
        store.verify_model("tiny")
    assert path.exists()  # reported, kept: the user decides
    with pytest.raises(LocalModelError, match="mismatch.*removed"):
        store.verify_model("tiny", delete=True)
    assert not path.exists()

    (fake_store / "absent.gguf").write_bytes(TINY[:-1] + b"!")
    with pytest.raises(LocalModelError, match="left in place"):
        store.verify_model("absent", delete=True)  # a file the user dropped in is never deleted
    assert (fake_store / "absent.gguf").exists()


def test_concurrent_installs_agree(fake_store):
    paths: list[Path] = []
    threads = [threading.Thread(target=lambda: paths.append(store.install_model("tiny"))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(paths)) == 1 and paths[0].read_bytes() == TINY


def test_unknown_name_lists_known_models(fake_store):
    with pytest.raises(ModelNotFoundError, match="absent, built, tiny"):
        store.resolve_model("mystery")


def test_a_misspelt_model_name_is_a_usage_error_that_suggests_the_known_one(fake_store, tmp_path):
    added = {"path": str(tmp_path / "finetune.gguf"), "size": 1, "sha256": "0" * 64, "mtime_ns": 0}
    set_model_field(store.store_dir(), "my-finetune", "added", added)  # as `models add` records it
    for typo, meant in [("tinny", "tiny"), ("Built", "built"), ("my-fintune", "my-finetune")]:
        with pytest.raises(UnknownModel, match=f"did you mean '{meant}'") as e:
            store.resolve_model(typo)
        assert e.value.exit_code == 2
    with pytest.raises(UnknownModel) as e:
        store.resolve_model("mystery")
    assert "did you mean" not in str(e.value)
    for command in (["install", "tinny"], ["verify", "tinny"]):
        result = run(*command)
        assert result.exit_code == 2 and "did you mean 'tiny'?" in result.output, result.output


@pytest.mark.slow
def test_real_default_model_installs_verified(local_model_path):
    spec = store.load_manifest()["smollm2-135m-instruct"]
    assert local_model_path.name == spec.file and local_model_path.stat().st_size == spec.size


# -- the CLI ----------------------------------------------------------------------


def run(*args: str):
    from redactor.cli.main import cli

    return CliRunner().invoke(cli, ["models", *args])


def test_cli_list_install_verify_path(fake_store, redactor_home):
    listed = json.loads(run("list", "--json").output)
    assert {r["name"]: r["installed"] for r in listed} == {"tiny": False, "built": False, "absent": False}

    result = run("install", "tiny")
    assert result.exit_code == 0 and "installed and verified" in result.output
    assert json.loads(run("list", "--json").output)[0]["installed"] is True

    result = run("verify")
    assert result.exit_code == 0 and "tiny: ok" in result.output
    result = run("path", "tiny")
    assert result.exit_code == 0 and result.output.strip() == str(redactor_home / "models" / "tiny.gguf")


def test_cli_errors_exit_one(fake_store):
    result = run("install", "absent")
    assert result.exit_code == 1 and "pip install not-installed-model" in result.output
    assert run("path", "built").exit_code == 1  # not installed, and `path` never installs


def test_cli_install_defaults_to_the_configured_model(fake_store, monkeypatch):
    monkeypatch.setenv("REDACTOR_LOCAL__MODEL", "built")
    result = run("install")
    assert result.exit_code == 0 and result.output.startswith("built:")


def test_path_without_a_name_is_the_configured_model_run_installed(fake_store, redactor_home, monkeypatch):
    monkeypatch.setenv("REDACTOR_LOCAL__MODEL", "tiny")
    assert run("path").exit_code == 1  # nothing installed yet, and `path` never installs
    installed = store.resolve_model("tiny")  # what `run` does on first use
    result = run("path")
    assert result.exit_code == 0 and result.output.strip() == str(installed)


def test_cli_verify_keeps_a_mismatching_file_unless_asked(fake_store, redactor_home):
    path = store.install_model("tiny")
    path.write_bytes(TINY[:-1] + b"!")
    result = run("verify", "tiny")
    assert result.exit_code == 1 and "left in place" in result.output and path.exists()
    result = run("verify", "--delete", "tiny")
    assert result.exit_code == 1 and "removed" in result.output and not path.exists()


# -- measured once per machine, never on a first call -------------------------------


def _measured_tiny(fake_store: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """``tiny`` as a model with re-encodings to measure, and an empty shared cache of measurements."""
    (fake_store / "manifest.toml").write_text(MANIFEST.replace('license = "MIT"', 'license = "MIT"\noptimize = ["Q8_0"]', 1))
    cache = tmp_path / "shared-cache"
    monkeypatch.setenv("REDACTOR_CACHE_DIR", str(cache))

    def never(*a, **k):
        raise AssertionError("a first call must not measure")

    import redactor.backends.optimize as optimize

    monkeypatch.setattr(optimize, "optimize_model", never)
    return cache


def test_a_first_call_with_nothing_measured_uses_the_shipped_file_at_once(fake_store, redactor_home, monkeypatch,
                                                                          tmp_path, capsys):
    _measured_tiny(fake_store, monkeypatch, tmp_path)
    path = store.resolve_model("tiny")
    assert path == redactor_home / "models" / "tiny.gguf" and path.read_bytes() == TINY
    assert "not measured on this machine yet" in capsys.readouterr().err


def test_a_fresh_home_takes_the_measurement_made_on_this_machine(fake_store, redactor_home, monkeypatch, tmp_path):
    from redactor.backends import measured
    from redactor.backends.catalog import model_entry

    _measured_tiny(fake_store, monkeypatch, tmp_path)
    faster = tmp_path / "tiny.Q8_0.gguf"
    faster.write_bytes(TINY + b"q8")
    entry = {"file": "tiny.Q8_0.gguf", "sha256": hashlib.sha256(faster.read_bytes()).hexdigest(),
             "size": faster.stat().st_size, "quant": "Q8_0", "chosen": "Q8_0", "encodings": {"Q8_0": {"accepted": True}}}
    measured.remember(TINY_SHA, entry, faster)  # what `models install` leaves for every store
    path = store.resolve_model("tiny")
    assert path == redactor_home / "models" / "tiny.Q8_0.gguf" and path.read_bytes() == TINY + b"q8"
    assert model_entry(redactor_home / "models", "tiny")["optimized"]["quant"] == "Q8_0"
    assert path in store.verify_model("tiny")  # the adopted file is checked like a measured one

    monkeypatch.setattr(measured, "machine", lambda: "another CPU or llama.cpp build")
    assert measured.recall(TINY_SHA) is None  # keyed by the CPU and the llama.cpp build


def test_models_install_reuses_this_machines_measurement(fake_store, redactor_home, monkeypatch, tmp_path):
    from redactor.backends import measured

    _measured_tiny(fake_store, monkeypatch, tmp_path)  # measuring would fail the test
    measured.remember(TINY_SHA, {"quant": None, "chosen": "Q4_1", "encodings": {}}, None)  # the shipped file won
    result = run("install", "tiny")
    assert result.exit_code == 0, result.output
    assert "measured on this machine before (tiny.gguf" in result.output
