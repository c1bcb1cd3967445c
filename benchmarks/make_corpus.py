"""Generate a corpus of N documents for batch benchmarks, from the sample_docs templates.

Every template in ``sample_docs/`` is reused with fresh synthetic values: each
labeled value (``tests/data/sample_docs_labels.json``) is replaced by a made-up
one of the same type and shape, consistently within a document (checksums kept
valid where detectors check them: SSN area rules, Luhn for cards and NPIs, the
ABA routing checksum).  Types we do not regenerate keep the template's value;
every value in the templates is synthetic already.

Formats and sizes are mixed: txt, md, csv and jsonl (several records a file,
one document each), html, eml, docx and pdf; most documents are one template
long, some repeat it up to 20 times.  The same ``--seed`` gives the same files.

    python benchmarks/make_corpus.py OUT_DIR -n 1000 [--seed 7]
"""

from __future__ import annotations

import argparse
import html
import io
import json
import random
import re
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DOCS = ROOT / "sample_docs"
LABELS = ROOT / "tests" / "data" / "sample_docs_labels.json"

FORMAT_WEIGHTS = {"txt": 28, "md": 12, "csv": 3, "jsonl": 3, "html": 10, "eml": 12, "docx": 9, "pdf": 9}  # per file

FIRST = ("Ava Liam Noah Emma Olivia Mateo Sofia Lucas Amara Kenji Priya Diego Chloe Omar Hannah Yusuf Elena "
         "Tobias Ingrid Rafael Leila Marcus Nadia Felix Aisha Jonas Mei Carlos Freya Idris").split()
LAST = ("Okafor Lindgren Castillo Nakamura Brennan Haddad Kowalski Moreau Achebe Varga Delgado Whitfield "
        "Rasmussen Iyer Fontaine Novak Albright Sorensen Mbeki Calloway Petrov Quinlan Ortega Hartmann").split()
STREETS = ("Maple Ridge Drive", "Harbor View Road", "Cedar Lane", "Willow Bend Court", "Lakeshore Avenue",
           "Granite Way", "Orchard Street", "Sunset Boulevard", "Birch Hollow Road", "Commerce Parkway")
PLACES = ("Columbus, OH 43215", "Madison, WI 53703", "Tacoma, WA 98402", "Raleigh, NC 27601",
          "Boise, ID 83702", "Albany, NY 12207", "Tucson, AZ 85701", "Richmond, VA 23219")
MONTHS = ("January February March April May June July August September October November December").split()


# ----------------------------------------------------------------------------- synthetic values


def _luhn_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return str((10 - total % 10) % 10)


def _same_shape(value: str, digits: str) -> str:
    """Put ``digits`` into the digit positions of ``value`` (keeps spaces and dashes)."""
    it = iter(digits)
    return "".join(next(it) if ch.isdigit() else ch for ch in value)


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


