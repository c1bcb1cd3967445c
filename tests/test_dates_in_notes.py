"""Dates as notes write them that were missed: holidays that pin a day, ranges of month/days,
a month/day right after a procedure or an event or after "on", a month with a two-digit year,
and numbers behind a job, accession, study or reference label.  Every example is invented."""

from __future__ import annotations

import pytest
from test_shorthand_gaps import _NOTE  # a shorthand note around each line, so the shorthand safe patterns run


def values(scanner, text: str, kind: str) -> list[str]:
    return [text[f.start : f.end] for f in scanner.scan(text).findings if f.entity_type == kind]


@pytest.mark.parametrize(
    "text, holiday",
    [
        ("SON WILL VISIT ON CHRISTMAS DAY,PT WANTS TO BE HOME FOR IT.", "CHRISTMAS DAY"),
        ("Hoping to be home by New Year's Eve, per pt.", "New Year's Eve"),
        ("last drink was on valentines day per wife.", "valentines day"),
        ("fell off a ladder on Labor Day while painting.", "Labor Day"),
        ("dka after pump failure on easter sunday.", "easter sunday"),
        ("ADMITTED FROM HOME OVER THANKSGIVING WITH SOB.", "THANKSGIVING"),
    ],
)
def test_a_holiday_that_pins_a_day_is_a_date(scanner, text, holiday):
    assert values(scanner, text, "DATE_TIME") == [holiday]


@pytest.mark.parametrize("name", ["St. Patrick's Day", "new years eve", "Christmas  Eve", "MEMORIAL DAY"])
def test_holiday_names_as_written(name):
    from redactor.detect.dates import is_holiday

    assert is_holiday(name)


@pytest.mark.parametrize(
    "text",
    ["G1P0 in active labor day 2 of induction, cervix 6 cm.", "Pt is doing well today, plan unchanged."],
)
def test_labour_counted_in_days_is_no_holiday(scanner, text):
    assert values(scanner, text, "DATE_TIME") == []


@pytest.mark.parametrize(
    "text, dates",
    [
        ("Vanc 1 g q12h; blood cx 4/12-4/15 positive, 4/16 no growth.", ["4/12-4/15", "4/16"]),
        ("ON BIPAP IN THE UNIT 1/3-1/5,THEN TO THE FLOOR.", ["1/3-1/5"]),
        ("hospitalized 12/28-1/3 for pna.", ["12/28-1/3"]),
    ],
)
def test_a_range_of_month_days_is_a_date(scanner, text, dates):
    assert values(scanner, text, "DATE_TIME") == dates


def test_a_falling_pair_of_fractions_is_strength_not_a_range(scanner):
    assert values(scanner, "NEURO: A+OX3, MAE 5/5-4/5 LE, PERRL.", "DATE_TIME") == []


@pytest.mark.parametrize(
    "text, date",
    [
        ("RESP: TRACHED 8/8, TC 35%, SATS 97%.", "8/8"),
        ("GI: PEG 8/10, TF AT GOAL 60.", "8/10"),
        ("SAH (BLEED 7/22), S/P COILING.", "7/22"),
        ("Will recheck a BMP on 5/23 at the clinic.", "5/23"),
        ("PMH: CAD s/p IMI 2/91, HTN.", "2/91"),
        # a tenth after what is stopped, checked or delivered on a day is no rating
        ("PRESSORS: NEO WEANED OFF 4/10, MAPS 70S.", "4/10"),
        ("Plan: INR check 6/10 at the anticoagulation clinic.", "6/10"),
        ("home infusion accepted, first delivery 9/10 to the house.", "9/10"),
    ],
)
def test_a_month_day_after_a_procedure_an_event_or_on_is_a_date(scanner, text, date):
    assert values(scanner, text, "DATE_TIME") == [date]


