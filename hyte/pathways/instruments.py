"""Typed measurement instruments for client pathways.

Exercise counselling, link workers, IPS and lifestyle care record the same kinds of measures. This
module is the one place that knows each instrument: its items (type, range, unit, whether required),
how raw answers are parsed and checked (``Instrument.validate``) and what is derived from them
(``Instrument.score``). It touches no database.

Rules (``shared/docs/measures.md`` §0):

- Store the validated item answers together with ``code`` and ``version``; scores are derived here and
  never stored as input. Bump ``version`` whenever items, ranges or scoring change.
- Item wording of licensed instruments (SWEMWBS, AUDIT-C) never enters the repository: their labels
  are "Item 1" … only, and ``licensed_wording`` tells a client to load the texts from the deploying
  organisation's licensed content pack.
- InBody figures are compared only within one device model (``comparable_key``).

Units are UCUM codes (``min/wk``, ``kg``, ``h/d`` …) for programs; user interfaces format them.
Numbers in answers may be ints, Decimals, finite floats, or strings with "." or a Finnish "," as the
decimal separator. Decimal ranges in error details and in ``describe()`` are strings (as DRF renders
decimals); integer ranges are ints.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any, Final

from django.utils.formats import number_format
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

from hyte.core.errors import InvalidParameter

type Label = str | Promise
type Value = int | Decimal | str
type Scores = dict[str, Any]

# Plain numbers only: optional sign, ASCII digits, one "." or "," decimal separator. No exponents,
# thousands separators, NaN or infinity.
_NUMBER: Final = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?")
_MAX_NUMBER_CHARS: Final = 32

SEXES: Final = ("male", "female")


class ItemType(StrEnum):
    INT = "int"
    DECIMAL = "decimal"
    TEXT = "text"


@dataclass(frozen=True)
class Context:
    """What scoring may need to know about the client besides the answers."""

    sex: str | None = None

    @classmethod
    def parse(cls, context: Mapping[str, Any] | None) -> Context:
        if context is None:
            return cls()
        sex = context.get("sex")
        if sex is not None and sex not in SEXES:
            raise InvalidParameter(
                _("Sex must be “male”, “female” or left empty."),
                details={"field": "sex", "allowed": [*SEXES, None]},
            )
        return cls(sex=sex)


@dataclass(frozen=True)
class Item:
    code: str
    label: Label
    type: ItemType
    min: int | Decimal | None = None
    max: int | Decimal | None = None
    unit: str | None = None
    required: bool = True
    decimal_places: int = 0
    max_length: int | None = None
    # (value, label) pairs naming the ends (or all points) of a rating scale, so its direction is explicit.
    anchors: tuple[tuple[int, Label], ...] = ()

    def _range_details(self) -> dict[str, Any]:
        if self.type is ItemType.TEXT:
            return {"max_length": self.max_length}
        return {"min": _plain(self.min), "max": _plain(self.max)}

    def error(self, instrument: Instrument, message: str, reason: str) -> InvalidParameter:
        return InvalidParameter(
            message,
            details={"field": self.code, "instrument": instrument.code, "reason": reason}
            | self._range_details(),
        )

    def display_name(self, instrument: Instrument) -> str:
        """The item's name in messages; a numbered item ("Item 3") says which instrument it belongs to."""
        if instrument.licensed_wording:
            return _("%(instrument)s, %(item)s") % {"instrument": instrument.name, "item": self.label}
        return str(self.label)

    def parse(self, instrument: Instrument, raw: object) -> Value:
        if self.type is ItemType.TEXT:
            return self._parse_text(instrument, raw)
        return self._parse_number(instrument, raw)

    def _parse_text(self, instrument: Instrument, raw: object) -> str:
        text = " ".join(raw.split()) if isinstance(raw, str) else None
        if text is None or not text.isprintable() or (self.max_length and len(text) > self.max_length):
            raise self.error(
                instrument,
                _("%(name)s must be text of at most %(max_length)d characters.")
                % {"name": self.display_name(instrument), "max_length": self.max_length},
                "invalid",
            )
        return text

    def _parse_number(self, instrument: Instrument, raw: object) -> int | Decimal:
        assert self.min is not None and self.max is not None
        value = _to_decimal(raw)
        names = {
            "name": self.display_name(instrument),
            "min": number_format(self.min, use_l10n=True),
            "max": number_format(self.max, use_l10n=True),
        }
        whole = self.type is ItemType.INT
        if whole:
            message = _("%(name)s must be a whole number from %(min)s to %(max)s.") % names
        else:
            message = _("%(name)s must be a number from %(min)s to %(max)s.") % names
        if value is None or (whole and value != value.to_integral_value()):
            raise self.error(instrument, message, "type")
        if not self.min <= value <= self.max:
            raise self.error(instrument, message, "range")
        if whole:
            return int(value)
        quantum = Decimal(1).scaleb(-self.decimal_places)
        rounded = value.quantize(quantum)
        if rounded != value:
            raise self.error(
                instrument,
                ngettext(
                    "%(name)s may have at most %(places)d decimal place.",
                    "%(name)s may have at most %(places)d decimal places.",
                    self.decimal_places,
                )
                % {"name": names["name"], "places": self.decimal_places},
                "decimal_places",
            )
        return rounded

    def describe(self) -> dict[str, Any]:
        description: dict[str, Any] = {
            "code": self.code,
            "label": str(self.label),
            "type": str(self.type),
            "required": self.required,
            "unit": self.unit,
        }
        if self.type is ItemType.TEXT:
            description["max_length"] = self.max_length
        else:
            description |= {"min": _plain(self.min), "max": _plain(self.max)}
            if self.type is ItemType.DECIMAL:
                description["decimal_places"] = self.decimal_places
        if self.anchors:
            description["anchors"] = [{"value": value, "label": str(label)} for value, label in self.anchors]
        return description


