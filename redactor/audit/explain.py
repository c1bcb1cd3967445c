"""Rule ids in plain words, for people reading the audit (report, CSV).

The trail stores rule ids (``entity.MEDICAL_CONDITION``, ``combination.phi``,
``guard.category.PII`` ...) and, since ``reason_actions``, the action of each.
``rule_words`` turns one into a sentence; ``moved_local`` says whether it is a
rule that kept a document off the cloud, ``deciding`` which reasons decided a route,
``skipped_words`` why a file was skipped.  A combination's own description is used
when the policy that wrote the record is known (``known_policies``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# What a finding of this type or category is, in words.  Unlisted names are spelt out.
_THINGS = {
    "PII": "personal identifiers",
    "FINANCIAL": "financial details",
    "HEALTH": "health information",
    "CREDENTIAL": "credentials (passwords, keys, tokens)",
    "QUASI_IDENTIFIER": "indirect identifiers (dates, places, links)",
    "GENERAL": "details that identify no one (years, states, countries)",
    "UNKNOWN": "data of a kind no rule names",
    "PERSON": "a person's name",
    "EMAIL_ADDRESS": "an email address",
    "PHONE_NUMBER": "a phone number",
    "STREET_ADDRESS": "a street address",
    "US_SSN": "a US social security number",
    "CREDIT_CARD": "a card number",
    "IBAN_CODE": "a bank account number (IBAN)",
    "MEDICAL_RECORD_NUMBER": "a medical record number",
    "UNVERIFIED": "words that might identify someone (unconfirmed)",
}

_ACTION_WORDS = {
    "allow": "may go to the cloud as written",
    "redact": "masked before sending to the cloud",
    "local": "keeps the document on the local model",
    "block": "blocks the document",
    "blocked": "blocks the document",
}

# Reasons a route changed after the policy's decision: each moved the document local.
_REROUTES = ("cloud-not-configured", "guard.", "cloud-failed")


def thing(name: str) -> str:
    return _THINGS.get(name) or name.replace("_", " ").lower()


def is_reroute(rule: str) -> bool:
    return rule.startswith(_REROUTES)


def moved_local(rule: str, action: str = "") -> bool:
    """Did this rule keep the document off the cloud?  With the recorded action
    the answer is exact; for records written before actions were recorded, a
    rule that allows by its nature (``clean``) never counts."""
    if action:
        return action in ("local", "block", "blocked")
    return rule not in ("clean", "ingest") and not rule.startswith("low_confidence(")


def deciding(route: str, rules: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Of a record's ``(rule, action)`` reasons, those that decided its route.  Kept local or
    blocked: only the rules that kept it off the cloud (one that would have let it out
    decided nothing).  Sent to the cloud: all of them, since what went as written matters as
    much as what was masked."""
    if route in ("local", "blocked"):
        return [x for x in rules if moved_local(*x)] or rules
    return rules


# Why a file was skipped (its record's error_class), in words.
_SKIPPED = {"EmptyDocument": "as empty: there was no text to read", "BinaryFile": "as a binary file, not text"}


def skipped_words(error_class: str) -> str:
    """A skipped file (outcome ``skipped``) in words: nothing was read, nothing was sent."""
    why = _SKIPPED.get(error_class)
    return f"skipped {why}, so nothing was sent anywhere" if why else "skipped, so nothing was sent anywhere"


@dataclass(frozen=True)
class KnownPolicy:
    """What a policy whose text we have says about its own rules."""

    name: str
    descriptions: dict[str, str]  # "combination.<id>" -> its description
    actions: dict[str, str]  # rule id -> action

    def action(self, rule: str) -> str:
        if rule.startswith("low_confidence("):
            return self.actions["low_confidence"]
        return self.actions.get(rule, "")


def known_policies(policies: Iterable[Any]) -> dict[str, KnownPolicy]:
    """``{policy version: KnownPolicy}`` for the policies we have the text of
    (shipped and configured): a combination then reads as its author wrote it,
    and records written before actions were recorded still get them."""
    out: dict[str, KnownPolicy] = {}
    for p in policies:
        actions = {f"entity.{k}": r.action for k, r in p.entities.items()}
        actions.update({f"category.{k}": r.action for k, r in p.categories.items()})
        actions.update({f"combination.{c.id}": c.action for c in p.combinations})
        actions.update(unknown_entity=p.unknown_entity, low_confidence=p.low_confidence, clean="allow")
        descriptions = {f"combination.{c.id}": c.description for c in p.combinations if c.description}
        out[p.version] = KnownPolicy(p.name, descriptions, actions)
    return out


def rule_words(rule: str, action: str = "", descriptions: Mapping[str, str] | None = None) -> str:
    """One reason as a sentence.  ``action`` is the recorded action ("" when unknown)."""
    then = f": {_ACTION_WORDS[action]}" if action in _ACTION_WORDS else ""
    if rule == "clean":
        return "no sensitive data found"
    if rule == "ingest":
        return "the file could not be read"
    if rule == "cloud-not-configured":
        return "no cloud model is configured, so it was answered by the local model"
    if rule.startswith("cloud-failed"):
        why = rule.partition(".")[2]
        return "the cloud call failed" + (f" ({why})" if why else "") + ", so it was answered by the local model"
    if rule.startswith("guard."):
        inner = rule[len("guard."):]
        inner = thing(inner.partition(".")[2]) if inner.startswith(("entity.", "category.")) else rule_words(inner)
        return f"the leak guard stopped the send (it found {inner} in the outgoing text); answered by the local model"
    if rule.startswith("combination."):
        text = (descriptions or {}).get(rule)  # its author's words say what it does: no action added
        return text.rstrip(".") if text else f"the policy's combination rule '{rule.partition('.')[2]}'" + then
    m = re.fullmatch(r"low_confidence\((.*)\)", rule)
    if m:
        inner = m.group(1)
        what = thing(inner.partition(".")[2]) if "." in inner else "data of a kind no rule names"
        return f"possibly {what}, found with low confidence" + then
    if rule.startswith(("entity.", "category.")):
        return thing(rule.partition(".")[2]) + " found" + then
    if rule == "unknown_entity":
        return "data of a kind the policy does not name found" + then
    if rule == "mapping-value-in-payload":
        return "a masked value still in the outgoing text"
    return rule + then
