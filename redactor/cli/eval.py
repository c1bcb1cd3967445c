"""``redactor eval``: precision and recall of detection on labeled data."""

from __future__ import annotations

from pathlib import Path

import click

from .common import config_option, echo_json, settings_from


@click.command("eval")
@click.argument("labels", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True)
@click.option("--ignore", multiple=True, help="Gold types not scored (default: AGE, NRP, ORGANIZATION, TITLE).")
@config_option
def eval_cmd(labels: Path, as_json: bool, ignore: tuple[str, ...], config_file, spacy_model) -> None:
    """Precision and recall per entity type on LABELS.

    LABELS is presidio-evaluator JSON (a list of {full_text, spans}), redactor
    JSONL ({text, spans} per line) or value labels for a folder of documents
    (tests/data/sample_docs_labels.json).  Spans match by overlap.  A malformed
    file (bad JSON, a missing key, a wrong type, a span out of range) stops
    with one line naming the file, the line or record and the problem (exit 2).
    """
    from ..detect.scanner import Scanner
    from ..evaluate import Span, read_labels, score
    from ..ingest import read_path

    settings = settings_from(config_file, spacy_model)

    def read_document(path: Path) -> str:
        return "\n".join(d.text for d in read_path(path, settings.ingest))

    # read (and check) every label before spaCy loads: a malformed file fails in a second, exit 2
    examples = list(read_labels(labels, read_document))
    scanner = Scanner(settings)

    def predict(texts):
        return [[Span(f.entity_type, f.start, f.end) for f in r.findings] for r in scanner.scan_many(texts)]

    report = score(examples, predict, frozenset(ignore) if ignore else None)
    d = report.to_dict()
    if as_json:
        echo_json(d)
        return
    click.echo(f"{labels}: {d['examples']} texts   recall {d['recall']}   precision {d['precision']}"
               f"   look-alikes reported: {d['negatives_reported']}")
    click.echo(f"{'gold type':24} {'support':>8} {'recall':>7}")
    for t, v in d["by_gold_type"].items():
        click.echo(f"{t:24} {v['support']:>8} {v['recall']!s:>7}")
    click.echo(f"{'predicted type':24} {'count':>8} {'precision':>9}")
    for t, v in d["by_predicted_type"].items():
        click.echo(f"{t:24} {v['predicted']:>8} {v['precision']!s:>9}")