type Scorer = Callable[[Mapping[str, Value], Context], Scores]


@dataclass(frozen=True)
class Instrument:
    code: str
    version: str
    name: Label
    items: tuple[Item, ...]
    scorer: Scorer = field(repr=False, compare=False)
    # Score keys whose change ``change()`` reports; the first is the headline figure.
    headline: tuple[str, ...] = ()
    # |change| of the first headline figure at or above this counts as meaningful.
    meaningful_change: Decimal | None = None
    # Item texts are licence-gated: labels are numbers only, texts come from a licensed content pack.
    licensed_wording: bool = False
    # Context keys the scoring uses (a missing one gives None for the results that need it).
    uses_context: tuple[str, ...] = ()
    # Device-specific figures: scores with different ``comparable_key`` values must not be compared.
    device_specific: bool = False

    @property
    def items_by_code(self) -> dict[str, Item]:
        return {item.code: item for item in self.items}

    def validate(self, answers: Mapping[str, Any]) -> dict[str, Value]:
        """Parse and check answers; return them typed, in item order, without unanswered optional items.

        ``None`` and blank strings count as unanswered. The first problem (unknown items first, then
        items in order) raises ``InvalidParameter`` naming the item.
        """
        if not isinstance(answers, Mapping):
            raise InvalidParameter(
                _("The answers must be an object of item codes and values."),
                details={"field": "answers", "instrument": self.code},
            )
        by_code = self.items_by_code
        unknown = sorted(str(key)[:50] for key in answers if key not in by_code)
        if unknown:
            raise InvalidParameter(
                _("Unknown item “%(item)s” for %(instrument)s.")
                % {"item": unknown[0], "instrument": self.name},
                details={"field": unknown[0], "instrument": self.code, "reason": "unknown"},
            )
        values: dict[str, Value] = {}
        for item in self.items:
            raw = answers.get(item.code)
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                if item.required:
                    raise item.error(
                        self, _("%(name)s is required.") % {"name": item.display_name(self)}, "required"
                    )
                continue
            values[item.code] = item.parse(self, raw)
        return values

    def score(self, values: Mapping[str, Any], context: Mapping[str, Any] | None = None) -> Scores:
        """Derived results. ``values`` are validated again: a missing item is an error, never a score."""
        return self.scorer(self.validate(values), Context.parse(context))

    def describe(self) -> dict[str, Any]:
        """A JSON-serialisable description for the API, in the active language."""
        return {
            "code": self.code,
            "version": self.version,
            "name": str(self.name),
            "licensed_wording": self.licensed_wording,
            "uses_context": list(self.uses_context),
            "items": [item.describe() for item in self.items],
        }


