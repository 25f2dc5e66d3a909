from __future__ import annotations

from datetime import date

import pytest

from hyte.referrals.hetu import InvalidPersonalIdentityCode, birth_date, validate


@pytest.mark.parametrize(
    ("code", "born"),
    [
        ("131052-308T", date(1952, 10, 13)),  # DVV's example
        ("010594Y123W", date(1994, 5, 1)),  # a 2023 century sign
        ("010101A123N", date(2001, 1, 1)),
        ("290200A101K", date(2000, 2, 29)),  # a leap day
        (" 131052-308t ", date(1952, 10, 13)),  # spaces and case are forgiven
    ],
)
def test_valid(code: str, born: date) -> None:
    assert validate(code) == code.strip().upper()
    assert birth_date(code) == born


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("131052-308U", "check_character"),
        ("131052308T", "format"),
        ("131052*308T", "format"),
        ("290201A101K", "date"),  # 2001 is no leap year
        ("320152-308T", "date"),
        ("131052-900T", "individual_number"),  # temporary codes are not accepted
        ("131052-001T", "individual_number"),
        ("", "format"),
    ],
)
def test_invalid_never_repeats_the_code(code: str, reason: str) -> None:
    with pytest.raises(InvalidPersonalIdentityCode) as excinfo:
        validate(code)
    assert excinfo.value.details["reason"] == reason
    assert code.strip() == "" or code not in str(excinfo.value.message) + str(excinfo.value.details)