@pytest.mark.parametrize(
    "text",
    ["VENT: PS 10/5, TOLERATING.", "NEURO: MAE 5/5, PERRL.", "pain 6/10 after ambulating.",
     "PRN DILAUDID GIVEN, PAIN OFF 7/10 NOW 3/10."],
)
def test_settings_strength_and_ratings_stay_no_dates(scanner, text):
    assert values(scanner, text, "DATE_TIME") == []


@pytest.mark.parametrize("text, date", [("PMH: afib dx Mar '18, HTN.", "Mar '18"), ("cataract surgery Sept '04.", "Sept '04")])
def test_a_month_with_a_two_digit_year_is_a_date(scanner, text, date):
    assert values(scanner, text, "DATE_TIME") == [date]


@pytest.mark.parametrize(
    "text, code",
    [
        ("D: 02/11/2020 09:12   T: 02/11/2020 15:40   JOB#: 4471209", "4471209"),
        ("Dictated by: L. Marsh, MD   Job: K-2020-0211-0911", "K-2020-0211-0911"),
        ("CT HEAD  3/4/21  ACC: CTH21-40913", "CTH21-40913"),
        ("us abd   acc us21-5518", "us21-5518"),
        ("Date: 06/06/2026   Study #: E26-00418", "E26-00418"),
        ("prior auth pending, ref #B8821046.", "B8821046"),
    ],
)
def test_numbers_behind_job_accession_study_and_reference_labels(scanner, text, code):
    assert code in values(scanner, text, "UNIQUE_ID")


@pytest.mark.parametrize(
    "text, date",
    [
        ("post cath aug 14 lt radial,band off at 1500.", "aug 14"),
        ("last colonoscopy jan 3 2019 per pt.", "jan 3 2019"),
        ("Readmitted Tuesday 5/10 with CHF.", "Tuesday 5/10"),  # the weekday in the span, as the labels mark it
    ],
)
def test_a_short_month_in_lower_case_and_a_weekday_before_a_tenth_are_dates(scanner, text, date):
    assert values(scanner, text, "DATE_TIME") == [date]


@pytest.mark.parametrize("text", ["pt states pain dec 2 pts since am.", "rt radial art line intact, waveform sharp."])
def test_decreased_and_an_artery_are_no_date_or_street(scanner, text):
    assert values(scanner, text, "DATE_TIME") == values(scanner, text, "STREET_ADDRESS") == []


@pytest.mark.parametrize("text", ["BCX 2/2 GPC IN CLUSTERS, ON VANCO.", "bld cx 1/2 sets positive, repeat sent."])
def test_culture_bottles_counted_are_no_date(scanner, text):
    assert values(scanner, text, "DATE_TIME") == []


def test_a_day_before_cultures_is_a_date(scanner):
    assert values(scanner, "NO GROWTH YET FROM 4/27 CULTURES.", "DATE_TIME") == ["4/27"]


def test_a_date_inside_a_guess_that_runs_over_a_gap_is_kept(scanner):
    """spaCy reads both dates of a header line as one; refinement cuts it at the gap, and the
    second date, found by a pattern inside it, must still be there."""
    text = "Admission Date: Monday, March 2, 2026    Discharge Date: Mar 11, 2026\nSex: M"
    assert values(scanner, text, "DATE_TIME") == ["Monday, March 2, 2026", "Mar 11, 2026"]


@pytest.mark.parametrize("text", ["mae 5/5 except l grip 4/5, no drift.", "MAE 4/5, HANDGRIPS 3/5 L"])
def test_strength_after_mae_or_grips_is_no_date(scanner, text):
    assert values(scanner, text, "DATE_TIME") == []


@pytest.mark.parametrize(
    "text, kind, value",
    [
        ("on atorvastatin (2021-08 to present), no myalgias.", "DATE_TIME", "2021-08"),
        ("worked in Ohio 2014-15, then moved.", "DATE_YEAR", "2014-15"),  # two years running
    ],
)
def test_a_year_and_month_in_iso_order_is_a_date(scanner, text, kind, value):
    assert values(scanner, text, kind) == [value]