# --- helpers ---------------------------------------------------------------------------------------


def _plain(number: int | Decimal | None) -> int | str | None:
    return str(number) if isinstance(number, Decimal) else number


def _to_decimal(raw: object) -> Decimal | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, Decimal):
        return raw if raw.is_finite() else None
    if isinstance(raw, float):
        return Decimal(repr(raw)) if math.isfinite(raw) else None
    if isinstance(raw, str):
        text = raw.strip()
        if len(text) > _MAX_NUMBER_CHARS or not _NUMBER.fullmatch(text):
            return None
        return Decimal(text.replace(",", "."))
    return None


def _int(code: str, label: Label, low: int, high: int, *, unit: str | None = None, **kwargs: Any) -> Item:
    return Item(code=code, label=label, type=ItemType.INT, min=low, max=high, unit=unit, **kwargs)


def _decimal(
    code: str, label: Label, low: str, high: str, places: int, *, unit: str | None = None, **kwargs: Any
) -> Item:
    return Item(
        code=code,
        label=label,
        type=ItemType.DECIMAL,
        min=Decimal(low),
        max=Decimal(high),
        unit=unit,
        decimal_places=places,
        **kwargs,
    )


def _int_value(values: Mapping[str, Value], code: str) -> int:
    value = values[code]
    assert isinstance(value, int)
    return value


def _decimal_value(values: Mapping[str, Value], code: str) -> Decimal | None:
    value = values.get(code)
    assert value is None or isinstance(value, Decimal)
    return value


def _number_label(template: str, number: int) -> str:
    return _(template) % {"number": number}


# Labels of licensed items: a number only, translated lazily ("Item 3", "Kysymys 3" …).
_numbered = lazy(_number_label, str)
ITEM_NUMBER: Final = gettext_noop("Item %(number)d")
QUESTION_NUMBER: Final = gettext_noop("Question %(number)d")


def _total(values: Mapping[str, Value]) -> int:
    return sum(_int_value(values, code) for code in values)


def _band(value: int | Decimal, bands: tuple[tuple[int | Decimal, str], ...]) -> str:
    """The band of the last lower bound ``value`` reaches; ``bands`` are ascending, the first bound lowest."""
    found = bands[0][1]
    for lower, name in bands:
        if value >= lower:
            found = name
    return found


def _within(value: Decimal | None, low: Decimal, high: Decimal) -> str | None:
    if value is None:
        return None
    if value < low:
        return "below"
    return "above" if value > high else "within"


# --- physical activity (UKK 2019, measures.md §3.1) -------------------------------------------------

UKK_AEROBIC_MINUTES: Final = 150
UKK_STRENGTH_DAYS: Final = 2
MAX_MINUTES_PER_WEEK: Final = 5040  # 12 hours a day


def _score_pa(values: Mapping[str, Value], context: Context) -> Scores:
    moderate = _int_value(values, "moderate_min")
    vigorous = _int_value(values, "vigorous_min")
    strength_days = _int_value(values, "strength_days")
    aerobic = moderate + 2 * vigorous  # moderate-equivalent minutes; vigorous counts double
    meets_aerobic = aerobic >= UKK_AEROBIC_MINUTES
    meets_strength = strength_days >= UKK_STRENGTH_DAYS
    return {
        "aerobic_minutes": aerobic,
        "strength_days": strength_days,
        "meets_aerobic": meets_aerobic,
        "meets_strength": meets_strength,
        "meets_recommendation": meets_aerobic and meets_strength,
    }


