"""The routing policy and the one function that applies it: ``decide()``.

A policy is a TOML file compliance can read (see ``redactor/policies/default.toml``),
validated with ``extra="forbid"`` so a typo fails loudly and names the field,
and checked against the known categories and entity types (``check_names``) so a
misspelt ``[categories.HELTH]`` fails too instead of silently never matching.
Its version is the sha256 of its canonical JSON form and goes into every
decision and audit record.

How a route is decided, for the findings of one document:

1. Each finding gets an action from the most specific rule: ``entities.<TYPE>``,
   else ``categories.<CATEGORY>``, else ``unknown_entity``.  A finding scored below
   that rule's ``min_score`` is a doubt and gets ``low_confidence`` instead.
2. Each combination rule whose ``if_all`` are all present and whose ``if_any``
   has at least one present adds its action.
3. The most restrictive action wins: allow → cloud, redact → cloud_redacted,
   local → local, block → blocked.  No findings → cloud.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from pathlib import Path
from typing import Iterable, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .config import PACKAGE_DIR, DetectSettings, format_validation_error, read_toml
from .detect.findings import Finding
from .errors import PolicyError

POLICY_DIR = PACKAGE_DIR / "policies"

Action = Literal["allow", "redact", "local", "block"]
SEVERITY: dict[str, int] = {"allow": 0, "redact": 1, "local": 2, "block": 3}


class Route(str, Enum):
    CLOUD = "cloud"
    CLOUD_REDACTED = "cloud_redacted"
    LOCAL = "local"
    BLOCKED = "blocked"


ROUTE_OF_ACTION = {"allow": Route.CLOUD, "redact": Route.CLOUD_REDACTED, "local": Route.LOCAL, "block": Route.BLOCKED}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Rule(_Strict):
    action: Action
    min_score: float = Field(0.0, ge=0.0, le=1.0)


class Combination(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_.-]+$")
    description: str = ""
    if_all: list[str] = Field(default_factory=list, description="categories or entity types that must all be present")
    if_any: list[str] = Field(default_factory=list, description="at least one of these must be present")
    action: Action


class PolicyDetect(_Strict):
    """Detection a policy asks for on top of the configured one (``[detect]`` in its file).
    It can only add: ``detect.clinical_ner = true`` in the settings turns the NER on for
    every policy, whatever the policy says."""

    #: the project's clinical NER (``detect.clinical_ner``) for documents routed by this policy
    clinical_ner: bool = False


class Policy(_Strict):
    name: str
    description: str = ""
    unknown_entity: Action = "local"
    low_confidence: Action = "redact"
    categories: dict[str, Rule] = Field(default_factory=dict)
    entities: dict[str, Rule] = Field(default_factory=dict)
    combinations: list[Combination] = Field(default_factory=list)
    # How ``redact`` findings are rewritten for the cloud: placeholders only, or the
    # HIPAA Safe Harbor method (placeholders that keep a date's year, a ZIP code's
    # first three digits and "90 or older"; see ``safe_harbor.py``).
    transform: Literal["pseudonymize", "hipaa-safe-harbor"] = "pseudonymize"
    detect: PolicyDetect = Field(default_factory=PolicyDetect)

    @cached_property
    def version(self) -> str:
        # A policy that asks for no extra detection keeps the version it had before ``[detect]`` existed.
        plain = self.detect == PolicyDetect()
        canonical = json.dumps(self.model_dump(mode="json", exclude={"detect"} if plain else None),
                               sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    def rule_for(self, finding: Finding) -> tuple[str, Rule]:
        if finding.entity_type in self.entities:
            return f"entity.{finding.entity_type}", self.entities[finding.entity_type]
        if finding.category in self.categories:
            return f"category.{finding.category}", self.categories[finding.category]
        return "unknown_entity", Rule(action=self.unknown_entity)

    def action_for(self, finding: Finding) -> tuple[str, Action]:
        """The rule id and action that apply to one finding."""
        rule_id, rule = self.rule_for(finding)
        if finding.score < rule.min_score:
            return f"low_confidence({rule_id})", self.low_confidence
        return rule_id, rule.action


@dataclass(frozen=True)
class Reason:
    """Why a route was chosen: a rule id, its action and the entity counts it covered."""

    rule: str
    action: str
    entities: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        counts = ", ".join(f"{k}×{v}" for k, v in sorted(self.entities.items()))
        return f"{self.rule} → {self.action}" + (f" ({counts})" if counts else "")


@dataclass(frozen=True)
class Decision:
    route: Route
    reasons: tuple[Reason, ...]
    policy_version: str
    policy_name: str = ""

    @property
    def rule_ids(self) -> list[str]:
        return [r.rule for r in self.reasons]

    def rerouted(self, route: Route, rule: str) -> "Decision":
        """The same decision sent another (safer) way, with the reason appended."""
        return Decision(route, self.reasons + (Reason(rule, route.value),), self.policy_version, self.policy_name)


def detect_for(policy: Policy, detect: DetectSettings) -> DetectSettings:
    """The detection settings that documents routed by ``policy`` are scanned with."""
    if policy.detect.clinical_ner and detect.clinical_ner is not True:
        return detect.model_copy(update={"clinical_ner": True})
    return detect


def decide(findings: Iterable[Finding], policy: Policy) -> Decision:
    findings = list(findings)
    per_rule: dict[tuple[str, str], Counter[str]] = {}
    present: set[str] = set()
    for f in findings:
        rule_id, action = policy.action_for(f)
        per_rule.setdefault((rule_id, action), Counter())[f.entity_type] += 1
        present.update((f.entity_type, f.category))
    reasons = [Reason(rule, action, dict(sorted(c.items()))) for (rule, action), c in per_rule.items()]
    for combo in policy.combinations:
        if combo.if_all and all(x in present for x in combo.if_all) and (
            not combo.if_any or any(x in present for x in combo.if_any)
        ):
            reasons.append(Reason(f"combination.{combo.id}", combo.action))
    if not reasons:
        return Decision(Route.CLOUD, (Reason("clean", "allow"),), policy.version, policy.name)
    worst = max(SEVERITY[r.action] for r in reasons)
    action = next(a for a, s in SEVERITY.items() if s == worst)
    # most restrictive reasons first, so the first reason explains the route
    reasons.sort(key=lambda r: (-SEVERITY[r.action], r.rule))
    return Decision(ROUTE_OF_ACTION[action], tuple(reasons), policy.version, policy.name)


def builtin_policies() -> dict[str, Path]:
    return {p.stem: p for p in sorted(POLICY_DIR.glob("*.toml"))}


def policy_path(path_or_name: str | Path | None = None) -> Path:
    """The file of a policy: a path, or a shipped policy's name (default: ``default``)."""
    shipped = builtin_policies()
    if path_or_name is None:
        return shipped["default"]
    if str(path_or_name) in shipped and not Path(path_or_name).exists():
        return shipped[str(path_or_name)]
    return Path(path_or_name)


