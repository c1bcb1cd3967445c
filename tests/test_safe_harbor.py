"""The HIPAA Safe Harbor transform (redactor/safe_harbor.py) on findings built by hand,
its policy, and the guard's view of its output."""

from __future__ import annotations

import re
from datetime import date
from functools import partial

import pytest

from redactor.detect.findings import Finding
from redactor.guard import check_payload
from redactor.policy import Route, decide, load_policy
from redactor.safe_harbor import generalize, is_year_only, restricted_zip3, zip3
from redactor.transform import Mapping, restore, rewrite

TODAY = date(2026, 11, 30)
sh = partial(generalize, today=TODAY)


def find(text: str, *pairs: tuple[str, str]) -> list[Finding]:
    out = []
    for entity, value in pairs:
        for m in re.finditer(re.escape(value), text):
            out.append(Finding(entity, "PII", m.start(), m.end(), 0.9))
    return out


NOTE = (
    "Mr. Samuel Okafor, a 92-year-old man (DOB 03/14/1934), was admitted to Riverside General Hospital "
    "on March 3, 2023 and discharged 2023-03-09. He lives in Dorchester, MA 02124. "
    "Diabetes first noted in 2019. Samuel Okafor asked to be called at 617-555-0134."
)
FINDINGS = (
    ("PERSON", "Samuel Okafor"),
    ("AGE_OVER_89", "92-year-old"),
    ("DATE_TIME", "03/14/1934"),
    ("HEALTHCARE_FACILITY", "Riverside General Hospital"),
    ("DATE_TIME", "March 3, 2023"),
    ("DATE_TIME", "2023-03-09"),
    ("LOCATION", "Dorchester"),
    ("ZIP_CODE", "02124"),
    ("DATE_TIME", "2019"),
    ("PHONE_NUMBER", "617-555-0134"),
)


def test_safe_harbor_rewrite_of_a_clinical_note():
    done = rewrite(NOTE, find(NOTE, *FINDINGS), generalize=sh)
    assert done.text == (
        "Mr. <PERSON_1>, a <AGE_OVER_89_1> (90 or older) man (DOB <DATE_TIME_1> (90 or more years ago)), was admitted to "
        "<HEALTHCARE_FACILITY_1> on <DATE_TIME_2> (2023) and discharged <DATE_TIME_3> (2023). He lives in "
        "<LOCATION_1>, MA <ZIP_CODE_1> (021xx). Diabetes first noted in 2019. <PERSON_1> asked to be called at "
        "<PHONE_NUMBER_1>."
    )
    # nothing finer than a year, and no identifier, is left
    for value in ("Samuel", "Okafor", "92", "1934", "03/14", "March 3", "03-09", "Riverside", "Dorchester", "02124", "617"):
        assert value not in done.text
    # the spans written in clear on purpose are exactly the notes and the year left alone
    assert [done.text[s:e] for s, e in done.kept] == [
        "<AGE_OVER_89_1> (90 or older)",
        "<DATE_TIME_1> (90 or more years ago)",
        "<DATE_TIME_2> (2023)",
        "<DATE_TIME_3> (2023)",
        "<ZIP_CODE_1> (021xx)",
        "2019",
    ]


def test_restore_gives_back_full_dates_ages_and_zip_codes():
    done = rewrite(NOTE, find(NOTE, *FINDINGS), generalize=sh)
    answer = (
        "<PERSON_1> (<AGE_OVER_89_1> (90 or older)) was admitted on <DATE_TIME_2> (2023), "
        "left on [DATE_TIME_3], and lives in <ZIP_CODE_1>."
    )
    assert restore(answer, done.mapping) == (
        "Samuel Okafor (92-year-old) was admitted on March 3, 2023, left on 2023-03-09, and lives in 02124."
    )


