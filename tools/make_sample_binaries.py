"""Generate the binary documents in ``sample_docs/``: ``lab_results.pdf`` and
``employment_verification.docx``.

Every person, number and address in them is synthetic.  Identifiers are
checksum-valid on purpose (NPI, SSN format, EIN prefix) so that detectors with
validators find them; the gold labels live in ``sample_docs/labels.json``.

Dev-only dependencies: ``fpdf2`` (not a project dependency) and ``python-docx``.
Output is reproducible: fixed PDF creation date, fixed DOCX core properties and
fixed zip timestamps.

    python tools/make_sample_binaries.py [--out sample_docs]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import zipfile
from pathlib import Path

FIXED = dt.datetime(2025, 1, 1, 0, 0, 0, tzinfo=dt.timezone.utc)

# --------------------------------------------------------------------------- PDF

LAB_HEADER = [
    ("Patient name", "Beatriz Almeida"),
    ("Date of birth", "04/09/1977"),
    ("MRN", "00917342"),
    ("Sex", "F"),
    ("Ordering physician", "Owen Fitzgerald, MD"),
    ("Ordering NPI", "1295736486"),
    ("Collected", "05/20/2025 07:55"),
    ("Reported", "05/21/2025 11:30"),
]

LAB_ROWS = [
    # test, result, flag, units, reference range
    ("TSH", "9.84", "H", "mIU/L", "0.45 - 4.50"),
    ("Free T4", "0.62", "L", "ng/dL", "0.82 - 1.77"),
    ("Hemoglobin", "10.4", "L", "g/dL", "11.6 - 15.0"),
    ("MCV", "74", "L", "fL", "79 - 97"),
    ("Ferritin", "6", "L", "ng/mL", "15 - 150"),
    ("Hemoglobin A1c", "5.4", "", "%", "4.8 - 5.6"),
    ("Creatinine", "0.81", "", "mg/dL", "0.57 - 1.00"),
]

LAB_COMMENT = [
    "Interpretation (Owen Fitzgerald, MD):",
    "Elevated TSH with low free T4 is consistent with primary hypothyroidism",
    "(ICD-10: E03.9). Low hemoglobin, low MCV and low ferritin indicate",
    "iron deficiency anemia (ICD-10: D50.9). Glycemic control is normal.",
    "Plan: start levothyroxine 50 mcg daily and ferrous sulfate 325 mg every",
    "other day; repeat TSH and CBC in 6 weeks. Patient notified by phone",
    "at (773) 555-0124 on 05/21/2025.",
]


def make_pdf(path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF(format="Letter")
    pdf.set_creation_date(FIXED)
    pdf.set_title("Laboratory results")
    pdf.set_creator("redactor sample_docs generator")
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()

    pdf.set_font("Helvetica", "B", 15)
    pdf.cell(0, 8, "LAKEVIEW CLINICAL LABORATORIES", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    pdf.cell(0, 5, "CLIA-certified laboratory - Chicago, IL 60657", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 7, "LABORATORY RESULTS REPORT", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)

    pdf.set_font("Helvetica", "", 10)
    for label, value in LAB_HEADER:
        pdf.cell(0, 6, f"{label}: {value}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    widths = (55, 25, 12, 25, 45)
    pdf.set_font("Helvetica", "B", 10)
    for w, h in zip(widths, ("Test", "Result", "Flag", "Units", "Reference range")):
        pdf.cell(w, 7, h, border="B")
    pdf.ln(7)
    pdf.set_font("Helvetica", "", 10)
    for row in LAB_ROWS:
        for w, v in zip(widths, row):
            pdf.cell(w, 6, v)
        pdf.ln(6)
    pdf.ln(5)

    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(0, 6, LAB_COMMENT[0], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    for line in LAB_COMMENT[1:]:
        pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", "I", 8)
    pdf.cell(0, 5, "Results relate only to the specimen received. Confidential patient information.",
             new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))


# -------------------------------------------------------------------------- DOCX

EV_TABLE = [
    ("Employee name", "Nathaniel Osei"),
    ("Social Security number", "287-41-5063"),
    ("Job title", "Staff Software Engineer"),
    ("Employment status", "Active, full-time, salaried"),
    ("Original hire date", "September 12, 2019"),
    ("Current annual base salary", "$128,000.00"),
    ("Bonus paid last calendar year", "$11,520.00"),
    ("Year-to-date gross pay", "$54,133.33"),
    ("Employer", "Northwind Analytics Inc."),
    ("Employer EIN", "84-1937265"),
]


def make_docx(path: Path) -> None:
    import docx
    from docx.shared import Pt

    d = docx.Document()
    cp = d.core_properties
    cp.author = "Northwind Analytics People Operations"
    cp.last_modified_by = "Northwind Analytics People Operations"
    cp.title = "Verification of employment"
    cp.created = FIXED.replace(tzinfo=None)
    cp.modified = FIXED.replace(tzinfo=None)
    cp.revision = 1

    d.styles["Normal"].font.name = "Calibri"
    d.styles["Normal"].font.size = Pt(11)

    d.add_heading("Northwind Analytics Inc.", level=1)
    d.add_paragraph("People Operations\n1400 Commerce Parkway, Suite 900\nColumbus, OH 43215")
    d.add_paragraph("June 3, 2025")
    d.add_paragraph("Meadowbrook Home Lending\nAttn: Mortgage Underwriting\nLoan reference ML-2025-448120")
    d.add_heading("Verification of employment", level=2)
    d.add_paragraph(
        "At the written request of our employee, and with the employee's signed authorization on file, "
        "we confirm the following employment and income information for Nathaniel Osei."
    )
    table = d.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for k, v in EV_TABLE:
        cells = table.add_row().cells
        cells[0].text = k
        cells[1].text = v
    d.add_paragraph("")
    d.add_paragraph(
        "Mr. Osei's employment is in good standing and we have no knowledge of any planned change "
        "to his position or compensation. Salary is paid semi-monthly by direct deposit."
    )
    d.add_paragraph(
        "This information is provided in confidence for the purpose of a mortgage application and "
        "should not be disclosed to any other party."
    )
    d.add_paragraph(
        "Verified by: Priya Raman, Vice President, People Operations\n"
        "Phone: (614) 555-0180\nEmail: priya.raman@northwind.example.com"
    )

    buf = io.BytesIO()
    d.save(buf)
    _write_zip_with_fixed_times(buf.getvalue(), path)


def _write_zip_with_fixed_times(data: bytes, path: Path) -> None:
    """Re-pack a zip so that every entry has the same timestamp (reproducible bytes)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=(2025, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, src.read(info.filename))
    path.write_bytes(out.getvalue())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "sample_docs")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    make_pdf(args.out / "lab_results.pdf")
    make_docx(args.out / "employment_verification.docx")
    print(f"wrote {args.out / 'lab_results.pdf'} and {args.out / 'employment_verification.docx'}")


if __name__ == "__main__":
    main()
