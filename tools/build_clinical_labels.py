"""Turn the marked-up clinical notes (tests/labeled/clinical.src.txt) into clinical.jsonl.

    python tools/build_clinical_labels.py

Markup: ``[[TYPE:value]]`` marks one gold span; a block starts with ``=== <id>``; in a
block whose id starts with ``clean`` each non-empty line is an example with no PHI.
Each JSONL line is ``{"id", "text", "spans": [{"entity_type", "start", "end"}]}``, the
format ``redactor.evaluate.read_jsonl`` reads.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "tests" / "labeled" / "clinical.src.txt"
OUT = ROOT / "tests" / "labeled" / "clinical.jsonl"
MARK = re.compile(r"\[\[([A-Z0-9_]+):(.*?)\]\]", re.DOTALL)


def unmark(marked: str) -> tuple[str, list[dict]]:
    text, spans, pos = [], [], 0
    length = 0
    for m in MARK.finditer(marked):
        before = marked[pos : m.start()]
        text.append(before)
        length += len(before)
        spans.append({"entity_type": m.group(1), "start": length, "end": length + len(m.group(2))})
        text.append(m.group(2))
        length += len(m.group(2))
        pos = m.end()
    text.append(marked[pos:])
    out = "".join(text)
    if "[[" in out or "]]" in out:
        raise SystemExit(f"{SRC}: unbalanced markup near {out[out.find('[['):][:40]!r}")
    return out, spans


def blocks(source: str):
    block_id, lines = None, []
    for line in source.splitlines():
        if line.startswith("=== "):
            if block_id:
                yield block_id, lines
            block_id, lines = line[4:].strip(), []
        elif block_id:
            lines.append(line)
        elif line.strip() and not line.startswith("#"):
            raise SystemExit(f"{SRC}: text before the first '=== ' block: {line[:40]!r}")
    if block_id:
        yield block_id, lines


def main() -> None:
    records = []
    for block_id, lines in blocks(SRC.read_text(encoding="utf-8")):
        if block_id.startswith("clean"):
            for n, line in enumerate(l for l in lines if l.strip()):
                if MARK.search(line):
                    raise SystemExit(f"{SRC}: {block_id}: a clean example has markup: {line[:40]!r}")
                records.append({"id": f"{block_id}-{n + 1}", "text": line.strip(), "spans": []})
        else:
            text, spans = unmark("\n".join(lines).strip("\n"))
            records.append({"id": block_id, "text": text, "spans": spans})
    with open(OUT, "w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{OUT.relative_to(ROOT)}: {len(records)} examples, {sum(len(r['spans']) for r in records)} spans", file=sys.stderr)


if __name__ == "__main__":
    main()