PA_MINUTES = Instrument(
    code="pa_minutes",
    version="1",
    name=gettext_lazy("Physical activity per week"),
    items=(
        _int(
            "moderate_min",
            gettext_lazy("Moderate-intensity activity, minutes per week"),
            0,
            MAX_MINUTES_PER_WEEK,
            unit="min/wk",
        ),
        _int(
            "vigorous_min",
            gettext_lazy("Vigorous-intensity activity, minutes per week"),
            0,
            MAX_MINUTES_PER_WEEK,
            unit="min/wk",
        ),
        _int(
            "strength_days", gettext_lazy("Muscle-strengthening activity, days per week"), 0, 7, unit="d/wk"
        ),
    ),
    scorer=_score_pa,
    headline=("aerobic_minutes", "strength_days"),
)


# --- SWEMWBS (measures.md §1) -----------------------------------------------------------------------

# Raw sum (7-35) to metric score, measures.md §1.3 (Warwick's conversion table).
SWEMWBS_METRIC: Final[dict[int, Decimal]] = {
    7: Decimal("7.00"), 8: Decimal("9.51"), 9: Decimal("11.25"), 10: Decimal("12.40"),
    11: Decimal("13.33"), 12: Decimal("14.08"), 13: Decimal("14.75"), 14: Decimal("15.32"),
    15: Decimal("15.84"), 16: Decimal("16.36"), 17: Decimal("16.88"), 18: Decimal("17.43"),
    19: Decimal("17.98"), 20: Decimal("18.59"), 21: Decimal("19.25"), 22: Decimal("19.98"),
    23: Decimal("20.73"), 24: Decimal("21.54"), 25: Decimal("22.35"), 26: Decimal("23.21"),
    27: Decimal("24.11"), 28: Decimal("25.03"), 29: Decimal("26.02"), 30: Decimal("27.03"),
    31: Decimal("28.13"), 32: Decimal("29.31"), 33: Decimal("30.70"), 34: Decimal("32.55"),
    35: Decimal("35.00"),
}  # fmt: skip
# Shah et al. 2018: 1-3 points meet individual-level thresholds (2.77 SEM = 2.87); 3 is the conservative one.
SWEMWBS_MEANINGFUL_CHANGE: Final = Decimal(3)


def _score_swemwbs(values: Mapping[str, Value], context: Context) -> Scores:
    raw = _total(values)
    return {"raw": raw, "metric": SWEMWBS_METRIC[raw]}


SWEMWBS = Instrument(
    code="swemwbs",
    version="1",
    name=gettext_lazy("Short Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS)"),
    items=tuple(_int(f"item_{n}", _numbered(ITEM_NUMBER, n), 1, 5) for n in range(1, 8)),
    scorer=_score_swemwbs,
    headline=("metric",),
    meaningful_change=SWEMWBS_MEANINGFUL_CHANGE,
    licensed_wording=True,
)


# --- ONS4 (measures.md §4): each item separately, never a sum ----------------------------------------

ONS4_POSITIVE_BANDS: Final = ((0, "low"), (5, "medium"), (7, "high"), (9, "very_high"))
ONS4_ANXIETY_BANDS: Final = ((0, "very_low"), (2, "low"), (4, "medium"), (6, "high"))
ONS4_ITEMS: Final = ("life_satisfaction", "worthwhile", "happy", "anxious")
_ONS4_ANCHORS: Final = ((0, gettext_lazy("Not at all")), (10, gettext_lazy("Completely")))


def _score_ons4(values: Mapping[str, Value], context: Context) -> Scores:
    scores: Scores = {}
    for code in ONS4_ITEMS:
        value = _int_value(values, code)
        scores[code] = value
        scores[f"{code}_band"] = _band(
            value, ONS4_ANXIETY_BANDS if code == "anxious" else ONS4_POSITIVE_BANDS
        )
    return scores


