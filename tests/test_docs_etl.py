"""docs/etl.md stays true: its defaults match the code and its snippets run as written."""

from __future__ import annotations

import ast
import builtins
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ETL = ROOT / "docs" / "etl.md"
README = ROOT / "README.md"


def snippets(path: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S)


def undefined_names(code: str) -> set[str]:
    """Names a snippet reads but never imports or assigns (a NameError when pasted alone)."""
    tree = ast.parse(code)
    defined = set(dir(builtins))
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            defined.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            defined.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            defined.add(node.name)
        elif isinstance(node, ast.arg):
            defined.add(node.arg)
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return used - defined


def test_every_etl_snippet_imports_and_defines_what_it_uses():
    found = snippets(ETL)
    assert len(found) >= 3
    for code in found:
        assert undefined_names(code) == set(), code


def test_readme_spark_snippet_imports_what_it_uses():
    [spark] = [c for c in snippets(README) if "redactor.spark" in c]
    assert undefined_names(spark) <= {"df"}  # the DataFrame of the reader's own job


def test_batch_size_default_is_the_code_default():
    from redactor.config import DetectSettings

    [n] = re.findall(r"`detect\.batch_size`, (\d+) by default", ETL.read_text(encoding="utf-8"))
    assert int(n) == DetectSettings().batch_size


def test_documented_max_tokens_defaults_are_the_code_default():
    from redactor.config import DEFAULT_MAX_TOKENS

    found = re.findall(r"max_tokens=(\d+)", ETL.read_text(encoding="utf-8"))
    assert found and set(map(int, found)) == {DEFAULT_MAX_TOKENS}


@pytest.mark.slow
def test_the_pandas_snippet_runs(openai_server, local_model_path, monkeypatch, tmp_path):
    pytest.importorskip("pandas")
    [code] = [c for c in snippets(ETL) if "redactor.frames" in c and "pd.DataFrame(" in c]
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-key-123")
    monkeypatch.setenv("REDACTOR_LOCAL__MODEL", str(local_model_path))
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    exec(compile(code, str(ETL), "exec"), scope)
    answers = scope["answers"]
    assert answers["notes__route"].tolist() == ["local", "cloud"]
    assert answers["notes__outcome"].tolist() == ["ok", "ok"]
    assert "<PERSON>" in scope["clean"]["notes"][0] and "Whitfield" not in scope["clean"]["notes"][0]
    assert not openai_server.sent_anywhere("Whitfield")


def test_readme_library_scan_output_is_what_it_prints(scanner, capsys):
    [code] = [c for c in snippets(README) if "from redactor import Scanner, Pipeline" in c]
    scan_part = code.split("\npipeline = ")[0]
    expected = [line[2:] for line in scan_part.splitlines() if line.startswith("# ")]
    scan_part = scan_part.replace("from redactor import Scanner, Pipeline", "")  # the session's Scanner instead
    exec(compile(scan_part, str(README), "exec"), {"Scanner": lambda: scanner})
    assert capsys.readouterr().out.splitlines() == expected


def test_readme_library_decision_output_is_real(make_pipeline, missing_local_model):
    """The route and reasons the README shows for its example (the answer needs the model)."""
    [code] = [c for c in snippets(README) if "from redactor import Scanner, Pipeline" in c]
    shown = [line[2:] for line in code.split("\npipeline = ")[1].splitlines() if line.startswith("# ")]
    r = make_pipeline(cloud=False, local=missing_local_model).process(
        "Patient MRN: 4481923 has asthma.", task="Summarize", id="ticket-4711")
    assert shown[:2] == [f"{r.document_id} {r.route} {r.reasons}", r.explain()]
