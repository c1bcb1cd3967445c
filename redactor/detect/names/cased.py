"""The reading of text with capital letters: runs of capitalised words scored
as places and persons, then raised by the document (lists, speakers, header
lines, later mentions)."""

from __future__ import annotations

import regex as re

from .cues import (
    _DIGIT_OR_AT, _HONORIFIC_BEFORE, _HUMAN_VERB_AFTER, _LIST_GAP, _NAME_CUE_BEFORE,
    _PLACE_CUE_BEFORE, _SPEAKER_AFTER, _SPEAKER_LABEL, _WEAK_AFTER, _WEAK_CUES, _PlaceCues, _sentence_initial,
)
from .lexicons import _ORG_WORDS, _PLACE_PARTICLES, _STREET_WORDS, fold

_COUNTY_WORDS = frozenset({"county", "parish", "borough"})
_THING_BEFORE = re.compile(r"\b(?:a|an|my|his|her|our|their|your)[ \t]+(?:(?:19|20)\d\d[ \t]+)?$", re.IGNORECASE)
from .reading import LOCATION, PERSON, _Reader, _Reading
from .runs import Run, _runs


class _CasedReading(_Reader):
    """Mixed into ``NameRecognizer``: ``_read_cased`` and its steps."""

    def _read_cased(self, text: str) -> list[_Reading]:
        out: list[_Reading] = []
        scored: list[tuple[Run, float]] = []
        for run in _runs(text, _PLACE_PARTICLES):
            keys = {t.key for t in run.toks}
            county = self._county(run)
            if county is not None:
                out.append(county)
            if keys & _ORG_WORDS or (keys & _STREET_WORDS and not self._known_place(text, run)):
                continue  # "Bowling Green" is a town, "Bowling Street" is not
            run = self._trim(text, run)
            if run is None:
                continue
            place = self._place(text, run)
            if place is not None:
                out.append(place)
            score = self._person(text, run, place)
            if place is None and score < 0.6 and self._header_line(text, run):
                score = max(score, 0.6 if any(self._namelike(t) for t in run.words) else 0.55)
            scored.append((run, score))
        scored = self._lists(text, scored)
        scored = self._speakers(text, scored)
        scored = self._mentions(scored)
        out += [_Reading(PERSON, r.start, r.end, s) for r, s in scored if s >= 0.5]
        return out

    def _header_line(self, text: str, run: Run) -> bool:
        """A name alone on its line heading a letter, a signature or an address
        block: first line of the text, or followed by lines with numbers or e-mail."""
        words = run.words
        if not 2 <= len(words) <= 4 or any(self.lex.is_word(t.key) for t in words):
            return False
        if all(t.all_caps for t in words) and not all(self._namelike(t) for t in words):
            return False
        line_start = text.rfind("\n", 0, run.start) + 1
        line_end = text.find("\n", run.end)
        line_end = len(text) if line_end < 0 else line_end
        if text[line_start : run.start].strip(" \t>?*|-•") or text[run.end : line_end].strip(" \t,;"):
            return False
        if not text[:line_start].strip(" \t\n>?*|-•"):
            return True
        below = text[line_end : line_end + 200].split("\n")[1:5]
        return any(_DIGIT_OR_AT.search(line) for line in below)

    def _trim(self, text: str, run: Run) -> Run | None:
        """Drop leading and trailing words that are not names ("Dear", "When", "Singer")."""
        lex = self.lex
        if len(run.toks) > 1 and self._known_place(text, run):
            return run  # "Bowling Green", "Grand Forks": the words make one name
        toks = list(run.toks)
        titled = False
        while toks and not toks[0].is_initial and (not toks[0].is_cap or lex.is_word(toks[0].key)):
            # keep "Will" in "Will Smith" when it is not opening a sentence
            # and "Hope Castellanos was seen": opening a sentence, before a surname that is no English word
            if (len(toks) >= 2 and toks[0].key in lex.first and toks[1].key in lex.last
                    and (not _sentence_initial(text, toks[0].start) or not lex.is_word(toks[1].key))):
                break
            titled |= toks[0].key not in lex.common
            toks.pop(0)
        while toks and (not toks[-1].is_cap or lex.is_word(toks[-1].key)):
            if len(toks) >= 2 and toks[-2].key in lex.first and toks[-1].key in lex.last and toks[-2].key not in lex.common:
                break  # "Zoe Young"
            titled |= toks[-1].key not in lex.common
            toks.pop()
        if not toks or not any(t.is_cap and not t.is_initial for t in toks):
            return None
        return Run(toks, titled)

    def _known_place(self, text: str, run: Run) -> bool:
        key = fold(" ".join(text[run.start : run.end].split()))
        return key in self.lex.places or key in self.lex.towns

    def _county(self, run: Run) -> _Reading | None:
        """"Deschutes County", "Orleans Parish": a county names a place below the state."""
        for k, tok in enumerate(run.toks[1:], 1):
            if tok.key in _COUNTY_WORDS and all(t.is_cap and not self.lex.is_word(t.key) or t.key in self.lex.places
                                                 for t in run.toks[:k]):
                return _Reading(LOCATION, run.start, tok.end, 0.7)
        return None

    def _town(self, sub: list, key: str, cues: _PlaceCues) -> float:
        """A small town (``us_towns.txt``) is a place only beside a place cue: many share
        their name with a word or a person."""
        if len(sub) > 1:
            return 0.6 if (cues.prep or cues.state) else 0.0
        if key in self.lex.common or key in self.lex.ambiguous or sub[0].all_caps or self.lex.is_word(key):
            return 0.6 if (cues.strong or cues.state) else 0.0
        if self.lex.is_name(key):  # "family in Slaton", not "with Slaton"
            return 0.6 if (cues.strong or cues.state or cues.inside) else 0.0
        return 0.6 if cues.prep else 0.0

    def _place(self, text: str, run: Run) -> _Reading | None:
        lex = self.lex
        cues = _PlaceCues(text, run, lex)
        if len(run.toks) == 1 and _THING_BEFORE.search(text, max(0, run.start - 20), run.start):
            return None  # "drives a 2009 Toyota", "my Lincoln": a thing named after a place
        # longest sub-run that is a known place
        toks = run.toks
        for n in range(min(len(toks), 5), 0, -1):
            for i in range(0, len(toks) - n + 1):
                sub = toks[i : i + n]
                if not sub[0].is_cap or not sub[-1].is_cap:
                    continue
                key = fold(" ".join(text[sub[0].start : sub[-1].end].split()))
                if key not in lex.places:
                    if key in lex.towns and (score := self._town(sub, key, cues)):
                        return _Reading(LOCATION, sub[0].start, sub[-1].end, score)
                    continue
                if n == 1 and (key in lex.common or key in lex.ambiguous or sub[0].all_caps):
                    # "Reading", "SUND"; but "a shelter in Tacoma": a known place after "in" mid-sentence
                    inside = key not in lex.common and not sub[0].all_caps and (cues.inside or cues.heading)
                    score = 0.6 if (cues.strong or cues.region or inside) else 0.0
                elif n == 1 and lex.is_name(key):
                    score = 0.7 if (cues.prep or cues.region) else 0.5  # "Germany", "Jordan"
                else:
                    score = 0.7 if (cues.prep or cues.region or n > 1) else 0.6
                if sub[0] is toks[0] and _HONORIFIC_BEFORE.search(text, max(0, sub[0].start - 12), sub[0].start):
                    score = 0.0  # "Ms. Austin"
                if score:
                    return _Reading(LOCATION, sub[0].start, sub[-1].end, score)
                return None
        # unknown words: only with a strong cue or a region after them
        words = run.words
        if not words or len(words) > 4 or any(lex.is_word(t.key) for t in words):
            return None
        if any(lex.is_name(t.key) for t in words) and not (cues.strong or cues.region):
            return None
        if cues.strong and (len(words) > 1 or not lex.is_name(words[0].key)):
            return _Reading(LOCATION, run.start, run.end, 0.6)
        if cues.region and not lex.is_name(words[0].key):
            return _Reading(LOCATION, run.start, run.end, 0.55)
        return None

    def _person(self, text: str, run: Run, place: _Reading | None) -> float:
        lex = self.lex
        words = run.words
        if not words or len(words) > 4:
            return 0.0
        first, last = words[0], words[-1]
        initials = sum(t.is_initial for t in run.toks)
        is_first = first.key in lex.first
        last_known = last.key in lex.last or last.key in lex.first
        all_caps = all(t.all_caps for t in words)
        # a middle word that is plain English ("Compared Care Songwriter") breaks the name
        if any(lex.is_word(t.key) for t in words[1:-1]) or not all(t.name_shaped for t in words):
            return 0.0

        if len(words) >= 2:
            if is_first and last_known:
                score = 0.85
                if first.key in lex.common:  # "Will Young", "May Long"; "Hope Castellanos was seen"
                    score = 0.6 if not _sentence_initial(text, run.start) or not lex.is_word(last.key) else 0.45
                elif first.key in lex.ambiguous and last.key in lex.ambiguous:  # "Princess Royal"
                    score = 0.45
            elif is_first and first.key not in lex.common and not lex.is_word(last.key):
                score = 0.75 if initials else 0.65
            elif (last.key in lex.last or self._surname_shaped(last)) and not lex.is_word(first.key):
                score = 0.65 if initials else 0.55
            elif lex.is_word(first.key) or lex.is_word(last.key):
                score = 0.0
            elif initials:  # "Szabina J Gelencsér"
                score = 0.55
            elif not first.text.isascii() or not last.text.isascii():
                # foreign words in English text are proper nouns; places were ruled out above
                score = 0.45 if _sentence_initial(text, run.start) else 0.5
            else:
                score = 0.0
            if all_caps and not (is_first and last_known):
                score = 0.0
        elif first.all_caps or first.key in lex.common or len(first.text) <= 3:
            score = 0.0  # "Dex", "Ato": abbreviations more often than names
        elif is_first:
            score = 0.4 if (first.key in lex.ambiguous or run.titled) else 0.6
        elif first.key in lex.last or self._surname_shaped(first):
            score = 0.4
        else:
            score = 0.0
        if lex.is_word(first.key) and lex.is_word(last.key):
            return 0.0

        # context
        before = text[max(0, run.start - 50) : run.start]
        after = text[run.end : run.end + 40]
        strong = False
        if _HONORIFIC_BEFORE.search(before):
            strong = True
            score = max(score, 0.8)
        else:
            m = _NAME_CUE_BEFORE.search(before)
            if m:
                cue = " ".join(m.group().lower().strip(" \t:,").split())
                if cue in _WEAK_CUES:
                    if score >= 0.4 and lex.is_name(last.key):
                        score += 0.1
                else:
                    strong = True
                    if lex.is_name(first.key) or lex.is_name(last.key):
                        score = max(score + 0.25, 0.6)
                    elif not all_caps:
                        score = max(score, 0.55)
        named = any(lex.is_name(t.key) and t.key not in lex.ambiguous for t in words)
        unknown = not any(lex.is_name(t.key) for t in words) and not all_caps and len(words) <= 3
        if all(t.key in lex.ambiguous or t.key in lex.common for t in words):
            pass  # "The Princess Royal arrived": only a cue before the run can make it a person
        elif _HUMAN_VERB_AFTER.match(after):
            if named:
                strong = True
                score = max(score + 0.2, 0.6)
            elif lex.is_name(last.key):
                score += 0.15
            elif unknown:
                score = max(score, 0.55)
        elif _WEAK_AFTER.match(after):
            if named:
                score += 0.1
            elif unknown and len(words) >= 2 and not _sentence_initial(text, run.start):
                score = max(score, 0.5)
        elif _SPEAKER_AFTER.match(after) and _sentence_initial(text, run.start) and named:
            score = max(score + 0.2, 0.6)

        if place is not None and not strong:
            # "Jackson" after "flew to" is a place; "Jackson Smith" is still a person
            if place.start <= run.start and run.end <= place.end and not (len(words) >= 2 and is_first and last_known):
                return 0.0
        elif place is None and not strong and _PLACE_CUE_BEFORE.search(before) and len(words) == 1:
            return min(score, 0.45)
        return score

    def _lists(self, text: str, scored: list[tuple[Run, float]]) -> list[tuple[Run, float]]:
        """"Gaetane, Hannah, Anthony and Derek": names are listed with names.  Every
        member of a comma/"and" list is a name when the list's votes say so: a
        lexicon name or a found name counts one, a name that is also a word half."""
        lex = self.lex
        out = list(scored)
        i = 0
        while i < len(scored):
            j = i + 1
            while j < len(scored):
                gap = text[scored[j - 1][0].end : scored[j][0].start]
                if not _LIST_GAP.fullmatch(gap):
                    break
                j += 1
            group = scored[i:j]
            if len(group) >= 2:
                votes = 0.0
                for r, sc in group:
                    if len(r.words) == 1 and len(r.words[0].text) <= 3:
                        continue  # "Dex and Ato": abbreviations
                    if sc >= 0.5 or any(self._namelike(t) and t.key not in lex.ambiguous for t in r.words):
                        votes += 1
                    elif any(lex.is_name(t.key) for t in r.words):
                        votes += 0.5
                if votes >= 1.5 and votes * 2 > len(group):
                    for k in range(i, j):
                        r, sc = out[k]
                        if (sc < 0.55 and len(r.words) <= 3 and not any(lex.is_word(t.key) for t in r.words)
                                and len(r.words[0].text) > 3 and all(t.name_shaped for t in r.words)):
                            out[k] = (r, 0.55)
            i = j
        return out

    def _speakers(self, text: str, scored: list[tuple[Run, float]]) -> list[tuple[Run, float]]:
        """A transcript ("Nicole: Remember me?"): when most speaker labels are names,
        the others are names too."""
        labels = {m.group(1): m.start(1) for m in _SPEAKER_LABEL.finditer(text)}
        if len(labels) < 2:
            return scored
        keys = {fold(w) for w in labels}
        named = sum(1 for k in keys if self.lex.is_name(k) and k not in self.lex.ambiguous)
        if named * 2 < len(keys) or named < 1:
            return scored
        starts = set(labels.values())
        return [
            (r, max(sc, 0.55)) if (r.start in starts and len(r.words) == 1 and not self.lex.is_word(r.words[0].key)
                                   and r.words[0].key not in self.lex.ambiguous) else (r, sc)
            for r, sc in scored
        ]

    def _mentions(self, scored: list[tuple[Run, float]]) -> list[tuple[Run, float]]:
        """Once "Maciej Borkowski" is found, a later "Borkowski" is the same person."""
        parts = {t.key for r, sc in scored if sc >= 0.6 and len(r.words) >= 2 for t in r.words}
        if not parts:
            return scored
        return [
            (r, 0.6) if sc < 0.5 and all(t.key in parts for t in r.words) and not any(self.lex.is_word(t.key) for t in r.words)
            else (r, sc)
            for r, sc in scored
        ]
