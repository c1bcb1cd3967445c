"""The transforms a policy may name (``policy.transform``): one object each, in one place.

A transform says how the values a policy redacts are written before text leaves: its
generaliser (what may be kept of a value beside its placeholder, ``transform.Kept``), the
findings it adds of its own (Safe Harbor removes every element of a date, found by a
recognizer or not), the note the model is given, and its label for people.  Batch runs, the
gateway, the leak guard and the audit report all read them from here; adding a transform is
one entry below.  The mechanics every transform shares (placeholders, the mapping, restoring
an answer) are in ``transform.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from .detect.findings import Finding
from .safe_harbor import generalize as safe_harbor_generalize, undetected_dates
from .transform import Generalize

#: What the model is told whenever values were replaced, whatever the transform.
REDACTED_NOTE = (
    "Some values in the document were replaced by placeholders such as <PERSON_1>. "
    "Keep every placeholder exactly as written; never guess the original values."
)

ExtraFindings = Callable[[str, Sequence[Finding]], list[Finding]]


@dataclass(frozen=True)
class Transform:
    name: str  # as policies and audit records write it
    label: str  # for people (the report)
    explain: str  # one sentence for the report
    generalize: Generalize | None = None
    extra_findings: ExtraFindings | None = None  # (text, findings so far) → more findings to redact
    note: str = ""  # added to REDACTED_NOTE

    def model_note(self) -> str:
        return f"{REDACTED_NOTE} {self.note}".strip()

    def findings(self, text: str, found: Sequence[Finding]) -> list[Finding]:
        return self.extra_findings(text, found) if self.extra_findings is not None else []


PSEUDONYMIZE = Transform(
    "pseudonymize", "pseudonymised",
    "Pseudonymised: names and other identifiers were replaced by placeholders such as <PERSON_1> before the text "
    "was sent, and the answer was re-identified locally.",
)
HIPAA_SAFE_HARBOR = Transform(
    "hipaa-safe-harbor", "HIPAA Safe Harbor",
    "HIPAA Safe Harbor: the text was de-identified under the HIPAA Safe Harbor method, 45 CFR 164.514(b)(2), "
    "before it was sent, and the answer was re-identified locally.",
    generalize=safe_harbor_generalize,
    extra_findings=undetected_dates,  # every element of a date, found by a recognizer or not
    note="A placeholder may be followed, in brackets, by what may be known of its value, such as a year; "
         "use it, and keep both exactly as written.",
)
TRANSFORMS: dict[str, Transform] = {t.name: t for t in (PSEUDONYMIZE, HIPAA_SAFE_HARBOR)}


def transform_of(policy: object) -> Transform:
    """The policy's transform (``pseudonymize`` when it names none)."""
    return TRANSFORMS[getattr(policy, "transform", "pseudonymize") or "pseudonymize"]