@pytest.mark.parametrize(
    "value, kept",
    [
        ("March 3, 2023", "2023"),
        ("3/3/2023", "2023"),
        ("2023-03-03", "2023"),
        ("3 March", ""),  # no year: nothing kept
        ("03/14/34", ""),  # a two-digit year says nothing certain: nothing kept
        ("between 2019 and 2021", None),  # years alone: left in clear
        ("the 1990s", None),
        ("mid-2019", None),
        ("Jan 2 1937", "90 or more years ago"),  # 89 years back: could be the birth of someone aged 90
        ("1936", "90 or more years ago"),  # even a year alone, that old
        ("Feb 2 1938", "1938"),
    ],
)
def test_dates_keep_only_a_year_that_reveals_no_age_over_89(value, kept):
    how = sh("DATE_TIME", value)
    if kept is None:
        assert how.clear
    else:
        assert not how.clear and how.note == kept


def test_year_only_phrases():
    assert is_year_only("2019") and is_year_only("in the late 1990s") and is_year_only("2018–2019")
    assert not is_year_only("May 2019") and not is_year_only("Q3 2019") and not is_year_only("3 May")


def test_zip_codes_keep_three_digits_or_000_for_the_restricted_prefixes():
    assert len(restricted_zip3()) == 17
    assert zip3("02124") == "021" and zip3("02124-3301") == "021"
    assert zip3("03601") == "000" and zip3("89301") == "000" and zip3("82190") == "000"
    assert zip3("SW1A 1AA") is None and zip3("7412") is None
    assert sh("ZIP_CODE", "03601").note == "000xx"
    assert sh("ZIP_CODE", "SW1A 1AA").note == ""  # not a US ZIP code: a bare placeholder


def test_ages_over_89_become_90_or_older_and_other_types_bare_placeholders():
    assert sh("AGE_OVER_89", "age 95").note == "90 or older"
    for entity in ("PERSON", "HEALTHCARE_FACILITY", "LOCATION", "MEDICAL_RECORD_NUMBER", "VEHICLE_ID", "DEVICE_ID", "URL"):
        how = sh(entity, "anything 2023")
        assert not how.clear and how.note == ""


def test_the_same_date_gets_the_same_placeholder_and_note():
    text = "Seen 4/2/2024. Follow-up after 4/2/2024 went well."
    done = rewrite(text, find(text, ("DATE_TIME", "4/2/2024"))[:1], generalize=sh)
    assert done.text == "Seen <DATE_TIME_1> (2024). Follow-up after <DATE_TIME_1> (2024) went well."


def test_pseudonymize_is_unchanged_by_the_general_form():
    text = "Ann Lee, born 3/3/1990, lives at 02124."
    done = rewrite(text, find(text, ("PERSON", "Ann Lee"), ("DATE_TIME", "3/3/1990"), ("ZIP_CODE", "02124")))
    assert done.text == "<PERSON_1>, born <DATE_TIME_1>, lives at <ZIP_CODE_1>." and done.kept == ()


# -- the policy --------------------------------------------------------------


def test_policy_names_the_transform_and_the_default_policies_keep_theirs():
    p = load_policy("hipaa-safe-harbor")
    assert p.transform == "hipaa-safe-harbor"
    assert not p.combinations  # no "phi" rule: every identifier is removed instead
    for name in ("default", "redact-pii", "strict"):
        assert load_policy(name).transform == "pseudonymize"