ONS4 = Instrument(
    code="ons4",
    version="1",
    name=gettext_lazy("ONS personal well-being (ONS4)"),
    items=(
        _int("life_satisfaction", gettext_lazy("Life satisfaction"), 0, 10, anchors=_ONS4_ANCHORS),
        _int("worthwhile", gettext_lazy("Things done in life are worthwhile"), 0, 10, anchors=_ONS4_ANCHORS),
        _int("happy", gettext_lazy("Happiness yesterday"), 0, 10, anchors=_ONS4_ANCHORS),
        _int("anxious", gettext_lazy("Anxiety yesterday"), 0, 10, anchors=_ONS4_ANCHORS),
    ),
    scorer=_score_ons4,
    headline=ONS4_ITEMS,
)


# --- Work Ability Score (WAI item 1; Jääskeläinen et al. 2016) ---------------------------------------

WAS_BANDS: Final = ((0, "poor"), (6, "moderate"), (8, "good"))


def _score_was(values: Mapping[str, Value], context: Context) -> Scores:
    work_ability = _int_value(values, "work_ability")
    return {"score": work_ability, "band": _band(work_ability, WAS_BANDS)}


WAS = Instrument(
    code="was",
    version="1",
    name=gettext_lazy("Work Ability Score"),
    items=(_int("work_ability", gettext_lazy("Current work ability compared with lifetime best"), 0, 10),),
    scorer=_score_was,
    headline=("score",),
)


# --- UCLA 3-item loneliness (Hughes et al. 2004) ----------------------------------------------------

UCLA3_LONELY_FROM: Final = 6
_UCLA3_ANCHORS: Final = (
    (1, gettext_lazy("Hardly ever")),
    (2, gettext_lazy("Some of the time")),
    (3, gettext_lazy("Often")),
)


def _score_ucla3(values: Mapping[str, Value], context: Context) -> Scores:
    total = _total(values)
    return {"total": total, "lonely": total >= UCLA3_LONELY_FROM}


UCLA3 = Instrument(
    code="ucla3",
    version="1",
    name=gettext_lazy("Three-item loneliness scale (UCLA-3)"),
    items=(
        _int("companionship", gettext_lazy("Lack of companionship"), 1, 3, anchors=_UCLA3_ANCHORS),
        _int("left_out", gettext_lazy("Feeling left out"), 1, 3, anchors=_UCLA3_ANCHORS),
        _int("isolated", gettext_lazy("Feeling isolated from others"), 1, 3, anchors=_UCLA3_ANCHORS),
    ),
    scorer=_score_ucla3,
    headline=("total",),
)


# --- AUDIT-C (measures.md §4): Finnish risk cut-offs by sex ------------------------------------------

AUDITC_RISK_FROM: Final = {"male": 6, "female": 5}


def _score_auditc(values: Mapping[str, Value], context: Context) -> Scores:
    total = _total(values)
    risk = None if context.sex is None else total >= AUDITC_RISK_FROM[context.sex]
    return {"total": total, "risk": risk}


AUDITC = Instrument(
    code="auditc",
    version="1",
    name=gettext_lazy("AUDIT-C alcohol use"),
    items=tuple(_int(f"question_{n}", _numbered(QUESTION_NUMBER, n), 0, 4) for n in range(1, 4)),
    scorer=_score_auditc,
    headline=("total",),
    licensed_wording=True,
    uses_context=("sex",),
)


# --- Body measurements: BMI (Käypä hoito 2020) and waist (IDF cut-offs) ------------------------------

BMI_BANDS: Final = (
    (Decimal(0), "underweight"),
    (Decimal("18.5"), "normal"),
    (Decimal(25), "overweight"),
    (Decimal(30), "obesity"),
    (Decimal(35), "severe_obesity"),
    (Decimal(40), "morbid_obesity"),
)
# Waist in cm: (increased risk above, marked risk from).
WAIST_RISK: Final = {"female": (Decimal(80), Decimal(88)), "male": (Decimal(94), Decimal(102))}


