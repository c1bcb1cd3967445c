"""Ingest: every format read from a real file built in tmp_path, and every guard tripped."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import zipfile
from email.message import EmailMessage
from pathlib import Path

import docx
import pytest
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from conftest import ROOT
from redactor.config import IngestSettings
from redactor.errors import (
    BinaryFile,
    CorruptDocument,
    EmptyDocument,
    FileTooLarge,
    IngestError,
    UnsupportedFormat,
)
from redactor.ingest import (
    SUPPORTED_SUFFIXES,
    Document,
    iter_documents,
    iter_inputs,
    read_path,
    read_text,
)

# ---------------------------------------------------------------- builders


def make_pdf(lines: list[str], password: str | None = None) -> bytes:
    """A real one-page PDF with Helvetica text, optionally encrypted."""
    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    fonts = DictionaryObject({NameObject("/F1"): font})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): fonts})
    ops = "BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(f"({line}) Tj T*" for line in lines) + " ET"
    stream = DecodedStreamObject()
    stream.set_data(ops.encode("latin-1"))
    page.replace_contents(stream)
    if password is not None:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_docx(path: Path) -> Path:
    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "CONFIDENTIAL - HR"
    d.sections[0].footer.paragraphs[0].text = "Page footer: Acme Corp"
    d.add_heading("Offer letter", level=1)
    para = d.add_paragraph("Dear Jane Doe, we are pleased to offer you the role.")
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Employee"
    table.cell(0, 1).text = "SSN"
    table.cell(1, 0).text = "Jane Doe"
    table.cell(1, 1).text = "123-45-6789"
    d.add_comment(para.runs, text="Check salary with Bob Lee", author="HR")
    d.save(path)
    return path


def write(tmp: Path, name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    p = tmp / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(content.encode(encoding) if isinstance(content, str) else content)
    return p


def one(path: Path, settings: IngestSettings | None = None) -> Document:
    docs = read_path(path, settings)
    assert len(docs) == 1
    return docs[0]


# ---------------------------------------------------------------- plain text


@pytest.mark.parametrize("name", ["memo.txt", "notes.md", "app.log", "README"])
def test_plain_text_formats(tmp_path: Path, name: str) -> None:
    p = write(tmp_path, name, "Call Jane Doe at 555-0100.\r\nThanks\n")
    doc = one(p)
    assert doc.text == "Call Jane Doe at 555-0100.\nThanks\n"
    assert doc.id == str(p)
    assert doc.source == "text"
    assert doc.notes == ()
    assert doc.sha256 == Document.from_text(doc.text).sha256


def test_utf8_bom_is_dropped(tmp_path: Path) -> None:
    doc = one(write(tmp_path, "bom.txt", "\ufeffHello Zoë"))
    assert doc.text == "Hello Zoë"
    assert doc.notes == ()


def test_cp1252_text_is_detected(tmp_path: Path) -> None:
    p = write(tmp_path, "legacy.txt", "Dear Müller, your payment of 50€ was received – thanks.", "cp1252")
    doc = one(p)
    assert "Müller" in doc.text and "50€" in doc.text
    assert doc.notes == ("decoded as cp1252",)


def test_other_legacy_encoding_goes_to_charset_normalizer(tmp_path: Path) -> None:
    text = "Пациент Иванов Иван Иванович, дата рождения 01.02.1970. Диагноз: гипертония, назначено лечение."
    doc = one(write(tmp_path, "ru.txt", text, "cp1251"))
    assert "Иванов" in doc.text
    assert doc.notes and doc.notes[0].startswith("decoded as")


def test_mostly_utf8_with_bad_bytes_is_replaced(tmp_path: Path) -> None:
    data = "Zoë Ångström, Café".encode() + b" broken \xff\xfe byte"
    doc = one(write(tmp_path, "mixed.txt", data))
    assert "Zoë Ångström" in doc.text and "\ufffd" in doc.text
    assert "invalid UTF-8" in doc.notes[0]


def test_utf16_with_bom_is_text_not_binary(tmp_path: Path) -> None:
    doc = one(write(tmp_path, "wide.txt", "\ufeffHello from Windows Notepad", "utf-16-le"))
    assert doc.text == "Hello from Windows Notepad"
    assert doc.notes == ("decoded as utf-16",)


# ---------------------------------------------------------------- guards


def test_empty_file(tmp_path: Path) -> None:
    p = write(tmp_path, "empty.txt", b"")
    with pytest.raises(EmptyDocument, match="empty.txt") as e:
        read_path(p)
    assert "0 bytes" in str(e.value)


def test_whitespace_only_file(tmp_path: Path) -> None:
    with pytest.raises(EmptyDocument, match="whitespace"):
        read_path(write(tmp_path, "blank.md", " \n\t\n"))


def test_too_large_is_checked_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = write(tmp_path, "big.txt", "x" * 2048)
    monkeypatch.setattr("redactor.ingest.guards.open", lambda *a, **k: pytest.fail("opened"), raising=False)
    with pytest.raises(FileTooLarge, match=r"big\.txt.*1\.0 KB limit") as e:
        read_path(p, IngestSettings(max_bytes=1024))
    assert "xxx" not in str(e.value)


def test_binary_text_format(tmp_path: Path) -> None:
    p = write(tmp_path, "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(BinaryFile, match=r"image\.txt: binary file skipped"):
        read_path(p)


def test_control_bytes_without_nul_are_binary(tmp_path: Path) -> None:
    with pytest.raises(BinaryFile):
        read_path(write(tmp_path, "weird.log", b"ab\x01\x02\x03\x04\x05\x06cd\x07\x08" * 50))


def test_unknown_suffix_binary(tmp_path: Path) -> None:
    with pytest.raises(BinaryFile, match=r"photo\.jpg"):
        read_path(write(tmp_path, "photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(500)))


def test_unknown_suffix_text_is_unsupported(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFormat) as e:
        read_path(write(tmp_path, "script.py", "print('hello')\n"))
    msg = str(e.value)
    assert "script.py" in msg and "'.py'" in msg and ".docx" in msg and ".pdf" in msg
    assert "print" not in msg


def test_no_suffix_binary(tmp_path: Path) -> None:
    with pytest.raises(BinaryFile):
        read_path(write(tmp_path, "blob", bytes(range(256)) * 4))


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="file not found"):
        read_path(tmp_path / "nope.txt")
    with pytest.raises(IngestError, match="is a directory"):
        read_path(tmp_path)


def test_suffix_is_case_insensitive(tmp_path: Path) -> None:
    assert "hello" in one(write(tmp_path, "SHOUT.TXT", "hello")).text


def test_supported_suffixes() -> None:
    assert {".txt", ".md", ".log", ".csv", ".tsv", ".json", ".jsonl", ".html", ".htm", ".eml", ".pdf", ".docx"} <= (
        SUPPORTED_SUFFIXES
    )


def test_read_text() -> None:
    doc = read_text("Jane Doe, 555-0100", id="crm:42")
    assert doc == Document(id="crm:42", text="Jane Doe, 555-0100", source="text")
    with pytest.raises(TypeError):
        read_text(b"bytes")  # type: ignore[arg-type]


# ---------------------------------------------------------------- csv / tsv


def test_csv_rows_become_documents(tmp_path: Path) -> None:
    p = write(tmp_path, "customers.csv", 'name,email,note\nJane Doe,jane@example.com,"likes, commas"\n\nBob,,\n')
    docs = read_path(p)
    assert [d.id for d in docs] == [f"{p}#1", f"{p}#2"]
    assert docs[0].text == "name: Jane Doe\nemail: jane@example.com\nnote: likes, commas"
    assert docs[1].text == "name: Bob"
    assert {d.source for d in docs} == {"csv"}


def test_csv_selected_columns(tmp_path: Path) -> None:
    p = write(tmp_path, "c.csv", "id,name,email\n1,Jane,jane@example.com\n2,Bob,bob@example.com\n")
    docs = read_path(p, IngestSettings(csv_columns=["email", "name"]))
    assert docs[0].text == "email: jane@example.com\nname: Jane"


def test_csv_missing_column_is_clear(tmp_path: Path) -> None:
    p = write(tmp_path, "c.csv", "id,name\n1,Jane\n")
    with pytest.raises(IngestError, match=r"c\.csv: column\(s\) 'ssn' not found; columns are id, name") as e:
        read_path(p, IngestSettings(csv_columns=["ssn"]))
    assert "Jane" not in str(e.value)


def test_csv_semicolon_is_sniffed(tmp_path: Path) -> None:
    p = write(tmp_path, "eu.csv", "name;iban\nJan Jansen;NL91ABNA0417164300\nPiet;DE89370400440532013000\n")
    docs = read_path(p)
    assert docs[0].text == "name: Jan Jansen\niban: NL91ABNA0417164300"


def test_tsv(tmp_path: Path) -> None:
    p = write(tmp_path, "t.tsv", "name\tphone\nJane, Q.\t555-0100\n")
    assert one(p).text == "name: Jane, Q.\nphone: 555-0100"


def test_csv_header_only_is_empty(tmp_path: Path) -> None:
    with pytest.raises(EmptyDocument, match="no data rows"):
        read_path(write(tmp_path, "h.csv", "a,b\n"))


def test_csv_cp1252(tmp_path: Path) -> None:
    p = write(tmp_path, "l.csv", "name,city\nJosé Müller,Zürich\n", "cp1252")
    doc = one(p)
    assert doc.text == "name: José Müller\ncity: Zürich"
    assert doc.notes == ("decoded as cp1252",)


# ---------------------------------------------------------------- json / jsonl


def test_json_list_all_leaves(tmp_path: Path) -> None:
    data = [
        {"name": "Jane", "contact": {"email": "jane@example.com", "phones": ["555-0100"]}, "vip": True, "n": None},
        {"name": "Bob", "account": 12345678},
    ]
    p = write(tmp_path, "people.json", json.dumps(data))
    docs = read_path(p)
    assert [d.id for d in docs] == [f"{p}#1", f"{p}#2"]
    assert docs[0].text == "name: Jane\ncontact.email: jane@example.com\ncontact.phones.0: 555-0100"
    assert docs[1].text == "name: Bob\naccount: 12345678"


def test_json_object_is_one_record(tmp_path: Path) -> None:
    p = write(tmp_path, "one.json", json.dumps({"patient": {"name": "Jane"}}))
    assert one(p).text == "patient.name: Jane"


def test_json_dotted_fields(tmp_path: Path) -> None:
    data = [{"id": 1, "user": {"name": "Jane", "ssn": "123-45-6789"}, "items": [{"sku": "A"}, {"sku": "B"}]}]
    p = write(tmp_path, "f.json", json.dumps(data))
    doc = one(p, IngestSettings(json_fields=["user.name", "items.sku"]))
    assert doc.text == "user.name: Jane\nitems.sku: A\nitems.sku: B"


def test_json_field_never_found(tmp_path: Path) -> None:
    p = write(tmp_path, "f.json", json.dumps([{"a": "x"}]))
    with pytest.raises(IngestError, match=r"field\(s\) 'b\.c' not found"):
        read_path(p, IngestSettings(json_fields=["b.c"]))


def test_invalid_json(tmp_path: Path) -> None:
    p = write(tmp_path, "bad.json", '{"name": "Jane Doe",\n "ssn": }')
    with pytest.raises(CorruptDocument, match=r"bad\.json: invalid JSON at line 2") as e:
        read_path(p)
    assert "Jane" not in str(e.value)


def test_jsonl(tmp_path: Path) -> None:
    p = write(tmp_path, "r.jsonl", '{"text": "Hello Jane"}\n\n{"text": "Hi Bob", "id": 7}\n"bare string"\n')
    docs = read_path(p)
    assert [d.text for d in docs] == ["text: Hello Jane", "text: Hi Bob\nid: 7", "bare string"]
    assert docs[1].id == f"{p}#2"
    assert {d.source for d in docs} == {"jsonl"}


def test_jsonl_bad_line_names_line_number(tmp_path: Path) -> None:
    p = write(tmp_path, "r.jsonl", '{"a": "ok"}\n\n{"a": "Jane Doe" oops}\n')
    with pytest.raises(CorruptDocument, match=r"r\.jsonl: invalid JSON on line 3") as e:
        read_path(p)
    assert "Jane" not in str(e.value)


def test_json_all_empty_records(tmp_path: Path) -> None:
    with pytest.raises(EmptyDocument):
        read_path(write(tmp_path, "e.json", "[{}, {\"a\": null}]"))


class _KeyedSettings(IngestSettings):
    """IngestSettings with the optional ``key_field`` the record readers honour."""

    key_field: str | None = None


def test_record_key_becomes_the_id(tmp_path: Path) -> None:
    settings = _KeyedSettings(key_field="id")
    c = write(tmp_path, "k.csv", "id,name\nC-17,Jane\n,Bob\n")
    assert [d.id for d in read_path(c, settings)] == [f"{c}#C-17", f"{c}#2"]
    j = write(tmp_path, "k.jsonl", '{"id": 9, "name": "Jane"}\n{"name": "Bob"}\n')
    assert [d.id for d in read_path(j, settings)] == [f"{j}#9", f"{j}#2"]
    with pytest.raises(IngestError, match="column\\(s\\) 'id' not found"):
        read_path(write(tmp_path, "nokey.csv", "name\nJane\n"), settings)


# ---------------------------------------------------------------- html


def test_html_visible_text_only(tmp_path: Path) -> None:
    html = """<!DOCTYPE html><html><head><title>Patient portal</title>
    <meta name="author" content="Secret Meta"><style>.x{color:red}</style>
    <script>var token = "sk-secret";</script></head>
    <body><!-- hidden comment --><h1>Discharge summary</h1><p>Patient: <b>Jane</b> Doe<br>MRN 12345</p>
    <noscript>enable JS</noscript><template><p>tmpl</p></template><div hidden>invisible</div>
    <table><tr><th>Drug</th><th>Dose</th></tr><tr><td>Metformin</td><td>500 mg</td></tr></table>
    <ul><li>one</li><li>two</li></ul></body></html>"""
    doc = one(write(tmp_path, "page.html", html))
    assert doc.text == (
        "Patient portal\n\nDischarge summary\n\nPatient: Jane Doe\nMRN 12345\n\n"
        "Drug | Dose\nMetformin | 500 mg\n\none\ntwo"
    )
    for hidden in ("sk-secret", "color", "Secret Meta", "hidden comment", "enable JS", "tmpl", "invisible"):
        assert hidden not in doc.text
    assert doc.source == "html"


def test_html_meta_charset(tmp_path: Path) -> None:
    html = '<html><head><meta charset="windows-1252"></head><body><p>Zoë Müller</p></body></html>'
    doc = one(write(tmp_path, "legacy.htm", html, "cp1252"))
    assert doc.text == "Zoë Müller"


def test_html_without_visible_text(tmp_path: Path) -> None:
    with pytest.raises(EmptyDocument, match="no visible text"):
        read_path(write(tmp_path, "s.html", "<html><script>x()</script></html>"))


# ---------------------------------------------------------------- eml


def test_eml_headers_body_and_text_attachments(tmp_path: Path) -> None:
    msg = EmailMessage()
    msg["From"] = "Jane Doe <jane@example.com>"
    msg["To"] = "hr@example.com"
    msg["Cc"] = "Bob Lee <bob@example.com>"
    msg["Subject"] = "Sick leave"
    msg["Date"] = "Mon, 01 Jan 2024 10:00:00 +0000"
    msg.set_content("Hi, I have the flu.\nJane")
    msg.add_alternative("<p>Hi, I have the <b>flu</b>.</p>", subtype="html")
    msg.add_attachment("name,ssn\nJane,123-45-6789\n".encode(), maintype="text", subtype="csv", filename="ids.csv")
    msg.add_attachment(b"Note from doctor", maintype="application", subtype="octet-stream", filename="note.txt")
    msg.add_attachment(b"%PDF-1.4\x00\x01binary", maintype="application", subtype="pdf", filename="scan.pdf")
    doc = one(write(tmp_path, "mail.eml", msg.as_bytes()))
    t = doc.text
    assert "From: Jane Doe <jane@example.com>" in t
    assert "Cc: Bob Lee <bob@example.com>" in t and "Subject: Sick leave" in t and "Date: Mon, 01 Jan 2024" in t
    assert "Hi, I have the flu.\nJane" in t
    assert "<b>" not in t and t.count("flu") == 1  # plain preferred over the html alternative
    assert "--- attachment: ids.csv ---\nname,ssn\nJane,123-45-6789" in t
    assert "Note from doctor" in t
    assert "binary" not in t
    assert doc.notes == ("skipped non-text attachment (application/pdf)",)
    assert doc.source == "email"


def test_eml_html_only_body(tmp_path: Path) -> None:
    msg = EmailMessage()
    msg["Subject"] = "Invoice"
    msg.set_content("<html><body><p>Amount due: $120</p><script>x()</script></body></html>", subtype="html")
    doc = one(write(tmp_path, "html.eml", msg.as_bytes()))
    assert doc.text == "Subject: Invoice\n\nAmount due: $120"


def test_eml_forwarded_message_and_cp1252_part(tmp_path: Path) -> None:
    inner = EmailMessage()
    inner["From"] = "Bob Lee <bob@example.com>"
    inner["Subject"] = "Original"
    inner.set_content("Inner body with account 12345678")
    outer = EmailMessage()
    outer["Subject"] = "Fwd: Original"
    outer.set_content("Zoë Müller wrote:", charset="cp1252")
    outer.add_attachment(inner)
    doc = one(write(tmp_path, "fwd.eml", outer.as_bytes()))
    assert "Zoë Müller wrote:" in doc.text
    assert "--- attached message ---\nFrom: Bob Lee <bob@example.com>\nSubject: Original" in doc.text
    assert "Inner body with account 12345678" in doc.text


# ---------------------------------------------------------------- pdf


def test_pdf_text(tmp_path: Path) -> None:
    p = write(tmp_path, "letter.pdf", make_pdf(["Patient John Smith", "SSN 123-45-6789"]))
    doc = one(p)
    assert "Patient John Smith" in doc.text and "123-45-6789" in doc.text
    assert doc.source == "pdf"


def test_pdf_encrypted_with_password(tmp_path: Path) -> None:
    p = write(tmp_path, "locked.pdf", make_pdf(["secret"], password="hunter2"))
    with pytest.raises(CorruptDocument, match=r"locked\.pdf: encrypted PDF"):
        read_path(p)


def test_pdf_encrypted_with_empty_password_opens(tmp_path: Path) -> None:
    doc = one(write(tmp_path, "owner.pdf", make_pdf(["Owner password only"], password="")))
    assert "Owner password only" in doc.text
    assert doc.notes == ("encrypted PDF opened with an empty password",)


def test_pdf_corrupt(tmp_path: Path) -> None:
    p = write(tmp_path, "broken.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog garbage \n%%EOF\n")
    with pytest.raises(CorruptDocument, match=r"broken\.pdf: unreadable PDF \(\w+\)"):
        read_path(p)


def test_pdf_truncated(tmp_path: Path) -> None:
    data = make_pdf(["Patient John Smith"])
    with pytest.raises(CorruptDocument, match=r"cut\.pdf"):
        read_path(write(tmp_path, "cut.pdf", data[: len(data) // 3]))


@pytest.mark.parametrize("configured", [False, True])
def test_a_damaged_pdf_leaves_no_parser_log_line(tmp_path: Path, configured: bool) -> None:
    # pypdf logs what it repairs; with no handler configured Python prints it on stderr beside redactor's
    # own error line, and such messages may quote file bytes.  Only the CorruptDocument may speak, also to
    # a program that configured logging.  (A subprocess: pytest attaches its own handlers to every logger.)
    data = make_pdf(["Patient John Smith"])
    paths = [write(tmp_path, f"cut{i}.pdf", data[: len(data) * i // 4]) for i in (1, 2, 3)]
    code = (
        "import logging, sys\n"
        f"if {configured}: logging.basicConfig(level=logging.DEBUG)\n"
        "from redactor.errors import CorruptDocument\n"
        "from redactor.ingest import read_path\n"
        "for p in sys.argv[1:]:\n"
        "    try:\n"
        "        read_path(p)\n"
        "    except CorruptDocument:\n"
        "        pass\n"
        "    else:\n"
        "        sys.exit(f'{p} was read')\n"
    )
    r = subprocess.run([sys.executable, "-c", code, *map(str, paths)], capture_output=True, text=True, cwd=ROOT,
                       timeout=120)
    assert r.returncode == 0 and r.stderr == "", r.stderr


def test_pdf_without_text(tmp_path: Path) -> None:
    with pytest.raises(EmptyDocument, match=r"scan\.pdf: no extractable text \(scanned image\?\)"):
        read_path(write(tmp_path, "scan.pdf", make_blank_pdf()))


# ---------------------------------------------------------------- docx


def test_docx_paragraphs_tables_headers_footers_comments(tmp_path: Path) -> None:
    doc = one(make_docx(tmp_path / "offer.docx"))
    t = doc.text
    assert t.startswith("CONFIDENTIAL - HR\n\nOffer letter\n\nDear Jane Doe")
    assert "Employee | SSN\nJane Doe | 123-45-6789" in t
    assert "Check salary with Bob Lee" in t
    assert t.endswith("Page footer: Acme Corp")
    assert doc.source == "docx"


def test_docx_merged_cells_listed_once(tmp_path: Path) -> None:
    d = docx.Document()
    table = d.add_table(rows=1, cols=3)
    merged = table.cell(0, 0).merge(table.cell(0, 1))
    merged.text = "Jane Doe"
    table.cell(0, 2).text = "555-0100"
    d.save(tmp_path / "m.docx")
    assert one(tmp_path / "m.docx").text == "Jane Doe | 555-0100"


def test_docx_not_a_zip(tmp_path: Path) -> None:
    with pytest.raises(CorruptDocument, match=r"fake\.docx: not a zip container"):
        read_path(write(tmp_path, "fake.docx", "just some text pretending"))


def test_docx_zip_without_word_parts(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(CorruptDocument, match=r"other\.docx: unreadable DOCX \(\w+\)"):
        read_path(write(tmp_path, "other.docx", buf.getvalue()))


def test_docx_zip_bomb_ratio(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"\0" * (20 * 1024 * 1024))
    p = write(tmp_path, "bomb.docx", buf.getvalue())
    assert p.stat().st_size < 100_000
    with pytest.raises(CorruptDocument, match=r"bomb\.docx: zip bomb suspected"):
        read_path(p)


def test_docx_zip_bomb_total(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Small members (no ratio check) that together inflate past 10 x max_bytes;
    # the 100 MB floor is lowered so the test stays fast.
    monkeypatch.setattr("redactor.ingest.guards.ZIP_TOTAL_FLOOR", 0)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for i in range(5):
            zf.writestr(f"word/part{i}.xml", b"a" * 100_000)
    p = write(tmp_path, "big.docx", buf.getvalue())
    assert p.stat().st_size < 10_000
    with pytest.raises(CorruptDocument, match=r"big\.docx: zip bomb suspected: 488\.3 KB uncompressed"):
        read_path(p, IngestSettings(max_bytes=10_000))


# ---------------------------------------------------------------- folders and batches


def test_iter_inputs_sorted_recursive_skips_hidden(tmp_path: Path) -> None:
    names = ["b.txt", "a.txt", "sub/z.md", "sub/deeper/y.csv", ".hidden.txt", ".git/config", "sub/.cache/x.txt"]
    for name in names:
        write(tmp_path, name, "x")
    got = [p.relative_to(tmp_path).as_posix() for p in iter_inputs([tmp_path])]
    assert got == ["a.txt", "b.txt", "sub/deeper/y.csv", "sub/z.md"]


def test_iter_inputs_explicit_files_and_dedup(tmp_path: Path) -> None:
    a = write(tmp_path, "a.txt", "x")
    hidden = write(tmp_path, ".env", "x")
    got = list(iter_inputs([a, str(tmp_path), hidden, tmp_path / "missing.txt"]))
    assert got == [a, hidden, tmp_path / "missing.txt"]


def test_batch_over_folder_yields_good_and_names_bad(tmp_path: Path) -> None:
    write(tmp_path, "good.txt", "Jane Doe")
    write(tmp_path, "rows.csv", "name\nA\nB\n")
    write(tmp_path, "nested/page.html", "<p>Hello</p>")
    make_docx(tmp_path / "nested/offer.docx")
    write(tmp_path, "empty.txt", b"")
    write(tmp_path, "blob.bin", bytes(range(256)))
    write(tmp_path, "code.py", "x = 1")
    write(tmp_path, "locked.pdf", make_pdf(["x"], password="pw"))
    write(tmp_path, "big.log", "y" * 70_000)
    settings = IngestSettings(max_bytes=64 * 1024)

    errors: list[IngestError] = []
    docs = list(iter_documents([tmp_path], settings, on_error=errors.append))

    assert [Path(d.id.split("#")[0]).name for d in docs] == [
        "good.txt",
        "offer.docx",
        "page.html",
        "rows.csv",
        "rows.csv",
    ]
    failed = {Path(e.path).name: type(e) for e in errors}
    assert failed == {
        "big.log": FileTooLarge,
        "blob.bin": BinaryFile,
        "code.py": UnsupportedFormat,
        "empty.txt": EmptyDocument,
        "locked.pdf": CorruptDocument,
    }
    for e in errors:
        assert str(e).startswith(e.path + ": ")

    with pytest.raises(IngestError):
        list(iter_documents([tmp_path], settings))


# ---------------------------------------------------------------- paths that cannot be read (issue 8, item 2)
# Tests run as root, which chmod does not stop: these use what stops root too
# (a symlink to nothing, a symlink loop, a FIFO, a socket, a non-UTF-8 name).


def special_tree(root: Path) -> Path:
    write(root, "a_good.txt", "The team met on Tuesday.")
    (root / "b_dangling.txt").symlink_to(root / "nowhere.txt")
    (root / "c_loop.txt").symlink_to(root / "c_loop.txt")
    os.mkfifo(root / "d_pipe.txt")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(root / "e_sock"))
    sock.close()
    bad = root / os.fsdecode(b"f_caf\xe9")  # a Latin-1 folder name: not UTF-8
    bad.mkdir()
    write(bad, "note.txt", "Minutes of the meeting.")
    return root


def test_special_entries_in_a_tree_are_named_not_skipped_silently(tmp_path: Path) -> None:
    root = special_tree(tmp_path / "tree")
    errors: list[IngestError] = []
    docs = list(iter_documents([root], on_error=errors.append))

    assert [Path(d.id).name for d in docs] == ["a_good.txt", "note.txt"]
    assert docs[1].id.endswith("f_caf\\xe9/note.txt")  # printable, encodable, still names the folder
    docs[1].id.encode("utf-8")
    reasons = {Path(e.path).name: e.reason for e in errors}
    assert reasons == {
        "b_dangling.txt": "broken symlink (its target does not exist)",
        "c_loop.txt": "cannot stat file (Too many levels of symbolic links)",
        "d_pipe.txt": "not a regular file: a FIFO (named pipe)",
        "e_sock": "not a regular file: a socket",
    }


def test_a_fifo_named_directly_is_an_error_not_a_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    with pytest.raises(IngestError, match=r"pipe\.txt: not a regular file: a FIFO"):
        read_path(tmp_path / "pipe.txt")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 folder anyway (test_cli_run drops the capability)")
def test_an_unreadable_folder_in_a_tree_is_an_error_naming_it(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", "The team met on Tuesday.")
    locked = tmp_path / "locked"
    write(locked, "secret.txt", "x")
    locked.chmod(0)
    try:
        errors: list[IngestError] = []
        docs = list(iter_documents([tmp_path], on_error=errors.append))
    finally:
        locked.chmod(0o755)
    assert [Path(d.id).name for d in docs] == ["a.txt"]
    assert [(e.path, e.reason) for e in errors] == [(str(locked), "cannot read folder: permission denied")]