def test_a_spanish_weekday_goes_with_its_date_under_safe_harbor(scanner):
    from redactor.policy import load_policy
    from redactor.prepare import decide_with_doubts, rewrite_for

    text = "me duele la espalda desde el martes 3 de marzo, gracias"
    policy = load_policy("hipaa-safe-harbor")
    _, acted = decide_with_doubts(scanner.scan(text), policy)
    assert "martes" not in rewrite_for(policy, text, acted).text


@pytest.mark.parametrize(
    "text, date",
    [
        ("Heparin at 12 units/kg/hr until 3/14, then recheck PTT.", "3/14"),
        ("EPTIFIBATIDE 2 MCG/KG/MIN TILL 6/2 AM, GROINS DRY.", "6/2"),
        ("eptifibatide at 2 mcg/kg/min until 6pm 5/3, then off.", "5/3"),
    ],
)
def test_a_month_day_after_until_is_a_date_behind_a_dose(scanner, text, date):
    # a dose's units ("kg/hr") read as a fraction cue; "until" (and a clock time) before makes it a day
    assert values(scanner, text, "DATE_TIME") == [date]



@pytest.mark.parametrize(
    "line, dates",
    [
        ("P: DIALYSIS 6/9 OR 6/10, FOLLOW LYTES.", ["6/9", "6/10"]),
        ("ID: NO GROWTH YET FROM 5/27 CULTURES.", ["5/27"]),
        ("HX: S/P STENT TO LAD 10/86, REDO 4/91.", ["10/86", "4/91"]),
    ],
)
def test_days_beside_another_day_cultures_of_a_day_and_years_after_a_vessel(scanner, line, dates):
    found = values(scanner, _NOTE.format(line), "DATE_TIME")
    assert all(d in found for d in dates), found


@pytest.mark.parametrize("line", ["ID: BCX 2/4 BOTTLES GPC, 1/2 NS AT 75.", "PAIN 4/10 OR 5/10 WITH TURNS.",
                                  "MAE 4/5 TO 5/5, CPAP 5/5.", "DRSG: 4X4 GAUZE SOAKED IN 1/4 ST BETADINE."])
def test_counts_of_bottles_and_ratings_beside_ratings_stay_no_dates(scanner, line):
    assert values(scanner, _NOTE.format(line), "DATE_TIME") == []


@pytest.mark.parametrize(
    "text, years",
    [
        ("PMH: CABG 79, REDO CABG 86, MVR, MI 79, HTN, AFIB", ["79", "86", "79"]),
        ("PMHX CVA IN 95 AND 01, AFFECTED R SIDE.", ["95", "01"]),
    ],
)
def test_bare_two_digit_years_in_a_history_list(scanner, text, years):
    assert values(scanner, text, "DATE_YEAR") == years


@pytest.mark.parametrize("text", ["HR 92, BP 110/60. MI 2 YRS AGO. HX: DM 2, HTN.", "PMH: CHF, EF 20, on lasix 40"])
def test_numbers_in_a_history_that_are_no_years(scanner, text):
    assert values(scanner, text, "DATE_YEAR") == []


@pytest.mark.parametrize(
    "line, date",
    [
        ("O: PT SEEN FOR PROBS/GOALS PER R/E 6/21", "6/21"),
        ("IN SETTING OF ELEVATED INR/PTT ON HEPARIN 4/8 NITES.", "4/8"),
        ("GUAIAC POS, HCT 30 POST 4/4 TX.", "4/4"),
    ],
)
def test_a_day_after_a_pair_of_words_further_back_or_after_post(scanner, line, date):
    assert date in values(scanner, _NOTE.format(line), "DATE_TIME")


def test_march_of_a_year_in_lower_case_is_a_date(scanner):
    assert values(scanner, "in march of 2019 she was admitted elsewhere with pna", "DATE_TIME") == ["march of 2019"]


def _under_safe_harbor(scanner, text: str) -> str:
    from redactor.policy import load_policy
    from redactor.prepare import decide_with_doubts, rewrite_for

    policy = load_policy("hipaa-safe-harbor")
    _, acted = decide_with_doubts(scanner.scan(text), policy)
    return rewrite_for(policy, text, acted).text