def _bmi(weight_kg: Decimal, height_cm: Decimal) -> Decimal:
    height_m = height_cm / 100
    return (weight_kg / (height_m * height_m)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _waist_risk(waist_cm: Decimal | None, sex: str | None) -> str | None:
    if waist_cm is None or sex is None:
        return None
    increased_above, marked_from = WAIST_RISK[sex]
    if waist_cm >= marked_from:
        return "marked"
    return "increased" if waist_cm > increased_above else "none"


def _score_body(values: Mapping[str, Value], context: Context) -> Scores:
    weight = _decimal_value(values, "weight_kg")
    height = _decimal_value(values, "height_cm")
    assert weight is not None and height is not None
    waist = _decimal_value(values, "waist_cm")
    bmi = _bmi(weight, height)  # banded as shown, to one decimal
    return {
        "weight_kg": weight,
        "bmi": bmi,
        "bmi_band": _band(bmi, BMI_BANDS),
        "waist_cm": waist,
        "waist_risk": _waist_risk(waist, context.sex),
    }


BODY = Instrument(
    code="body",
    version="1",
    name=gettext_lazy("Weight, height and waist"),
    items=(
        _decimal("weight_kg", gettext_lazy("Weight"), "20", "350", 1, unit="kg"),
        _decimal("height_cm", gettext_lazy("Height"), "100", "250", 1, unit="cm"),
        _decimal("waist_cm", gettext_lazy("Waist circumference"), "40", "250", 1, unit="cm", required=False),
    ),
    scorer=_score_body,
    headline=("bmi", "weight_kg", "waist_cm"),
    uses_context=("sex",),
)


# --- InBody body composition (device-specific: compare only within one device model) -----------------

# InBody's own standard ranges (manual and interpretation pages); other devices differ.
INBODY_BODY_FAT_RANGE: Final = {"male": (Decimal(10), Decimal(20)), "female": (Decimal(18), Decimal(28))}
INBODY_ECW_TBW_RANGE: Final = (Decimal("0.360"), Decimal("0.390"))


def _score_inbody(values: Mapping[str, Value], context: Context) -> Scores:
    body_fat = _decimal_value(values, "body_fat_percent")
    ecw_tbw = _decimal_value(values, "ecw_tbw_ratio")
    body_fat_band = None
    if context.sex is not None:
        body_fat_band = _within(body_fat, *INBODY_BODY_FAT_RANGE[context.sex])
    return {
        "comparable_key": values["device_model"],
        "skeletal_muscle_mass_kg": _decimal_value(values, "skeletal_muscle_mass_kg"),
        "body_fat_percent": body_fat,
        "body_fat_band": body_fat_band,
        "visceral_fat_level": _int_value(values, "visceral_fat_level"),
        "ecw_tbw_ratio": ecw_tbw,
        "ecw_tbw_band": _within(ecw_tbw, *INBODY_ECW_TBW_RANGE),
    }


INBODY = Instrument(
    code="inbody",
    version="1",
    name=gettext_lazy("InBody body composition"),
    items=(
        Item(code="device_model", label=gettext_lazy("Device model"), type=ItemType.TEXT, max_length=100),
        _decimal("skeletal_muscle_mass_kg", gettext_lazy("Skeletal muscle mass"), "5", "100", 1, unit="kg"),
        _decimal("body_fat_percent", gettext_lazy("Body fat percentage"), "1", "80", 1, unit="%"),
        _int("visceral_fat_level", gettext_lazy("Visceral fat level"), 1, 30),
        _decimal("ecw_tbw_ratio", gettext_lazy("ECW/TBW ratio"), "0.300", "0.500", 3, required=False),
    ),
    scorer=_score_inbody,
    headline=("skeletal_muscle_mass_kg", "body_fat_percent", "visceral_fat_level", "ecw_tbw_ratio"),
    uses_context=("sex",),
    device_specific=True,
)


# --- Single-item measures (measures.md §3.2 minimum dataset) -----------------------------------------


def _single(key: str) -> Scorer:
    """The one answer itself, under ``key``: nothing else is derived."""

    def scorer(values: Mapping[str, Value], context: Context) -> Scores:
        (value,) = values.values()
        return {key: value}

    return scorer


_RATING_ANCHORS: Final = ((1, gettext_lazy("Very poor")), (5, gettext_lazy("Very good")))

SITTING = Instrument(
    code="sitting",
    version="1",
    name=gettext_lazy("Sitting time"),
    items=(_decimal("hours_per_day", gettext_lazy("Sitting, hours per weekday"), "0", "24", 2, unit="h/d"),),
    scorer=_single("hours"),
    headline=("hours",),
)

SELF_RATED_FITNESS = Instrument(
    code="self_rated_fitness",
    version="1",
    name=gettext_lazy("Self-rated fitness"),
    items=(_int("fitness", gettext_lazy("Self-rated fitness"), 1, 5, anchors=_RATING_ANCHORS),),
    scorer=_single("score"),
    headline=("score",),
)

SELF_RATED_HEALTH = Instrument(
    code="self_rated_health",
    version="1",
    name=gettext_lazy("Self-rated health"),
    items=(_int("health", gettext_lazy("Self-rated health"), 1, 5, anchors=_RATING_ANCHORS),),
    scorer=_single("score"),
    headline=("score",),
)


# --- registry ---------------------------------------------------------------------------------------

INSTRUMENTS: dict[str, Instrument] = {
    instrument.code: instrument
    for instrument in (
        PA_MINUTES,
        SWEMWBS,
        ONS4,
        WAS,
        UCLA3,
        AUDITC,
        BODY,
        INBODY,
        SITTING,
        SELF_RATED_FITNESS,
        SELF_RATED_HEALTH,
    )
}


def get_instrument(code: str) -> Instrument:
    instrument = INSTRUMENTS.get(code) if isinstance(code, str) else None
    if instrument is None:
        shown = str(code)[:50]
        raise InvalidParameter(
            _("Unknown instrument “%(code)s”.") % {"code": shown},
            details={"field": "instrument", "value": shown, "allowed": sorted(INSTRUMENTS)},
        )
    return instrument


def _number(scores: Mapping[str, Any], key: str) -> int | Decimal | None:
    """A stored score: int, Decimal, or a decimal string (scores are stored as JSON); None stays None."""
    value = scores[key]
    if value is None or (isinstance(value, int | Decimal) and not isinstance(value, bool)):
        return value
    number = _to_decimal(value) if isinstance(value, str) else None
    if number is None:
        raise InvalidParameter(
            _("The score “%(key)s” is not a number.") % {"key": key}, details={"field": key, "reason": "type"}
        )
    return number


def change(instrument_code: str, before_scores: Mapping[str, Any], after_scores: Mapping[str, Any]) -> Scores:
    """Change (after − before) of each headline figure, as ``<figure>_change``.

    A figure missing on either side (an optional item left out) gives None. SWEMWBS adds
    ``meaningful``: |metric change| ≥ 3. Device-specific scores (InBody) from different device
    models are refused.
    """
    instrument = get_instrument(instrument_code)
    for scores in (before_scores, after_scores):
        missing = [key for key in instrument.headline if key not in scores]
        if missing:
            raise InvalidParameter(
                _("These scores do not belong to %(instrument)s.") % {"instrument": instrument.name},
                details={"field": missing[0], "instrument": instrument.code, "reason": "not_scores"},
            )
    before_key, after_key = before_scores.get("comparable_key"), after_scores.get("comparable_key")
    if instrument.device_specific and before_key != after_key:
        raise InvalidParameter(
            _("Results from different device models cannot be compared."),
            code="not_comparable",
            details={
                "field": "comparable_key",
                "instrument": instrument.code,
                "before": before_key,
                "after": after_key,
            },
        )
    result: Scores = {}
    for key in instrument.headline:
        before, after = _number(before_scores, key), _number(after_scores, key)
        result[f"{key}_change"] = None if before is None or after is None else after - before
    if instrument.meaningful_change is not None:
        first = result[f"{instrument.headline[0]}_change"]
        result["meaningful"] = None if first is None else abs(first) >= instrument.meaningful_change
    return result
