"""The reporting tests use the referral personas."""

from tests.referrals.conftest import pro_a, unit_a  # noqa: F401  (fixtures)