@pytest.mark.parametrize(
    "entity, category, action",
    [
        ("PERSON", "PII", "redact"),
        ("HEALTHCARE_FACILITY", "PII", "redact"),
        ("AGE_OVER_89", "PII", "redact"),
        ("VEHICLE_ID", "PII", "redact"),
        ("DEVICE_ID", "PII", "redact"),
        ("ACCOUNT_NUMBER", "FINANCIAL", "redact"),
        ("MEDICAL_RECORD_NUMBER", "HEALTH", "redact"),
        ("NPI", "HEALTH", "redact"),
        ("DEA_NUMBER", "HEALTH", "redact"),
        ("HEALTH_PLAN_ID", "HEALTH", "redact"),
        ("MEDICARE_MBI", "HEALTH", "redact"),
        ("DATE_TIME", "QUASI_IDENTIFIER", "redact"),
        ("ZIP_CODE", "QUASI_IDENTIFIER", "redact"),
        ("LOCATION", "QUASI_IDENTIFIER", "redact"),
        ("URL", "QUASI_IDENTIFIER", "redact"),
        ("MEDICAL_CONDITION", "HEALTH", "allow"),
        ("MEDICATION", "HEALTH", "allow"),
        ("ICD10_CODE", "HEALTH", "allow"),
        ("DATE_YEAR", "GENERAL", "allow"),
        ("REGION", "GENERAL", "allow"),
        ("API_KEY", "CREDENTIAL", "block"),
    ],
)
def test_policy_actions(entity, category, action):
    assert load_policy("hipaa-safe-harbor").action_for(Finding(entity, category, 0, 1, 0.9))[1] == action


def test_health_information_with_identifiers_goes_redacted_not_local():
    p = load_policy("hipaa-safe-harbor")
    fs = [Finding("MEDICAL_CONDITION", "HEALTH", 0, 5, 0.9), Finding("PERSON", "PII", 6, 9, 0.9), Finding("DATE_TIME", "QUASI_IDENTIFIER", 10, 12, 0.9)]
    assert decide(fs, p).route is Route.CLOUD_REDACTED
    assert decide(fs, load_policy("default")).route is Route.LOCAL


# -- the guard -------------------------------------------------------------


def _messages(document: str) -> list[dict[str, str]]:
    return [{"role": "system", "content": "Answer."}, {"role": "user", "content": f"Document:\n{document}\n\nTask: Summarize."}]


def test_guard_passes_the_transforms_own_output(scanner):
    text = "Seen on March 3, 2023 at age 95 in Boston, MA 02124 for asthma."
    fs = find(text, ("DATE_TIME", "March 3, 2023"), ("AGE_OVER_89", "age 95"), ("LOCATION", "Boston"), ("ZIP_CODE", "02124"))
    done = rewrite(text, fs, generalize=sh)
    policy = load_policy("hipaa-safe-harbor")
    assert check_payload(_messages(done.text), scanner, policy, done.mapping, done).ok
    # untold which spans are the transform's output, the guard still passes it: a year
    # alone is DATE_YEAR (GENERAL) and "90 or older" is no age over 89 to the scanner
    assert check_payload(_messages(done.text), scanner, policy, done.mapping).ok
    # told, it still sees a date written anywhere else
    assert not check_payload(_messages(done.text + " Also seen 2023-03-04."), scanner, policy, done.mapping, done).ok


def test_guard_still_refuses_a_value_outside_the_kept_spans(scanner):
    text = "Seen on March 3, 2023 for asthma."
    done = rewrite(text, find(text, ("DATE_TIME", "March 3, 2023")), generalize=sh)
    policy = load_policy("hipaa-safe-harbor")
    leaky = done.text + " Her sister Maria Gonzalez called."
    v = check_payload(_messages(leaky), scanner, policy, done.mapping, done)
    assert not v.ok


def test_guard_ignores_a_kept_age_of_90_but_not_the_value_in_clear(scanner):
    text = "Patient is 90 years old, has asthma."
    done = rewrite(text, find(text, ("AGE_OVER_89", "90")), generalize=sh)
    assert done.text == "Patient is <AGE_OVER_89_1> (90 or older) years old, has asthma."
    policy = load_policy("hipaa-safe-harbor")
    assert check_payload(_messages(done.text), scanner, policy, done.mapping, done).ok
    assert not check_payload(_messages(done.text + " Aged 90."), scanner, policy, done.mapping, done).ok


