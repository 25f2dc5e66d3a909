"""Who sees which referral: the query (``referrals_visible_to``) and the check on one locked referral
(``is_visible``, used by the transitions) must give the same answers."""

from __future__ import annotations

import itertools

import pytest
from django.utils import timezone

from hyte.accounts.models import Unit, UnitRole
from hyte.referrals.models import Referral
from hyte.referrals.selectors import actor_roles, is_visible, referrals_visible_to
from hyte.referrals.services import referral_create
from tests.conftest import Persona
from tests.referrals.conftest import client_data, consent_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def referrals(pro_a: Persona, unit_a: Unit, unit_c: Unit, unit_d: Unit) -> list[Referral]:
    made = []
    for receiving, send, withdrawn in itertools.product((unit_c, unit_d), (True, False), (False, True)):
        referral = referral_create(
            actor=pro_a.user,
            referring_unit_id=unit_a.pk,
            receiving_unit_id=receiving.pk,
            kind=Referral.Kind.EXERCISE,
            client=client_data(personal_identity_code=""),
            reason="Liikkuu vähän.",
            consent=consent_data(),
            send=send,
        )
        if withdrawn:
            referral.consent.withdrawn_at = timezone.now()
            referral.consent.save()
        made.append(referral)
    return made


def test_the_check_agrees_with_the_query(
    referrals: list[Referral],
    pro_a: Persona,
    pro_b: Persona,
    counsellor_c: Persona,
    counsellor_d: Persona,
    coordinator: Persona,
) -> None:
    seen_by = {}
    for persona in (pro_a, pro_b, counsellor_c, counsellor_d, coordinator):
        visible = set(referrals_visible_to(persona.user).values_list("pk", flat=True))
        roles = actor_roles(persona.user)
        for referral in Referral.objects.select_related("consent").filter(pk__in=[r.pk for r in referrals]):
            assert is_visible(referral, roles) == (referral.pk in visible), (persona.user.username, referral)
        seen_by[persona.user.username] = len(visible)
    # Not vacuous: the sender sees all 8, counsellor C the sent ones without withdrawn consent, others none.
    assert seen_by == {"pro_a": 8, "pro_b": 0, "counsellor_c": 1, "counsellor_d": 1, "coordinator": 0}


def test_a_deactivated_user_holds_no_roles(counsellor_c: Persona) -> None:
    assert actor_roles(counsellor_c.user)
    counsellor_c.user.is_active = False
    assert actor_roles(counsellor_c.user) == frozenset()
    assert UnitRole.objects.filter(user=counsellor_c.user).exists()
