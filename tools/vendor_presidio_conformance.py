"""Vendor Presidio's recognizer test tables as data (a development-time tool).

    git clone --bare https://github.com/data-privacy-stack/presidio /tmp/presidio.git
    python tools/vendor_presidio_conformance.py /tmp/presidio.git 2.2.363

Reads the ``@pytest.mark.parametrize`` tables of the presidio-analyzer test files
listed in ``SOURCES`` with ``ast`` (nothing of Presidio's test code is run) and
writes ``tests/data/presidio_conformance/cases.json``: one case per table row, with
the text, the Presidio entity, the expected spans and score ranges, and how the
stock recognizer is built for that row.  ``tests/test_presidio_conformance.py``
runs the cases; the README beside the data says which ones differ by design.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "presidio_conformance" / "cases.json"
MAX_SCORE = 1.0

# test file -> (stock recognizer class, Presidio entity); the identifiers redactor covers too
SOURCES = {
    "test_aba_routing_recognizer.py": ("AbaRoutingRecognizer", "ABA_ROUTING_NUMBER"),
    "test_certificate_number_recognizer.py": ("MedicalLicenseRecognizer", "MEDICAL_LICENSE"),
    "test_credit_card_recognizer.py": ("CreditCardRecognizer", "CREDIT_CARD"),
    "test_crypto_recognizer.py": ("CryptoRecognizer", "CRYPTO"),
    "test_date_recognizer.py": ("DateRecognizer", "DATE_TIME"),
    "test_email_recognizer.py": ("EmailRecognizer", "EMAIL_ADDRESS"),
    "test_iban_recognizer.py": ("IbanRecognizer", "IBAN_CODE"),
    "test_ip_recognizer.py": ("IpRecognizer", "IP_ADDRESS"),
    "test_mac_recognizer.py": ("MacAddressRecognizer", "MAC_ADDRESS"),
    "test_phone_recognizer.py": ("PhoneRecognizer", "PHONE_NUMBER"),
    "test_uk_postcode_recognizer.py": ("UkPostcodeRecognizer", "UK_POSTCODE"),
    "test_url_recognizer.py": ("UrlRecognizer", "URL"),
    "test_us_bank_recognizer.py": ("UsBankRecognizer", "US_BANK_NUMBER"),
    "test_us_driver_license_recognizer.py": ("UsLicenseRecognizer", "US_DRIVER_LICENSE"),
    "test_us_itin_recognizer.py": ("UsItinRecognizer", "US_ITIN"),
    "test_us_mbi_recognizer.py": ("UsMbiRecognizer", "US_MBI"),
    "test_us_npi_recognizer.py": ("UsNpiRecognizer", "US_NPI"),
    "test_us_passport_recognizer.py": ("UsPassportRecognizer", "US_PASSPORT"),
    "test_us_ssn_recognizer.py": ("UsSsnRecognizer", "US_SSN"),
}
# Rows whose recognizer the test builds differently from the default (test file, function) -> kwargs.
# The phone table's first test adds the JP and CN regions; its leniency test passes a column.
FIXTURE_KWARGS = {
    ("test_phone_recognizer.py", "test_when_all_phones_then_succeed"): {
        "supported_regions": ["US", "UK", "DE", "FR", "IL", "IN", "CA", "BR", "JP", "CN"]},
}
TEXT = ("text", "iban")
SPANS = ("expected_positions", "expected_res")


def _score_ranges(row: dict, count: int) -> list[list[float]] | None:
    """Each expected result's score range, or None where the table gives none."""
    def value(v):
        return MAX_SCORE if v == "max" else float(v)

    if "expected_score_ranges" in row and row["expected_score_ranges"]:
        return [[value(lo), value(hi)] for lo, hi in row["expected_score_ranges"]]
    for key in ("expected_score", "score"):  # one exact score for every result
        if key in row and count:
            return [[value(row[key]), value(row[key])]] * count
    if row.get("expected_scores"):
        return [[value(s), value(s)] for s in row["expected_scores"]]
    return None


class _PlainFStrings(ast.NodeTransformer):
    """A few tables write constants as f-strings without fields (f"fe80::1%eth0/64")."""

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.AST:
        if all(isinstance(v, ast.Constant) for v in node.values):
            return ast.Constant("".join(v.value for v in node.values))
        return node


def _tables(source: str):
    """(function name, row dicts) for every parametrised test in one file."""
    for node in _PlainFStrings().visit(ast.parse(source)).body:
        if not isinstance(node, ast.FunctionDef):
            continue
        for deco in node.decorator_list:
            if isinstance(deco, ast.Call) and getattr(deco.func, "attr", "") == "parametrize":
                names = [n.strip() for n in ast.literal_eval(deco.args[0]).split(",")]
                rows = ast.literal_eval(deco.args[1])
                if any(t in names for t in TEXT):
                    yield node.name, [dict(zip(names, row)) for row in rows]


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout


def extract(repo: Path, rev: str) -> list[dict]:
    cases = []
    for filename, (recognizer, entity) in SOURCES.items():
        short = filename.removeprefix("test_").removesuffix("_recognizer.py")
        n = 0
        for function, rows in _tables(_git(repo, "show", f"{rev}:presidio-analyzer/tests/{filename}")):
            for row in rows:
                text = next(row[t] for t in TEXT if t in row)
                count = row["expected_len"]
                spans = next((row[s] for s in SPANS if s in row), ())
                kwargs = dict(FIXTURE_KWARGS.get((filename, function), {}))
                if "leniency" in row:
                    kwargs["leniency"] = row["leniency"]
                n += 1
                cases.append({
                    "id": f"{short}-{n}",
                    "source": f"{filename}::{function}",
                    "recognizer": recognizer,
                    "kwargs": kwargs,
                    "entity": entity,
                    "text": text,
                    "count": count,
                    # a table row may give the count without the positions
                    "spans": [list(s) for s in spans] if spans or not count else None,
                    "scores": _score_ranges(row, count),
                })
    return cases


def main() -> None:
    repo, rev = Path(sys.argv[1]), sys.argv[2]
    commit = _git(repo, "rev-parse", f"{rev}^{{commit}}").strip()
    cases = extract(repo, rev)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    doc = {"source": "presidio-analyzer/tests (MIT, see LICENSE)", "version": rev, "commit": commit,
           "cases": cases}
    head = json.dumps({k: v for k, v in doc.items() if k != "cases"}, ensure_ascii=False)[:-1]
    rows = ",\n".join(json.dumps(c, ensure_ascii=False) for c in cases)
    OUT.write_text(f'{head}, "cases": [\n{rows}\n]}}\n', encoding="utf-8")  # one case a line
    print(f"{len(cases)} cases from {len(SOURCES)} test files at {rev} ({commit}) -> {OUT}")


if __name__ == "__main__":
    main()
