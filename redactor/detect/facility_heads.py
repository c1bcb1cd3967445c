"""The words facility names are built with, for the facility recognizer and the rules that
read facilities in shorthand (``shorthand.py``, ``shorthand_places.py``, ``mentions.py``):
the heads from ``recognizers/lexicons/facility_words.txt`` and ``facility_short_heads.txt``,
and the words that describe a facility without naming one.  Kept apart from
``facilities.py`` so that the shorthand rules can read them without importing the recognizer.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..config import resource_dir

# Words that describe a facility without naming one.  A run made only of these is not a name.
_GENERIC = frozenset(
    """regional medical general community memorial county university state city national public children's
    childrens women's womens family health healthcare care rehabilitation rehab surgical surgery specialty
    veterans va central north south east west northern southern eastern western upper lower new old st st.
    saint mount mt mt. our lady the a an department dept dept. division unit service services center centre
    main local private psychiatric mental behavioral cancer heart vascular eye orthopedic orthopaedic
    pediatric dental teaching academic outpatient inpatient emergency urgent primary clinical reference
    diagnostic imaging physical therapy nursing home assisted living senior adult day hospital hospitals
    clinic clinics medicine discharge admission admitted transfer transferred patient seen visit follow
    summary note course report previous outside other same any your my his her their this that and of &
    nearest closest big small ed er icu ccu nicu picu micu sicu pacu or osh snf ltac ltach affiliated
    associated partner allergy audiology cardiology cardiac chiropractic counseling dermatology endocrinology
    gastroenterology gynecology hematology hepatology infectious disease internal nephrology neurology
    neurosurgery obstetrics oncology ophthalmology optometry orthopedics orthopaedics otolaryngology pathology
    podiatry psychiatry psychology pulmonary pulmonology radiology rheumatology sleep sports transplant
    urology wound infusion dialysis fertility diabetes endocrine lung kidney liver breast spine pain headache
    memory stroke anticoagulation coumadin device devices failure post-op postop pre-op preop same-day walk-in
    lab labs laboratory occupational employee student telehealth virtual remote hearing vision vein consult
    consulted consults call called contact contacted refer referred referral per discussed notify notified
    page paged ask asked tell told followed inform informed via re cc attn gi diseases asthma joint laser skin
    renal travel bone hand foot ankle knee hip epilepsy lipid hypertension obesity bariatric weight wellness
    prenatal maternal fetal neonatal geriatric adolescent multidisciplinary specialist after-hours
    interventional radiation invasive non-invasive noninvasive neuro gyn ob-gyn obgyn peds pediatrics adult's
    durable step-down stepdown telemetry tele cath labor delivery ir burn trauma recovery
    observation obs holding ward floor bay units
    residential intensive partial opioid methadone substance addiction detox oral maxillofacial treatment program
    """.split()
)


@lru_cache(maxsize=1)
def _heads() -> tuple[re.Pattern[str], tuple[str, ...], frozenset[str]]:
    """The head regex (longest head first), the last words of the heads (a text holding
    none of them, most texts, is not searched) and the short heads (``facilities.py``'s docstring)."""
    from .packs import read_lexicon

    lexicons = resource_dir("recognizers") / "lexicons"
    strong = read_lexicon(lexicons / "facility_words.txt")
    short = frozenset(_norm(t) for t in read_lexicon(lexicons / "facility_short_heads.txt")) - {_norm(t) for t in strong}
    terms = set(strong) | set(short)
    body = "|".join(r"\s+".join(re.escape(w) for w in t.split()) for t in sorted(terms, key=len, reverse=True))
    last_words = tuple(sorted({t.split()[-1].lower() for t in terms}))
    return re.compile(rf"(?<![\w'’-])(?:{body})(?![\w'’-])", re.IGNORECASE), last_words, short


def _norm(term: str) -> str:
    return " ".join(term.lower().split())


def _is_generic(word: str) -> bool:
    return word.lower().rstrip(".,") in _GENERIC or word.lower() in _GENERIC