def test_a_clock_time_with_a_glued_p_goes_with_its_date_under_safe_harbor(scanner):
    out = _under_safe_harbor(scanner, "NEXT APPT 1/19/27 3:15P W/ ENT, BRING MED LIST.")
    assert "3:15" not in out and "P W/" not in out, out


@pytest.mark.parametrize("text, time", [("late entry for 2/6 @ 2300: pt's sister called.", "2300"),
                                        ("BED BOARD NOTE 2/6 @ 1415: REQ FOR CCU BED.", "1415")])
def test_a_clock_time_before_a_colon_goes_with_its_date_under_safe_harbor(scanner, text, time):
    out = _under_safe_harbor(scanner, text)
    assert time not in out, out


@pytest.mark.parametrize("text, date", [("Plan: cefazolin to complete 10 days (11/4), then stop.", "11/4"),
                                        ("NIMODIPINE 21 DAYS COMPLETED 12/2.", "12/2")])
def test_a_month_day_after_a_count_of_days_that_it_cannot_be_is_a_date(scanner, text, date):
    assert date in values(scanner, _NOTE.format(text), "DATE_TIME")


@pytest.mark.parametrize("text", ["ABX DAY 3/7, AFEBRILE.", "vanc day 5/14, trough pending.", "CHEMO CYCLE 2/6 GIVEN."])
def test_a_count_of_days_or_cycles_out_of_a_total_is_no_date(scanner, text):
    assert values(scanner, _NOTE.format(text), "DATE_TIME") == []


def test_a_month_day_of_equal_numbers_before_a_clock_time_is_a_date(scanner):
    assert "11/11" in values(scanner, _NOTE.format("NEURO: S/P TPA 11/11 @ 0940, NIHSS 12->5."), "DATE_TIME")


@pytest.mark.parametrize("text", ["MAE 5/5 @ 0800 CHECK.", "CPAP 10/10 @ 0400, ABG OK."])
def test_a_strength_or_a_setting_before_a_clock_time_stays_no_date(scanner, text):
    assert values(scanner, _NOTE.format(text), "DATE_TIME") == []


@pytest.mark.parametrize(
    "line, date",
    [
        ("pt's husband passed away 2/97, lives alone since.", "2/97"),
        ("CARDIOMYOPATHY (EF 25% 6/98),HTN,DM2.", "6/98"),
        ("was admitted to an outside hospital for the same 11/96.", "11/96"),
        ("S/P R CEA 9/99, BASELINE L SIDED WEAKNESS.", "9/99"),
    ],
)
def test_a_month_and_a_two_digit_year_that_is_no_day_is_a_date(scanner, line, date):
    """A second number of 32 or more is no day of a month: "2/97" is February 1997, with no cue before it."""
    assert values(scanner, _NOTE.format(line), "DATE_TIME") == [date]


@pytest.mark.parametrize(
    "line",
    ["VENT: PEEP 5/40% FIO2, TOL WELL.", "PERCOCET 5/325 1 TAB PO Q4H PRN.", "H/H 9.8/29.5, NO TRANSFUSION.",
     "ABG 7.36/42/88 ON 40%.", "BP 98/40-110/62 ON NEO."],
)
def test_readings_with_a_large_second_number_stay_no_dates(scanner, line):
    assert values(scanner, _NOTE.format(line), "DATE_TIME") == []


@pytest.mark.parametrize(
    "line, date",
    [("PLAN: TEE TUES 6/10 IF STABLE.", "TUES 6/10"), ("family meeting set for Thurs 3/5 at 1400.", "Thurs 3/5"),
     ("son will visit on the 14th w/ his wife.", "the 14th"), ("dtr coming on the 2nd with grandkids.", "the 2nd")],
)
def test_a_weekday_before_a_month_day_and_an_ordinal_before_company_are_dates(scanner, line, date):
    assert values(scanner, _NOTE.format(line), "DATE_TIME") == [date]