def header_comment(path: Path) -> str:
    """The comment block that opens a policy file: its explanation for a human reader."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line[1:].removeprefix(" "))
    return "\n".join(lines).strip("\n")


def load_policy(path_or_name: str | Path | None = None, detect: DetectSettings | None = None) -> Policy:
    """Load a policy file, or a shipped policy by name (``default``, ``redact-pii``,
    ``hipaa-safe-harbor``, ``strict``).

    Every category and entity type it names must exist for the detection
    ``detect`` configures (default: the shipped packs); see ``check_names``."""
    shipped = builtin_policies()
    path = policy_path(path_or_name)
    data = read_toml(path, PolicyError, f" (shipped policies: {', '.join(shipped)})")
    try:
        policy = Policy(**data)
    except ValidationError as e:
        raise PolicyError(format_validation_error(e, str(path))) from None
    check_names(policy, detect, where=str(path))
    return policy


def check_names(policy: Policy, detect: DetectSettings | None = None, *, where: str = "policy") -> None:
    """Fail unless every name under ``categories.``, ``entities.`` and in the
    combinations is a known category or entity type (built-in or from the packs
    ``detect`` configures).  A misspelt name would otherwise never match, and the
    findings it meant would fall through to a more permissive rule."""
    from .detect.categories import known_categories, known_entity_types

    types = known_entity_types(detect or DetectSettings())
    categories = known_categories(types)
    problems = [_unknown(f"categories.{n}", n, categories, "category") for n in policy.categories if n not in categories]
    problems += [_unknown(f"entities.{n}", n, types, "entity type") for n in policy.entities if n not in types]
    for i, combo in enumerate(policy.combinations):
        for key in ("if_all", "if_any"):
            problems += [
                _unknown(f"combinations[{i}] ({combo.id}).{key}: {n}", n, categories | types.keys(), "category or entity type")
                for n in getattr(combo, key)
                if n not in categories and n not in types
            ]
    if problems:
        raise PolicyError(f"{where}: " + "; ".join(problems))


def _unknown(key: str, name: str, known: Iterable[str], kind: str) -> str:
    close = difflib.get_close_matches(name.upper(), sorted(known), n=1, cutoff=0.75)
    hint = f"did you mean {close[0]}?" if close else f"known: {', '.join(sorted(known))}"
    return f"{key}: unknown {kind} {name!r}; {hint}"