def test_mapping_repr_still_shows_no_values():
    done = rewrite(NOTE, find(NOTE, *FINDINGS), generalize=sh)
    assert isinstance(done.mapping, Mapping)
    for value in ("Okafor", "03/14", "March 3", "92-year", "02124"):
        assert value not in repr(done) and value not in repr(done.mapping)


def test_policy_show_explains_the_method_and_cites_the_rule():
    from click.testing import CliRunner

    from redactor.cli.main import cli

    r = CliRunner().invoke(cli, ["policy", "show", "hipaa-safe-harbor"])
    assert r.exit_code == 0, r.output
    for text in ("45 CFR 164.514(b)(2)", "rewritten by: hipaa-safe-harbor", "(2023): the year only", "90 or older", "000xx"):
        assert text in r.output
    r = CliRunner().invoke(cli, ["policy", "show", "hipaa-safe-harbor", "--json"])
    assert '"transform": "hipaa-safe-harbor"' in r.output


def test_numeric_dates_and_times_no_recognizer_reported_are_found_for_safe_harbor():
    from redactor.safe_harbor import undetected_dates

    text = "02/03 PAYROLL; expiry 09/27; pain 10/10; BP 120/80; seen 1/5/2025, 2024-02-29 at 16:42; ratio 3/4; v1.2.3; 13/45"
    assert [text[f.start : f.end] for f in undetected_dates(text, [])] == ["2024-02-29", "1/5/2025", "02/03", "09/27", "16:42",
                                                                          "2024-02-29 at 16:42"]
    covered = [Finding("PHONE_NUMBER", "PII", 0, 5, 0.9)]
    assert "02/03" not in [text[f.start : f.end] for f in undetected_dates(text, covered)]


def test_guard_reads_a_degree_after_a_pseudonymised_name_as_a_degree(scanner):
    text = "Signed by <PERSON_2>, MD on <DATE_TIME_1> for asthma follow-up."
    assert check_payload(_messages(text), scanner, load_policy("hipaa-safe-harbor")).ok


def test_guard_matches_mapping_values_as_whole_words(scanner):
    mapping = Mapping()
    mapping.token_for("LOCATION", "ER")
    policy = load_policy("hipaa-safe-harbor")
    assert check_payload(_messages("Answer the question about <LOCATION_1>."), scanner, policy, mapping).ok
    assert not check_payload(_messages("Seen in the ER today."), scanner, policy, mapping).ok


def test_a_weekday_or_a_time_of_day_in_words_is_no_date_element():
    assert sh("DATE_TIME", "Tuesday").clear and sh("DATE_TIME", "this morning").clear
    assert not sh("DATE_TIME", "Tuesday, May 5").clear and not sh("DATE_TIME", "Mayday 5").clear


