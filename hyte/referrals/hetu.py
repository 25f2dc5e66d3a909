"""Finnish personal identity code (henkilötunnus, HETU): DDMMYYCZZZQ.

C is the century sign: ``+`` for the 1800s; ``-`` and, since 2023, ``Y X W V U`` for the 1900s;
``A`` and, since 2023, ``B C D E F`` for the 2000s (Government Decree 128/2010 as amended). ZZZ is the
individual number (002-899; 900-999 are temporary codes, refused here), Q the check character: the
nine digits DDMMYYZZZ as one number, modulo 31, indexing ``0123456789ABCDEFHJKLMNPRSTUVWXY``.
The code is personal data: errors never repeat it, and callers never log it.
"""

from __future__ import annotations

import re
from datetime import date

from django.utils.translation import gettext_lazy as _

from hyte.core.errors import InvalidParameter

CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
CENTURIES = {"+": 1800, "-": 1900, "Y": 1900, "X": 1900, "W": 1900, "V": 1900, "U": 1900}
CENTURIES |= dict.fromkeys("ABCDEF", 2000)
PATTERN = re.compile(r"^(\d{2})(\d{2})(\d{2})([-+A-FU-Y])(\d{3})([0-9A-Y])$")


class InvalidPersonalIdentityCode(InvalidParameter):
    code = "invalid_personal_identity_code"
    default_message = _("The personal identity code is not valid.")


def normalize(text: str) -> str:
    return text.strip().upper()


def birth_date(code: str) -> date:
    """The birth date of a valid code (raises InvalidPersonalIdentityCode otherwise)."""
    return _parse(normalize(code))[0]


def validate(code: str) -> str:
    """The normalized code, or InvalidPersonalIdentityCode with a reason that never repeats the code."""
    normalized = normalize(code)
    _parse(normalized)
    return normalized


def _parse(code: str) -> tuple[date, str]:
    match = PATTERN.match(code)
    if match is None:
        raise InvalidPersonalIdentityCode(
            _("A personal identity code has the form DDMMYYCZZZQ, for example 131052-308T."),
            details={"field": "personal_identity_code", "reason": "format"},
        )
    day, month, year, sign, individual, check = match.groups()
    try:
        born = date(CENTURIES[sign] + int(year), int(month), int(day))
    except ValueError:
        raise InvalidPersonalIdentityCode(
            _("The personal identity code does not contain a valid date of birth."),
            details={"field": "personal_identity_code", "reason": "date"},
        ) from None
    number = int(individual)
    if not 2 <= number <= 899:
        raise InvalidPersonalIdentityCode(
            _("The individual number of the personal identity code must be 002–899."),
            details={"field": "personal_identity_code", "reason": "individual_number"},
        )
    if CHECK_CHARACTERS[int(day + month + year + individual) % 31] != check:
        raise InvalidPersonalIdentityCode(
            _("The check character of the personal identity code does not match."),
            details={"field": "personal_identity_code", "reason": "check_character"},
        )
    return born, sign
