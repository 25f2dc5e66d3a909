"""The instrument registry: ranges, parsing, scoring, change and the guard against licensed wording."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from hyte.core.errors import InvalidParameter
from hyte.pathways.instruments import (
    INSTRUMENTS,
    SWEMWBS_METRIC,
    Instrument,
    ItemType,
    change,
    get_instrument,
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def valid_answers(instrument: Instrument) -> dict[str, Any]:
    """Every item answered with its lowest allowed value (a text item with a device name)."""
    return {
        item.code: ("InBody 570" if item.type is ItemType.TEXT else item.min) for item in instrument.items
    }


def error_of(instrument: Instrument, answers: dict[str, Any]) -> InvalidParameter:
    with pytest.raises(InvalidParameter) as caught:
        instrument.validate(answers)
    return caught.value


# (instrument, item, lowest allowed, highest allowed, just below, just above)
RANGES = [
    ("pa_minutes", "moderate_min", 0, 5040, -1, 5041),
    ("pa_minutes", "vigorous_min", 0, 5040, -1, 5041),
    ("pa_minutes", "strength_days", 0, 7, -1, 8),
    *[("swemwbs", f"item_{n}", 1, 5, 0, 6) for n in range(1, 8)],
    *[("ons4", code, 0, 10, -1, 11) for code in ("life_satisfaction", "worthwhile", "happy", "anxious")],
    ("was", "work_ability", 0, 10, -1, 11),
    *[("ucla3", code, 1, 3, 0, 4) for code in ("companionship", "left_out", "isolated")],
    *[("auditc", f"question_{n}", 0, 4, -1, 5) for n in range(1, 4)],
    ("body", "weight_kg", "20", "350", "19.9", "350.1"),
    ("body", "height_cm", "100", "250", "99.9", "250.1"),
    ("body", "waist_cm", "40", "250", "39.9", "250.1"),
    ("inbody", "skeletal_muscle_mass_kg", "5", "100", "4.9", "100.1"),
    ("inbody", "body_fat_percent", "1", "80", "0.9", "80.1"),
    ("inbody", "visceral_fat_level", 1, 30, 0, 31),
    ("inbody", "ecw_tbw_ratio", "0.300", "0.500", "0.299", "0.501"),
    ("sitting", "hours_per_day", "0", "24", "-0.01", "24.01"),
    ("self_rated_fitness", "fitness", 1, 5, 0, 6),
    ("self_rated_health", "health", 1, 5, 0, 6),
]


@pytest.mark.parametrize(("code", "item", "low", "high", "below", "above"), RANGES)
def test_boundaries_are_accepted_and_one_step_beyond_is_refused(code, item, low, high, below, above):
    instrument = get_instrument(code)
    answers = valid_answers(instrument)
    for value in (low, high):
        assert Decimal(str(instrument.validate(answers | {item: value})[item])) == Decimal(str(value))
    for value in (below, above):
        error = error_of(instrument, answers | {item: value})
        spec = instrument.items_by_code[item]
        assert error.details["field"] == item
        assert error.details["reason"] == "range"
        assert error.details["min"] == (str(spec.min) if spec.type is ItemType.DECIMAL else spec.min)
        assert error.details["max"] == (str(spec.max) if spec.type is ItemType.DECIMAL else spec.max)
        # The message names the item and the allowed range.
        assert str(spec.label) in error.message
        assert str(low) in error.message and str(high) in error.message


def test_every_numeric_item_is_covered_by_the_range_table():
    covered = {(code, item) for code, item, *_ in RANGES}
    numeric = {
        (instrument.code, item.code)
        for instrument in INSTRUMENTS.values()
        for item in instrument.items
        if item.type is not ItemType.TEXT
    }
    assert numeric == covered


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("72,5", Decimal("72.5")), ("72.5", Decimal("72.5")), (" 80 ", Decimal("80.0")), (81, Decimal("81.0"))],
)
def test_decimals_accept_a_point_or_a_finnish_comma(raw, expected):
    values = get_instrument("body").validate({"weight_kg": raw, "height_cm": "170,0"})
    assert values == {"weight_kg": expected, "height_cm": Decimal("170.0")}


def test_floats_from_json_are_taken_exactly():
    assert get_instrument("sitting").validate({"hours_per_day": 7.25}) == {"hours_per_day": Decimal("7.25")}


def test_integers_accept_integral_strings_and_numbers():
    instrument = get_instrument("was")
    assert instrument.validate({"work_ability": "7"}) == {"work_ability": 7}
    assert instrument.validate({"work_ability": "7,0"}) == {"work_ability": 7}
    assert instrument.validate({"work_ability": 7.0}) == {"work_ability": 7}


@pytest.mark.parametrize(
    "raw", ["7.5", "seven", "1e1", "NaN", "Infinity", "1 000", "7,5,0", True, [7], {"v": 7}, float("nan")]
)
def test_wrong_types_are_refused_with_the_field_named(raw):
    error = error_of(get_instrument("was"), {"work_ability": raw})
    assert error.details["field"] == "work_ability"
    assert error.details["reason"] == "type"
    assert "from 0 to 10" in error.message


def test_too_many_decimals_are_refused_not_rounded():
    instrument = get_instrument("body")
    error = error_of(instrument, {"weight_kg": "72,55", "height_cm": "170"})
    assert error.details["field"] == "weight_kg"
    assert error.details["reason"] == "decimal_places"
    assert "1 decimal place" in error.message
    # Trailing zeros are not extra precision.
    assert instrument.validate({"weight_kg": "72.50", "height_cm": "170"})["weight_kg"] == Decimal("72.5")


def test_unknown_items_are_refused():
    error = error_of(get_instrument("was"), {"work_ability": 5, "extra": 1})
    assert error.details == {"field": "extra", "instrument": "was", "reason": "unknown"}


def test_missing_required_item_is_refused_and_optional_items_may_be_left_out():
    body = get_instrument("body")
    error = error_of(body, {"weight_kg": "70"})
    assert error.details["field"] == "height_cm"
    assert error.details["reason"] == "required"
    assert body.validate({"weight_kg": "70", "height_cm": "170", "waist_cm": ""}) == {
        "weight_kg": Decimal("70.0"),
        "height_cm": Decimal("170.0"),
    }
    assert "waist_cm" not in body.validate({"weight_kg": "70", "height_cm": "170", "waist_cm": None})


def test_answers_must_be_a_mapping():
    with pytest.raises(InvalidParameter):
        get_instrument("was").validate([5])  # type: ignore[arg-type]


def test_messages_are_translated_at_raise_time_with_localised_numbers():
    with translation.override("fi"):
        error = error_of(get_instrument("sitting"), {"hours_per_day": "24,5"})
    assert "24" in error.message
    assert error.details["max"] == "24"
    with translation.override("fi"):
        error = error_of(
            get_instrument("inbody"), valid_answers(get_instrument("inbody")) | {"ecw_tbw_ratio": 1}
        )
    assert "0,300" in error.message  # Finnish decimal comma in the message, plain strings in details
    assert error.details["min"] == "0.300"


# --- instruments --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moderate", "vigorous", "strength", "aerobic", "meets_aerobic", "meets_strength"),
    [
        (150, 0, 2, 150, True, True),
        (149, 0, 2, 149, False, True),
        (0, 75, 1, 150, True, False),
        (0, 74, 2, 148, False, True),
        (1, 74, 2, 149, False, True),
        (2, 74, 7, 150, True, True),
        (0, 0, 0, 0, False, False),
    ],
)
def test_ukk_flags(moderate, vigorous, strength, aerobic, meets_aerobic, meets_strength):
    scores = get_instrument("pa_minutes").score(
        {"moderate_min": moderate, "vigorous_min": vigorous, "strength_days": strength}
    )
    assert scores == {
        "aerobic_minutes": aerobic,
        "strength_days": strength,
        "meets_aerobic": meets_aerobic,
        "meets_strength": meets_strength,
        "meets_recommendation": meets_aerobic and meets_strength,
    }


def swemwbs_answers(raw: int) -> dict[str, int]:
    """Seven answers 1-5 that sum to ``raw``."""
    answers, rest = {}, raw - 7
    for n in range(1, 8):
        extra = min(4, rest)
        answers[f"item_{n}"] = 1 + extra
        rest -= extra
    assert sum(answers.values()) == raw
    return answers


@pytest.mark.parametrize(
    ("raw", "metric"),
    [(7, "7.00"), (8, "9.51"), (14, "15.32"), (21, "19.25"), (23, "20.73"), (32, "29.31"), (35, "35.00")],
)
def test_swemwbs_raw_to_metric(raw, metric):
    scores = get_instrument("swemwbs").score(swemwbs_answers(raw))
    assert scores == {"raw": raw, "metric": Decimal(metric)}
    assert scores["metric"].as_tuple().exponent == -2


def test_swemwbs_table_is_complete_and_increasing():
    assert sorted(SWEMWBS_METRIC) == list(range(7, 36))
    metrics = [SWEMWBS_METRIC[raw] for raw in range(7, 36)]
    assert metrics == sorted(set(metrics))


def test_swemwbs_missing_item_gives_an_error_not_a_score():
    answers = swemwbs_answers(20)
    del answers["item_4"]
    with pytest.raises(InvalidParameter) as caught:
        get_instrument("swemwbs").score(answers)
    assert caught.value.details["field"] == "item_4"
    assert caught.value.details["reason"] == "required"


@pytest.mark.parametrize(
    ("value", "band", "anxiety_band"),
    [
        (0, "low", "very_low"),
        (1, "low", "very_low"),
        (2, "low", "low"),
        (3, "low", "low"),
        (4, "low", "medium"),
        (5, "medium", "medium"),
        (6, "medium", "high"),
        (7, "high", "high"),
        (8, "high", "high"),
        (9, "very_high", "high"),
        (10, "very_high", "high"),
    ],
)
def test_ons4_bands_each_item_separately(value, band, anxiety_band):
    scores = get_instrument("ons4").score(
        {"life_satisfaction": value, "worthwhile": value, "happy": value, "anxious": value}
    )
    assert scores == {
        "life_satisfaction": value,
        "life_satisfaction_band": band,
        "worthwhile": value,
        "worthwhile_band": band,
        "happy": value,
        "happy_band": band,
        "anxious": value,
        "anxious_band": anxiety_band,
    }
    assert "total" not in scores


@pytest.mark.parametrize(
    ("value", "band"), [(0, "poor"), (5, "poor"), (6, "moderate"), (7, "moderate"), (8, "good"), (10, "good")]
)
def test_work_ability_bands(value, band):
    assert get_instrument("was").score({"work_ability": value}) == {"score": value, "band": band}


@pytest.mark.parametrize(
    ("answers", "total", "lonely"),
    [((1, 1, 1), 3, False), ((2, 2, 1), 5, False), ((2, 2, 2), 6, True), ((3, 3, 3), 9, True)],
)
def test_ucla3(answers, total, lonely):
    values = dict(zip(("companionship", "left_out", "isolated"), answers, strict=True))
    assert get_instrument("ucla3").score(values) == {"total": total, "lonely": lonely}


@pytest.mark.parametrize(
    ("answers", "sex", "risk"),
    [
        ((2, 2, 1), "male", False),
        ((2, 2, 2), "male", True),
        ((2, 2, 0), "female", False),
        ((2, 2, 1), "female", True),
        ((4, 4, 4), None, None),
        ((0, 0, 0), None, None),
    ],
)
def test_auditc_risk_depends_on_sex(answers, sex, risk):
    values = {f"question_{n}": answer for n, answer in enumerate(answers, start=1)}
    scores = get_instrument("auditc").score(values, context={"sex": sex})
    assert scores == {"total": sum(answers), "risk": risk}


def test_auditc_without_context_has_no_risk():
    assert get_instrument("auditc").score({"question_1": 4, "question_2": 4, "question_3": 4})["risk"] is None


def test_unknown_sex_value_is_refused():
    with pytest.raises(InvalidParameter) as caught:
        get_instrument("auditc").score({"question_1": 0, "question_2": 0, "question_3": 0}, {"sex": "M"})
    assert caught.value.details["field"] == "sex"


@pytest.mark.parametrize(
    ("weight", "bmi", "band"),
    [
        # Height 200 cm: BMI = weight / 4, rounded half up to one decimal and banded as shown.
        ("73.9", "18.5", "normal"),
        ("73.8", "18.5", "normal"),  # 18.45 rounds up to 18.5
        ("73.7", "18.4", "underweight"),
        ("99.7", "24.9", "normal"),
        ("99.8", "25.0", "overweight"),  # 24.95
        ("119.6", "29.9", "overweight"),
        ("120.0", "30.0", "obesity"),
        ("139.6", "34.9", "obesity"),
        ("140.0", "35.0", "severe_obesity"),
        ("159.6", "39.9", "severe_obesity"),
        ("160.0", "40.0", "morbid_obesity"),
    ],
)
def test_bmi_bands_at_boundaries(weight, bmi, band):
    scores = get_instrument("body").score({"weight_kg": weight, "height_cm": "200"})
    assert scores["bmi"] == Decimal(bmi)
    assert scores["bmi_band"] == band


def test_bmi_of_an_ordinary_measurement():
    scores = get_instrument("body").score({"weight_kg": "72,5", "height_cm": "170"})
    assert scores["bmi"] == Decimal("25.1")  # 72.5 / 1.7² = 25.09


@pytest.mark.parametrize(
    ("waist", "sex", "risk"),
    [
        ("80", "female", "none"),
        ("80.1", "female", "increased"),
        ("87.9", "female", "increased"),
        ("88", "female", "marked"),
        ("94", "male", "none"),
        ("94.1", "male", "increased"),
        ("101.9", "male", "increased"),
        ("102", "male", "marked"),
        ("120", None, None),
        (None, "male", None),
    ],
)
def test_waist_risk_by_sex(waist, sex, risk):
    answers = {"weight_kg": "80", "height_cm": "175", "waist_cm": waist}
    scores = get_instrument("body").score(answers, context={"sex": sex})
    assert scores["waist_risk"] == risk


def test_inbody_carries_its_device_model_as_comparable_key():
    answers = {
        "device_model": "  InBody   570 ",
        "skeletal_muscle_mass_kg": "30,2",
        "body_fat_percent": "21,5",
        "visceral_fat_level": 8,
        "ecw_tbw_ratio": "0,385",
    }
    scores = get_instrument("inbody").score(answers, context={"sex": "male"})
    assert scores == {
        "comparable_key": "InBody 570",
        "skeletal_muscle_mass_kg": Decimal("30.2"),
        "body_fat_percent": Decimal("21.5"),
        "body_fat_band": "above",
        "visceral_fat_level": 8,
        "ecw_tbw_ratio": Decimal("0.385"),
        "ecw_tbw_band": "within",
    }
    assert get_instrument("inbody").score(answers)["body_fat_band"] is None


@pytest.mark.parametrize("model", [None, "", "   ", "x" * 101, "InBody\x00570", 570])
def test_inbody_needs_a_device_model(model):
    answers = valid_answers(get_instrument("inbody")) | {"device_model": model}
    error = error_of(get_instrument("inbody"), answers)
    assert error.details["field"] == "device_model"


def test_single_item_measures():
    assert get_instrument("sitting").score({"hours_per_day": "7,5"}) == {"hours": Decimal("7.50")}
    assert get_instrument("self_rated_fitness").score({"fitness": 4}) == {"score": 4}
    assert get_instrument("self_rated_health").score({"health": "2"}) == {"score": 2}


# --- change ---------------------------------------------------------------------------------------


def swemwbs_scores(raw: int) -> dict[str, Any]:
    return get_instrument("swemwbs").score(swemwbs_answers(raw))


def test_swemwbs_change_and_meaningful_threshold():
    # 23 → 26: 20.73 → 23.21 = 2.48, below the conservative 3 points.
    assert change("swemwbs", swemwbs_scores(23), swemwbs_scores(26)) == {
        "metric_change": Decimal("2.48"),
        "meaningful": False,
    }
    # 23 → 27: 24.11 − 20.73 = 3.38.
    assert change("swemwbs", swemwbs_scores(23), swemwbs_scores(27))["meaningful"] is True
    # A fall counts as much as a rise.
    assert change("swemwbs", swemwbs_scores(27), swemwbs_scores(23)) == {
        "metric_change": Decimal("-3.38"),
        "meaningful": True,
    }


def test_change_works_on_scores_stored_as_json():
    stored = {"raw": 23, "metric": "20.73"}
    assert change("swemwbs", stored, {"raw": 24, "metric": "21.54"})["metric_change"] == Decimal("0.81")
    with pytest.raises(InvalidParameter):
        change("swemwbs", stored, {"raw": 24, "metric": "lots"})


def test_change_of_activity_bmi_and_work_ability():
    pa = get_instrument("pa_minutes")
    before = pa.score({"moderate_min": 60, "vigorous_min": 0, "strength_days": 0})
    after = pa.score({"moderate_min": 90, "vigorous_min": 30, "strength_days": 2})
    assert change("pa_minutes", before, after) == {"aerobic_minutes_change": 90, "strength_days_change": 2}

    body = get_instrument("body")
    before = body.score({"weight_kg": "100", "height_cm": "200", "waist_cm": "100"})
    after = body.score({"weight_kg": "96", "height_cm": "200"})
    assert change("body", before, after) == {
        "bmi_change": Decimal("-1.0"),
        "weight_kg_change": Decimal("-4.0"),
        "waist_cm_change": None,  # not measured the second time
    }

    was = get_instrument("was")
    assert change("was", was.score({"work_ability": 4}), was.score({"work_ability": 7})) == {
        "score_change": 3
    }


def test_inbody_change_only_within_one_device_model():
    inbody = get_instrument("inbody")
    answers = valid_answers(inbody) | {"body_fat_percent": "30"}
    before = inbody.score(answers)
    after = inbody.score(answers | {"body_fat_percent": "27,5"})
    assert change("inbody", before, after)["body_fat_percent_change"] == Decimal("-2.5")
    other_device = inbody.score(answers | {"device_model": "InBody 270"})
    with pytest.raises(InvalidParameter) as caught:
        change("inbody", before, other_device)
    assert caught.value.code == "not_comparable"


def test_change_refuses_scores_of_another_instrument():
    with pytest.raises(InvalidParameter):
        change("swemwbs", {"total": 3}, {"total": 5})


# --- registry and description -------------------------------------------------------------------------


EXPECTED_CODES = {
    "pa_minutes",
    "swemwbs",
    "ons4",
    "was",
    "ucla3",
    "auditc",
    "body",
    "inbody",
    "sitting",
    "self_rated_fitness",
    "self_rated_health",
}


def test_registry_holds_every_instrument_under_its_code():
    assert set(INSTRUMENTS) == EXPECTED_CODES
    for code, instrument in INSTRUMENTS.items():
        assert instrument.code == code
        assert instrument.version
        assert len({item.code for item in instrument.items}) == len(instrument.items)
        assert all(isinstance(key, str) for key in instrument.headline)


def test_unknown_instrument():
    with pytest.raises(InvalidParameter) as caught:
        get_instrument("wemwbs")
    assert caught.value.details["field"] == "instrument"
    assert caught.value.details["value"] == "wemwbs"


@pytest.mark.parametrize("code", sorted(EXPECTED_CODES))
def test_every_instrument_scores_its_lowest_answers_and_headline_keys_exist(code):
    instrument = get_instrument(code)
    scores = instrument.score(valid_answers(instrument), context={"sex": "female"})
    assert set(instrument.headline) <= set(scores)
    change(code, scores, scores)


@pytest.mark.parametrize("language", ["en", "fi", "sv"])
def test_describe_is_json_serialisable(language):
    with translation.override(language):
        described = json.loads(json.dumps([instrument.describe() for instrument in INSTRUMENTS.values()]))
    body = next(entry for entry in described if entry["code"] == "body")
    assert body["version"] == "1"
    assert body["uses_context"] == ["sex"]
    weight = body["items"][0]
    assert weight == {
        "code": "weight_kg",
        "label": weight["label"],
        "type": "decimal",
        "required": True,
        "unit": "kg",
        "min": "20",
        "max": "350",
        "decimal_places": 1,
    }
    ucla = next(entry for entry in described if entry["code"] == "ucla3")
    assert [anchor["value"] for anchor in ucla["items"][0]["anchors"]] == [1, 2, 3]


LICENSED = ("swemwbs", "auditc")


@pytest.mark.parametrize("code", LICENSED)
def test_licensed_instruments_carry_numbers_only_never_item_wording(code):
    instrument = get_instrument(code)
    assert instrument.licensed_wording
    for item in instrument.items:
        assert re.fullmatch(r"(Item|Question) \d+", str(item.label)), item.label
        assert not item.anchors  # response wording comes from the licensed content pack too
    for item in instrument.describe()["items"]:
        assert re.fullmatch(r"(Item|Question) \d+", item["label"])


def test_only_the_licensed_instruments_are_flagged():
    assert {code for code, instrument in INSTRUMENTS.items() if instrument.licensed_wording} == set(LICENSED)