class Faker:
    """Made-up values by entity type, consistent within one document."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.names: dict[str, str] = {}

    def person(self, value: str) -> str:
        parts = value.split()
        out = []
        for i, part in enumerate(parts):
            if part not in self.names:
                pool = FIRST if i == 0 and len(parts) > 1 or len(parts) == 1 else LAST
                self.names[part] = self.rng.choice(pool)
            out.append(self.names[part])
        return " ".join(out)

    def value(self, etype: str, value: str) -> str:
        rng, n = self.rng, sum(ch.isdigit() for ch in value)
        if etype == "PERSON":
            return self.person(value)
        if etype == "EMAIL_ADDRESS":
            domain = value.split("@", 1)[1] if "@" in value else "example.net"
            return f"{rng.choice(FIRST).lower()}.{rng.choice(LAST).lower()}@{domain}"
        if etype == "PHONE_NUMBER":
            return _same_shape(value, value_digits(value)[:-4] + f"{rng.randrange(100, 200):04d}")
        if etype == "US_SSN":
            area = rng.choice([a for a in range(1, 900) if a != 666])
            return _same_shape(value, f"{area:03d}{rng.randrange(1, 100):02d}{rng.randrange(1, 10000):04d}")
        if etype in ("CREDIT_CARD", "NPI"):
            prefix = value_digits(value)[: 2 if etype == "CREDIT_CARD" else 1]
            body = prefix + _digits(rng, n - 1 - len(prefix))
            check = _luhn_digit(("80840" if etype == "NPI" else "") + body)
            return _same_shape(value, body + check)
        if etype == "ABA_ROUTING_NUMBER":
            body = f"{rng.choice([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]):02d}" + _digits(rng, 6)
            w = (3, 7, 1, 3, 7, 1, 3, 7)
            check = (10 - sum(int(d) * k for d, k in zip(body, w)) % 10) % 10
            return body + str(check)
        if etype in ("US_BANK_NUMBER", "MEDICAL_RECORD_NUMBER", "HEALTH_PLAN_ID") and n:
            return _same_shape(value, _digits(rng, n))
        if etype == "STREET_ADDRESS":
            suite = value.split(",", 1)[1] if "," in value else ""
            return f"{rng.randrange(10, 9900)} {rng.choice(STREETS)}" + ("," + suite if suite else "")
        if etype == "LOCATION" and re.search(r"[A-Z]{2} \d{5}$", value):
            return rng.choice(PLACES)
        if etype == "DATE_TIME":
            return self.date(value)
        return value  # checksum types we do not regenerate (IBAN, EIN, ...): the template's synthetic value

    def date(self, value: str) -> str:
        rng = self.rng
        if re.fullmatch(r"\d{2}/\d{2}/\d{4}", value):
            return f"{rng.randrange(1, 13):02d}/{rng.randrange(1, 29):02d}/{rng.randrange(1950, 2026)}"
        if re.fullmatch(r"[A-Z][a-z]+ \d{1,2}, \d{4}", value):
            return f"{rng.choice(MONTHS)} {rng.randrange(1, 29)}, {rng.randrange(2019, 2027)}"
        return value


def value_digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def substitute(text: str, entities: list[tuple[str, str]], rng: random.Random) -> str:
    """Replace every labeled value in ``text`` at once (no cascading), longest first."""
    faker = Faker(rng)
    by_value: dict[str, str] = {}
    for etype, value in sorted(dict.fromkeys(entities), key=lambda e: (-len(e[1].split()), -len(e[1]))):
        by_value.setdefault(value, faker.value(etype, value))
    if not by_value:
        return text
    pattern = re.compile("|".join(re.escape(v) for v in sorted(by_value, key=len, reverse=True)))
    return pattern.sub(lambda m: by_value[m.group()], text)


# ----------------------------------------------------------------------------- templates


@dataclass
class Template:
    name: str
    kind: str  # text | csv | jsonl | html | eml | docx | pdf
    text: str  # raw text for text kinds; extracted text for docx/pdf
    entities: list[tuple[str, str]]


def load_templates() -> list[Template]:
    sys.path.insert(0, str(ROOT))
    from redactor.ingest import read_path

    labels = json.loads(LABELS.read_text(encoding="utf-8"))
    out = []
    for doc in labels["documents"]:
        path = SAMPLE_DOCS / doc["file"]
        ents = [(e["type"], e["value"]) for e in doc["entities"]]
        suffix = path.suffix.lstrip(".")
        if suffix in ("docx", "pdf"):
            text = "\n\n".join(d.text for d in read_path(path))
            kind = suffix
        else:
            text = path.read_text(encoding="utf-8")
            kind = {"txt": "text", "md": "text"}.get(suffix, suffix)
        out.append(Template(doc["file"], kind, text, ents))
    return out


def _repeats(rng: random.Random) -> int:
    r = rng.random()
    if r < 0.75:
        return 1
    if r < 0.95:
        return rng.randint(2, 3)
    if r < 0.99:
        return rng.randint(4, 8)
    return rng.randint(10, 20)


def _body(rng: random.Random, templates: list[Template]) -> tuple[str, str]:
    """Prose for a wrapped format: a text template (or a docx/pdf one), with fresh values, maybe repeated."""
    t = rng.choice([t for t in templates if t.kind in ("text", "docx", "pdf")])
    return t.name, "\n\n".join(substitute(t.text, t.entities, rng) for _ in range(_repeats(rng)))


# ----------------------------------------------------------------------------- writers


def write_records(kind: str, templates: list[Template], rng: random.Random, rows: int) -> str:
    t = rng.choice([t for t in templates if t.kind == kind])
    lines = t.text.strip("\n").splitlines()
    header, body = (lines[0], lines[1:]) if kind == "csv" else ("", lines)
    out = [header] if header else []
    for _ in range(rows):
        out.append(substitute(rng.choice(body), t.entities, rng))
    return "\n".join(out) + "\n"


def write_html(title: str, text: str) -> str:
    paras = "\n".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n") if p.strip())
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
            f"<style>body {{ font-family: sans-serif; }}</style></head>\n<body>\n{paras}\n</body></html>\n")


def write_eml(rng: random.Random, subject: str, text: str) -> str:
    sender = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    return (f"From: {sender} <{sender.lower().replace(' ', '.')}@example.net>\n"
            f"To: Records Desk <records@example.com>\nSubject: {subject}\n"
            f"Date: Mon, 0{rng.randint(1, 9)} Jun 2025 09:{rng.randint(10, 59)}:00 -0500\n"
            "MIME-Version: 1.0\nContent-Type: text/plain; charset=\"utf-8\"\nContent-Transfer-Encoding: 8bit\n\n"
            f"{text}\n")


def write_docx(text: str) -> bytes:
    import docx

    d = docx.Document()
    for para in text.split("\n\n"):
        if para.strip():
            d.add_paragraph(para)
    buf = io.BytesIO()
    d.save(buf)
    return _fixed_zip_times(buf.getvalue())


def _fixed_zip_times(data: bytes) -> bytes:
    """python-docx stamps the current time into the zip; fix it so a seed gives the same bytes."""
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            payload = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                payload = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2025-01-01T00:00:00Z", payload)
            info.date_time = (2025, 1, 1, 0, 0, 0)
            dst.writestr(info, payload)
    return out.getvalue()


def write_pdf(text: str) -> bytes:
    """A plain, valid PDF (Helvetica, WinAnsi) that pypdf extracts: no dependency needed."""
    lines: list[str] = []
    for para in text.split("\n"):
        while len(para) > 95:
            cut = para.rfind(" ", 0, 95)
            cut = cut if cut > 40 else 95
            lines.append(para[:cut])
            para = para[cut:].lstrip()
        lines.append(para)
    pages = [lines[i:i + 58] for i in range(0, len(lines), 58)] or [[""]]

    def esc(s: str) -> str:
        s = s.encode("cp1252", "replace").decode("cp1252")
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    objects: list[bytes] = []
    n_pages = len(pages)
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(n_pages))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    for i, page in enumerate(pages):
        ops = ["BT", "/F1 10 Tf", "12 TL", "50 760 Td"] + [f"({esc(line)}) Tj T*" for line in page] + ["ET"]
        stream = "\n".join(ops).encode("cp1252", "replace")
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
                       f"/Contents {5 + 2 * i} 0 R >>".encode())
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# ----------------------------------------------------------------------------- the corpus


def make_corpus(out: Path, n: int, seed: int = 7) -> dict[str, int]:
    """Write files under ``out`` holding ``n`` documents in all; returns documents per format."""
    rng = random.Random(seed)
    templates = load_templates()
    out.mkdir(parents=True, exist_ok=True)
    formats, weights = list(FORMAT_WEIGHTS), list(FORMAT_WEIGHTS.values())
    counts: dict[str, int] = {f: 0 for f in formats}
    made, i = 0, 0
    while made < n:
        fmt = rng.choices(formats, weights)[0]
        sub = out / f"{i // 500:03d}"  # folders of 500 files, like a real export
        sub.mkdir(exist_ok=True)
        path = sub / f"doc{i:06d}.{fmt}"
        docs = 1
        if fmt in ("csv", "jsonl"):
            docs = min(n - made, rng.randint(2, 8))
            path.write_text(write_records(fmt, templates, rng, docs), encoding="utf-8")
        elif fmt in ("txt", "md"):
            path.write_text(_body(rng, templates)[1] + "\n", encoding="utf-8")
        elif fmt in ("html", "eml"):
            native = [t for t in templates if t.kind == fmt]
            if rng.random() < 0.3 and native:
                path.write_text(substitute(native[0].text, native[0].entities, rng), encoding="utf-8")
            else:
                name, text = _body(rng, templates)
                page = write_html(name, text) if fmt == "html" else write_eml(rng, f"Re: {Path(name).stem.replace('_', ' ')}", text)
                path.write_text(page, encoding="utf-8")
        elif fmt == "docx":
            path.write_bytes(write_docx(_body(rng, templates)[1]))
        else:
            path.write_bytes(write_pdf(_body(rng, templates)[1]))
        counts[fmt] += docs
        made += docs
        i += 1
    return counts


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("-n", type=int, default=1000, help="documents (csv/jsonl files hold several)")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    counts = make_corpus(args.out, args.n, args.seed)
    files = sum(1 for p in args.out.rglob("*") if p.is_file())
    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(json.dumps({"documents": sum(counts.values()), "files": files, "bytes": size, "by_format": counts}))


if __name__ == "__main__":
    main()
