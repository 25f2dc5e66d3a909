"""The reporting tests use the referral personas."""

from tests.attendance.conftest import (  # noqa: F401  (fixtures)
    desk,
    liiku,
    museum,
    other_provider,
    provider,
    ski_track,
    swimming_hall,
)
from tests.referrals.conftest import counsellor_c, pro_a, unit_a, unit_c  # noqa: F401  (fixtures)
