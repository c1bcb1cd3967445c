"""The reading of text typed in lower case (chat logs, portal messages, lower-cased
exports; see ``runs.typed_in_lower_case``), from the lexicons alone."""

from __future__ import annotations

import regex as re

from ..clinical import _clinical_vocabulary
from .cues import _HONORIFIC_BEFORE, _NAME_CUE_BEFORE, _PLACE_PREP_BEFORE, _WEAK_CUES, _sentence_initial
from .lexicons import fold
from .reading import PERSON, _Reader, _Reading
from .runs import _INITIAL_GAP, _TOKEN, Tok
from ..vocabulary import LOWER_CASE_HONORIFICS, alternation


class _LowercaseReading(_Reader):
    """Mixed into ``NameRecognizer``: ``_read_lowercase``."""

    def _read_lowercase(self, text: str) -> list[_Reading]:
        """No capitalised words (chat logs, lower-cased exports): a given name that is
        not an English word, followed by a surname; a name right after a strong cue;
        names listed with names; a name heading the text."""
        lex = self.lex
        toks = [Tok(m.start(), m.end(), m.group(), fold(m.group())) for m in _TOKEN.finditer(text)]
        given = [t.key in lex.first and t.key not in lex.common and t.key not in lex.ambiguous for t in toks]
        scores: dict[int, tuple[int, float]] = {}  # first token index -> (last token index, score)
        i = 0
        while i < len(toks):
            t = toks[i]
            before = text[max(0, t.start - 50) : t.start]
            m = _HONORIFIC_BEFORE.search(before) or _BARE_HONORIFIC.search(before) or _NAME_CUE_BEFORE.search(before)
            cue = bool(m) and " ".join(m.group().lower().strip(" \t:,").split()) not in _WEAK_CUES
            j = i + 1
            if j < len(toks) and len(toks[j].text) == 1 and _INITIAL_GAP.fullmatch(text[t.end : toks[j].start]):
                j += 1  # "eric g. samoylova"
            nxt = toks[j] if j < len(toks) and _INITIAL_GAP.fullmatch(text[toks[j - 1].end : toks[j].start]) else None
            if given[i] and nxt is not None and nxt.key not in lex.common and not lex.is_word(nxt.key) and not (
                    f"{t.key} {nxt.key}" in lex.places and _PLACE_PREP_BEFORE.search(before)):  # "job in glen burnie"
                strong_last = nxt.key in lex.last or nxt.key in lex.first or self._surname_shaped(nxt)
                if strong_last or nxt.key not in lex.dictionary:
                    scores[i] = (j, (0.6 if strong_last else 0.5) + (0.1 if cue else 0.0))
                    i = j + 1
                    continue
            if cue and t.key not in lex.common and not lex.is_word(t.key) and len(t.text) > 2 and (
                    given[i] or t.key in lex.last or t.key not in lex.dictionary) and t.key not in _clinical_vocabulary() \
                    and not (_PATIENT_BEFORE.search(before) and self._what_one_does(t.key)):
                scores[i] = (i, 0.6)
            i += 1
        # lists ("silvana, adam, christopher and caleb") and transcript speakers ("mika: ...")
        for group in _lowercase_lists(text, toks):
            if sum(given[k] for k in group) * 3 >= len(group) * 2:
                for k in group:
                    if k not in scores and toks[k].key not in lex.common and not lex.is_word(toks[k].key):
                        scores[k] = (k, 0.55)
        speakers = [k for k, t in enumerate(toks) if _LOWER_SPEAKER.match(text, t.start) and _sentence_initial(text, t.start)]
        if len({toks[k].key for k in speakers}) >= 2 and sum(given[k] for k in speakers) * 2 >= len(speakers):
            for k in speakers:
                if given[k]:
                    scores.setdefault(k, (k, 0.55))
        out = [_Reading(PERSON, toks[a].start, toks[b].end, sc) for a, (b, sc) in scores.items()]
        # mentions of a found name elsewhere ("my name is borna jerković but everyone calls me borna")
        found = {toks[k].key for a, (b, sc) in scores.items() if sc >= 0.5 for k in range(a, b + 1)}
        taken = {k for a, (b, _) in scores.items() for k in range(a, b + 1)}
        out += [_Reading(PERSON, t.start, t.end, 0.55) for k, t in enumerate(toks)
                if k not in taken and given[k] and t.key in found]
        return out

    def _what_one_does(self, key: str) -> bool:
        """"ambulated", "states", "trached": a care word, or a verb's ending on an English or care word; never a given name."""
        from ..shorthand import clinical_word  # shorthand reads the name lexicons: imported late

        if key in self.lex.first:
            return False  # "woods", "banks": names too
        stems = [key[: -len(end)] + add for end, add in _VERB_ENDINGS if key.endswith(end) and len(key) > len(end) + 2]
        return clinical_word(key) or any(self.lex.is_word(s) or clinical_word(s) for s in stems)


# "pt states", "patient ambulated": the patient, then what the patient did
_PATIENT_BEFORE = re.compile(r"(?i)\b(?:pt|patient)[ \t]+$")
_VERB_ENDINGS = (("ing", ""), ("ing", "e"), ("ed", ""), ("ed", "e"), ("es", ""), ("s", ""))

# "hi dr kessler": typed without the period.  Not "ms": in clinical text that is
# multiple sclerosis or milliseconds more often than a title.
_BARE_HONORIFIC = re.compile(rf"\b{alternation(LOWER_CASE_HONORIFICS)}[ \t]+$")
_LOWER_SPEAKER = re.compile(r"[\p{Ll}'’-]+[ \t]*:")


def _lowercase_lists(text: str, toks: list[Tok]) -> list[list[int]]:
    """Index groups of single words joined by commas and a final "and"/"or"."""
    groups: list[list[int]] = []
    cur: list[int] = []
    k = 0
    while k < len(toks) - 1:
        nxt = k + 1
        gap = text[toks[k].end : toks[nxt].start]
        if toks[nxt].key in ("and", "or") and nxt + 1 < len(toks) and re.fullmatch(r",?[ \t]+", gap) \
                and re.fullmatch(r"[ \t]+", text[toks[nxt].end : toks[nxt + 1].start]):
            nxt += 1
        elif not re.fullmatch(r",[ \t]*", gap):
            if len(cur) >= 3:
                groups.append(cur)
            cur = []
            k += 1
            continue
        cur = cur or [k]
        cur.append(nxt)
        k = nxt
    if len(cur) >= 3:
        groups.append(cur)
    return groups