@pytest.mark.parametrize("text,dates", [
    ("PEG PLACED 2/3,POD #4", ["2/3"]),
    ("MICU ADMISSION 11/04-11/06 FOR BIPAP", ["11/04", "11/06"]),
    ("inr check 3/21 at rehab", ["3/21"]),
    ("neuro icu 8/17-8/19, then rehab", ["8/17", "8/19"]),
    ("GIVE 1/2 NS BOLUS", []), ("MAE 5/5", []), ("PS 10/5 PEEP 5", []), ("PAIN 7/10", []),
    ("BP 118/64", []), ("sliding scale 2/4/6/8", []), ("4/4 bottles positive", []), ("GRIPS 5/5 BILAT", []),
    ("S/P CABG 4/97, STENT TO LAD 6/03", ["4/97", "6/03"]), ("ps 12/45 peep 5", []),  # a month and a year
    ("in june of 2021 pt fell", ["june of 2021"]), ("DX SEPT '98", ["SEPT '98"]),
    # a weekday or a clock time beside a date is an element of it: the date grows over them
    ("MVC ON SAT 6/13,TAKEN TO", ["6/13", "SAT 6/13"]), ("last known well 10/4 at 2215, found", ["10/4", "10/4 at 2215"]),
    ("MTG FRIDAY 3/6 AT 1400.WIFE AWARE", ["3/6", "FRIDAY 3/6 AT 1400"]), ("given 5/17 at 2.5 mg", ["5/17"]),
    ("NO GROWTH YET FROM 4/27 CULTURES", ["4/27"]),  # bottles are counted out of a few, not 27
    ("lytics at the outside ed at 0912 6/14/23,flown in", ["6/14/23", "0912 6/14/23"]),
    ("visit 2/9/24 1015-1100. pt resting", ["2/9/24", "2/9/24 1015-1100"]),
    ("seen 3/24 at 10:15 am by", ["3/24", "10:15 am", "3/24 at 10:15 am"]),
    ("Sent 3/18/2024 9:47 PM CST. Subject", ["3/18/2024", "9:47 PM", "3/18/2024 9:47 PM CST", "9:47 PM CST"]),
])  # fmt: skip
def test_short_month_days_and_ranges_are_dates_unless_a_setting_dose_or_score(text, dates):
    """Safe Harbor removes every element of a date: a month and day written short ("2/3") or as a
    range is one, whatever NER says; settings, doses, fractions and scores are not."""
    from redactor.safe_harbor import undetected_dates

    assert [text[f.start : f.end] for f in undetected_dates(text, [])] == dates


@pytest.mark.parametrize("text,sent", [
    ("MTG SET FOR FRI 2/11 AT 1500.WIFE AWARE", "MTG SET FOR <DATE_TIME_1>.WIFE AWARE"),
    ("Sent: Mon 10/16/2023 7:12 AM", "Sent: <DATE_TIME_1> (2023)"),
    ("follow-up Thursday, October 12, 2023 at 9:40 AM in clinic", "follow-up <DATE_TIME_1> (2023) in clinic"),
    ("Seen Tuesday; feeling better.", "Seen Tuesday; feeling better."),  # a weekday alone is no element of a date
])  # fmt: skip
def test_a_weekday_or_time_beside_a_date_leaves_inside_its_placeholder(scanner, text, sent):
    """No weekday, "at", clock time or "AM" is left in clear beside a masked date: one placeholder
    holds the whole phrase, with its year."""
    from redactor.prepare import decide_with_doubts, rewrite_for

    policy = load_policy("hipaa-safe-harbor")
    _, acted = decide_with_doubts(scanner.scan(text), policy)
    assert rewrite_for(policy, text, acted).text == sent


@pytest.mark.parametrize("text,dates", [
    ("LAST BANDING WAS ON THE 23RD PER PT.", ["THE 23RD"]), ("plans to fly up the 19th, his # is", ["the 19th"]),
    ("HOPES TO BE HOME BY CHRISTMAS.", ["CHRISTMAS"]), ("over thanksgiving per wife", ["thanksgiving"]),
    ("sharp until labor day.", ["labor day"]), ("home for New Year's Eve.", ["New Year's Eve"]),
    ("the 4th of july picnic", ["the 4th of july"]),
    ("transfer to the 2nd floor", []), ("on the 3rd attempt", []), ("on the 1st of 3 doses", []),
])  # fmt: skip
def test_holidays_and_a_day_of_the_month_named_alone_are_dates(text, dates):
    from redactor.safe_harbor import undetected_dates

    assert [text[f.start : f.end] for f in undetected_dates(text, [])] == dates


def test_a_month_and_year_is_a_date_though_its_year_was_found_alone():
    """The year of "in april of 2021" read alone (a year may leave) does not hide the month."""
    from redactor.safe_harbor import undetected_dates

    text = "in april of 2021 pt moved into her son's house"
    year = Finding("DATE_YEAR", "GENERAL", text.index("2021"), text.index("2021") + 4, 0.85, "test")
    assert [text[f.start : f.end] for f in undetected_dates(text, [year])] == ["april of 2021"]
