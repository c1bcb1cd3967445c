"""Turn marked-up clinical notes (tests/labeled/*.src.txt) into the JSONL labels beside them.

    python tools/build_clinical_labels.py [SRC.src.txt ...]    (default: clinical.src.txt)

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
DEFAULT_SRC = ROOT / "tests" / "labeled" / "clinical.src.txt"
MARK = re.compile(r"\[\[([A-Z0-9_]+):(.*?)\]\]", re.DOTALL)


def unmark(marked: str, src: Path) -> tuple[str, list[dict]]:
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
        raise SystemExit(f"{src}: unbalanced markup near {out[out.find('[['):][:40]!r}")
    return out, spans


def blocks(source: str, src: Path):
    block_id, lines = None, []
    for line in source.splitlines():
        if line.startswith("=== "):
            if block_id:
                yield block_id, lines
            block_id, lines = line[4:].strip(), []
        elif block_id:
            lines.append(line)
        elif line.strip() and not line.startswith("#"):
            raise SystemExit(f"{src}: text before the first '=== ' block: {line[:40]!r}")
    if block_id:
        yield block_id, lines


def build(src: Path) -> None:
    out = src.with_name(src.name.removesuffix(".src.txt") + ".jsonl")
    records = []
    for block_id, lines in blocks(src.read_text(encoding="utf-8"), src):
        if block_id.startswith("clean"):
            for n, line in enumerate(l for l in lines if l.strip()):
                if MARK.search(line):
                    raise SystemExit(f"{src}: {block_id}: a clean example has markup: {line[:40]!r}")
                records.append({"id": f"{block_id}-{n + 1}", "text": line.strip(), "spans": []})
        else:
            text, spans = unmark("\n".join(lines).strip("\n"), src)
            records.append({"id": block_id, "text": text, "spans": spans})
    with open(out, "w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{out}: {len(records)} examples, {sum(len(r['spans']) for r in records)} spans", file=sys.stderr)


def main() -> None:
    for src in [Path(a) for a in sys.argv[1:]] or [DEFAULT_SRC]:
        if not src.name.endswith(".src.txt"):
            raise SystemExit(f"{src}: expected a file named *.src.txt")
        build(src)


if __name__ == "__main__":
    main()
