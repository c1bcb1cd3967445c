"""Redactor keys, encrypt and its inverse, and `redactor redact` on CSV and folder trees."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from redactor.cli.main import cli
from redactor.detect.findings import Finding
from redactor.errors import ConfigError
from redactor.redact import KEY_ENV, Redactor

TEXT = "Call Dana Whitfield at 212-555-0187."
FINDINGS = [Finding("PERSON", "PII", 5, 19, 0.85), Finding("PHONE_NUMBER", "PII", 23, 35, 0.75)]
AES_KEY = "0123456789abcdef0123456789abcdef"


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), env=env)


# ----------------------------------------------------------------------------- keys


def test_key_as_an_argument(monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    a = Redactor("hmac", key="a" * 16).redact(TEXT, FINDINGS)
    b = Redactor("hmac", key=b"b" * 16).redact(TEXT, FINDINGS)
    assert a.startswith("Call HMAC:") and "Dana" not in a and a != b
    monkeypatch.setenv(KEY_ENV, "a" * 16)
    assert Redactor("hmac").redact(TEXT, FINDINGS) == a  # the argument and the env give the same token
    monkeypatch.setenv(KEY_ENV, "z" * 16)
    assert Redactor("hmac", key="a" * 16).redact(TEXT, FINDINGS) == a  # the argument wins


@pytest.mark.parametrize("key", ["short-key", "fifteen-bytes!!"])
def test_hmac_refuses_keys_under_16_bytes(key, monkeypatch):
    with pytest.raises(ConfigError, match="too short for hmac: .* need at least 16") as e:
        Redactor("hmac", key=key)
    assert key not in str(e.value) and "the key argument" in str(e.value)
    monkeypatch.setenv(KEY_ENV, key)
    with pytest.raises(ConfigError, match=f"{KEY_ENV} is too short for hmac") as e:
        Redactor("hmac")
    assert key not in str(e.value)


def test_a_missing_key_names_the_variable(monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    with pytest.raises(ConfigError, match=f"pass key= or set {KEY_ENV}"):
        Redactor("encrypt")
    with pytest.raises(ConfigError, match="must be 16, 24 or 32 bytes for AES, got 5"):
        Redactor("encrypt", key="12345")


def test_repr_never_shows_the_key():
    assert AES_KEY not in repr(Redactor("encrypt", key=AES_KEY))


# ----------------------------------------------------------------------------- encrypt and decrypt


def test_encrypt_then_decrypt_restores_the_text():
    r = Redactor("encrypt", key=AES_KEY)
    enc = r.redact(TEXT, FINDINGS)
    assert "Dana" not in enc and "212-555" not in enc and enc.count("ENC:") == 2
    assert r.decrypt(enc) == TEXT
    assert Redactor("encrypt", key=AES_KEY.encode()).decrypt("prefix " + enc + " suffix") == f"prefix {TEXT} suffix"
    assert r.decrypt("nothing encrypted here") == "nothing encrypted here"


def test_decrypt_with_the_wrong_key_fails_without_output():
    enc = Redactor("encrypt", key=AES_KEY).redact(TEXT, FINDINGS)
    with pytest.raises(ConfigError, match="does not decrypt: wrong key"):
        Redactor("encrypt", key="f" * 32).decrypt(enc)


def test_decrypt_needs_the_encrypt_operator():
    with pytest.raises(ConfigError, match="operator='encrypt'"):
        Redactor("replace").decrypt("ENC:abc")


# ----------------------------------------------------------------------------- files


CSV = (
    "id,name,note,amount\r\n"
    '1,Dana Whitfield,"Call her at 212-555-0187, after 5pm",12.50\r\n'
    '2,,"Nothing here, really",3\r\n'
    '3,"Whitfield, Dana","SSN 536-22-1987 on file",7\r\n'
)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "in"
    (root / "hr" / "2024").mkdir(parents=True)
    (root / "hr" / "2024" / "letter.txt").write_text("Dear Dana Whitfield, your SSN 536-22-1987 is on file.\n")
    (root / "memo.md").write_text("The office moves upstairs next quarter.\n")
    (root / "customers.csv").write_text(CSV, newline="")
    (root / "hr" / "page.html").write_text("<p>Contact Dana Whitfield at 212-555-0187.</p>")
    return root


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(), newline="")))


def test_redact_keeps_the_tree_and_csv_stays_csv(tree: Path, tmp_path: Path):
    out = tmp_path / "out"
    r = run("redact", str(tree), "--out", str(out))
    assert r.exit_code == 0, r.output
    got = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert got == ["customers.csv", "hr/2024/letter.txt", "hr/page.html.txt", "memo.md"]
    assert (out / "memo.md").read_text() == "The office moves upstairs next quarter.\n"
    letter = (out / "hr" / "2024" / "letter.txt").read_text()
    assert "Whitfield" not in letter and "536-22-1987" not in letter and letter.startswith("Dear <PERSON>")
    rows = _rows(out / "customers.csv")
    original = _rows(tree / "customers.csv")
    assert rows[0] == original[0] == ["id", "name", "note", "amount"]
    assert len(rows) == 4 and all(len(row) == 4 for row in rows)
    assert [row[0] for row in rows] == ["id", "1", "2", "3"] and [row[3] for row in rows[1:]] == ["12.50", "3", "7"]
    assert rows[1][1] == "<PERSON>" and rows[1][2] == "Call her at <PHONE_NUMBER>, after 5pm"  # still quoted: a comma
    assert rows[2][1:3] == ["", "Nothing here, really"]
    assert "536-22-1987" not in rows[3][2] and "Whitfield" not in rows[3][1]
    assert (out / "customers.csv").read_bytes().count(b"\r\n") == 4  # the input's line ends


def test_redact_a_file_named_directly_goes_to_out(tree: Path, tmp_path: Path):
    out = tmp_path / "out"
    r = run("redact", str(tree / "hr" / "2024" / "letter.txt"), "--out", str(out))
    assert r.exit_code == 0, r.output
    assert [p.name for p in out.iterdir()] == ["letter.txt"]


def test_redact_refuses_name_collisions_before_writing(tree: Path, tmp_path: Path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "memo.md").write_text("Another memo.\n")
    out = tmp_path / "out"
    r = run("redact", str(tree), str(other), "--out", str(out))
    assert r.exit_code == 2
    assert "same copy" in r.stderr and str(tree / "memo.md") in r.stderr and str(other / "memo.md") in r.stderr
    assert not out.exists() or not any(out.rglob("*"))


def test_redact_encrypt_then_decrypt_round_trip(tree: Path, tmp_path: Path):
    env = {KEY_ENV: AES_KEY}
    red, back = tmp_path / "red", tmp_path / "back"
    r = run("redact", str(tree), "--out", str(red), "--operator", "encrypt", env=env)
    assert r.exit_code == 0, r.output
    assert "ENC:" in (red / "customers.csv").read_text() and "Whitfield" not in (red / "customers.csv").read_text()
    r = run("redact", "--decrypt", str(red), "--out", str(back), env=env)
    assert r.exit_code == 0, r.output
    assert AES_KEY not in r.output
    assert _rows(back / "customers.csv") == _rows(tree / "customers.csv")  # "Whitfield, Dana" is quoted again
    assert (back / "hr" / "2024" / "letter.txt").read_text() == (tree / "hr" / "2024" / "letter.txt").read_text()
    r = run("redact", "--decrypt", str(red), "--out", str(tmp_path / "bad"), env={KEY_ENV: "f" * 32})
    assert r.exit_code == 1 and "does not decrypt" in r.stderr


def test_copies_under_out_are_not_inputs(tree: Path):
    from redactor.redact_files import plan_copies

    out = tree / "redacted"
    (out / "hr").mkdir(parents=True)
    (out / "hr" / "old.txt").write_text("an earlier copy")
    targets = {c.target.relative_to(out).as_posix() for c in plan_copies([tree], out)}
    assert targets == {"customers.csv", "hr/2024/letter.txt", "hr/page.html.txt", "memo.md"}
