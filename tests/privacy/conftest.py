"""Personas and data of the data protection tests.

``dpo_a`` is the data protection officer of organization A (in a unit of its own, so the scope is the
organization, not the unit); ``dpo_b`` of organization B, which holds nothing of the client;
``worker_a`` receives referrals in A's exercise counselling unit (no DPO role).

``ilmatar`` is a client with one record of every kind that links to a client: a referral from
organization C's health centre to A's exercise counselling (with consent and history), a pathway with
goal, contact, measurement, outcome and event, the contact request that started it, a pass with a
visit and a reward, a buddy pairing with a meeting, a client plan with its section, step, item and
income support grant, service use, an open feedback link with a receipt, and a correction (her phone
changed). ``other`` is another client of A with one referral.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from hyte.accounts.models import Unit, UnitRole
from hyte.attendance.models import Pass, PassProgramme, Reward, Visit
from hyte.buddies.models import Buddy, BuddyMeeting, Pairing
from hyte.catalog.models import Organization
from hyte.feedback.models import FeedbackLink, FeedbackReceipt
from hyte.pathways.models import (
    Contact,
    Goal,
    Measurement,
    Outcome,
    Pathway,
    PathwayEvent,
    Programme,
    SelfReferral,
)
from hyte.plans.models import ActivitySection, AgreedStep, ClientPlan, IncomeSupportGrant, PlanItem
from hyte.referrals.models import Client, Consent, Referral, ReferralEvent
from hyte.referrals.services import ClientData, client_record
from hyte.reporting.models import ServiceUse, ServiceUseImport
from tests.accounts.factories import UnitFactory, UnitRoleFactory, UserFactory
from tests.catalog.factories import OrganizationFactory, ServiceFactory
from tests.conftest import Persona, _login

HETU = "131052-308T"
FIRST, LAST = "Ilmatar", "Meikäläinen-Testi"
EMAIL, PHONE, OLD_PHONE = "ilmatar@example.invalid", "+358401112223", "+358409998887"
# Strings that identify Ilmatar; none may be left anywhere after her erasure.
IDENTIFYING = (FIRST, LAST, HETU, EMAIL, PHONE, OLD_PHONE, "Polvi kipeä", "Ilmattaren oma tavoite")


@pytest.fixture
def org_a(db: None) -> Organization:
    return OrganizationFactory(name_fi="Kokkolan kaupunki")


@pytest.fixture
def org_b(db: None) -> Organization:
    return OrganizationFactory(name_fi="Kannuksen Latu ry")


@pytest.fixture
def unit_a(org_a: Organization) -> Unit:
    return UnitFactory(
        organization=org_a,
        name_fi="Kokkolan liikuntaneuvonta",
        kind=Unit.Kind.EXERCISE_COUNSELLING,
        receives_referrals=True,
    )


@pytest.fixture
def health_centre(db: None) -> Unit:
    return UnitFactory(name_fi="Terveysasema C")  # organization C


def _persona(unit: Unit, role: str, username: str) -> Persona:
    return _login(UnitRoleFactory(unit=unit, role=role, user__username=username).user)


@pytest.fixture
def dpo_a(org_a: Organization) -> Persona:
    office = UnitFactory(organization=org_a, name_fi="Tietosuoja")
    return _persona(office, UnitRole.Role.DATA_PROTECTION_OFFICER, "dpo_a")


@pytest.fixture
def dpo_b(org_b: Organization) -> Persona:
    return _persona(UnitFactory(organization=org_b), UnitRole.Role.DATA_PROTECTION_OFFICER, "dpo_b")


@pytest.fixture
def worker_a(unit_a: Unit) -> Persona:
    return _persona(unit_a, UnitRole.Role.RECEIVER, "worker_a")


@dataclass
class Records:
    client: Client
    objects: dict[str, list[Any]]  # model label -> objects

    def ids(self, label: str) -> list[str]:
        return [str(o.pk) for o in self.objects[label]]


def _referral(client: Client, referrer: Any, sender: Unit, receiver: Unit, **extra: Any) -> Referral:
    return Referral.objects.create(
        kind=Referral.Kind.EXERCISE,
        client=client,
        referrer=referrer,
        referring_unit=sender,
        receiving_unit=receiver,
        reason=extra.pop("reason", "Polvi kipeä, liikkuu vähän."),
        status=Referral.Status.IN_PROGRESS,
        sent_at=timezone.now(),
        **extra,
    )


def make_client_records(unit_a: Unit, sender: Unit, *, hetu: str = HETU, first: str = FIRST) -> Records:
    staff = UserFactory()
    client = client_record(
        staff,
        ClientData(
            first_name=first,
            last_name=LAST,
            personal_identity_code=hetu,
            email=EMAIL,
            phone=OLD_PHONE,
            municipality="272",
        ),
    )
    # The same person entered again with a new phone number: one correction row (the old phone).
    client = client_record(
        staff,
        ClientData(
            first_name=first,
            last_name=LAST,
            personal_identity_code=hetu,
            email=EMAIL,
            phone=PHONE,
            municipality="272",
        ),
    )
    referral = _referral(client, staff, sender, unit_a, goals="Kävely")
    consent = Consent.objects.create(
        referral=referral,
        given_by=Consent.GivenBy.CLIENT,
        given_at=timezone.now(),
        method=Consent.Method.VERBAL,
        scope=Consent.Scope.REFERRAL_AND_STATISTICS,
        recorded_by=staff,
    )
    event = ReferralEvent.objects.create(
        referral=referral, from_status="draft", to_status="sent", action="send", actor=staff
    )
    today = timezone.localdate()
    pathway = Pathway.objects.create(
        programme=Programme.objects.order_by("code").first(),
        client=client,
        unit=unit_a,
        worker=staff,
        referral=referral,
        origin=Pathway.Origin.REFERRAL,
        enrolled_on=today,
        closure_note="",
    )
    goal = Goal.objects.create(pathway=pathway, text="Ilmattaren oma tavoite: kävely kolmesti viikossa")
    contact = Contact.objects.create(
        pathway=pathway, on=today, kind=Contact.Kind.MEETING, note="Hyvä tapaaminen"
    )
    measurement = Measurement.objects.create(
        pathway=pathway, instrument="swemwbs", instrument_version="1", on=today, values={"1": 3}
    )
    outcome = Outcome.objects.create(
        pathway=pathway, kind=Outcome.Kind.GROUP_JOINED, started_on=today, note="Vesijumppa"
    )
    pathway_event = PathwayEvent.objects.create(pathway=pathway, action="enrol", reason="", actor=staff)
    self_referral = SelfReferral.objects.create(
        unit=unit_a,
        name=f"{first} {LAST}",
        phone=PHONE,
        message="Haluaisin liikkua enemmän.",
        status=SelfReferral.Status.ENROLLED,
        pathway=pathway,
        source_hash="x" * 64,
    )
    service = ServiceFactory()
    pass_card = Pass.objects.create(
        programme=PassProgramme.objects.order_by("code").first(),
        client=client,
        unit=unit_a,
        issued_by=staff,
        pathway=pathway,
        issued_on=today,
        valid_until=today + dt.timedelta(days=365),
    )
    visit = Visit.objects.create(
        pass_card=pass_card, service=service, on=today, idempotency_key=f"k-{client.pk}"
    )
    reward = Reward.objects.create(pass_card=pass_card, number=1, text="Uimalippu")
    buddy = Buddy.objects.create(user=UserFactory(), unit=unit_a, name="Kaveri", kind=Buddy.Kind.VOLUNTEER)
    pairing = Pairing.objects.create(
        client=client,
        buddy=buddy,
        unit=unit_a,
        pathway=pathway,
        paired_by=staff,
        starts_on=today,
        ends_on=today + dt.timedelta(days=90),
        shared_first_name=first,
        shared_phone=PHONE,
        consent_given_by=Consent.GivenBy.CLIENT,
        consent_given_at=timezone.now(),
        consent_method=Consent.Method.VERBAL,
        consent_recorded_by=staff,
    )
    buddy_meeting = BuddyMeeting.objects.create(
        pairing=pairing, on=today, activity=BuddyMeeting.Activity.WALK, note="Jokirantaa", recorded_by=staff
    )
    plan = ClientPlan.objects.create(client=client, unit=unit_a, created_by=staff, assessed_on=today)
    section = ActivitySection.objects.create(plan=plan, participation="Käy kirjastossa", wishes="Tanssi")
    step = AgreedStep.objects.create(plan=plan, text="Kokeilee tanssia")
    item = PlanItem.objects.create(plan=plan, kind=PlanItem.Kind.REHAB_GROUP, title="Ryhmä", note="Muistiin")
    grant = IncomeSupportGrant.objects.create(
        plan=plan,
        kind=IncomeSupportGrant.Kind.PREVENTIVE,
        amount=Decimal("40.00"),
        period_from=today,
        period_to=today,
        purpose=IncomeSupportGrant.Purpose.EXERCISE_PASS,
        purpose_text="Uimahalli",
        decided_on=today,
    )
    source = ServiceUseImport.objects.create(
        organization=unit_a.organization, source_name="ote.csv", source_sha256="0" * 64, imported_by=staff
    )
    service_use = ServiceUse.objects.create(
        organization=unit_a.organization,
        client=client,
        month=today.replace(day=1),
        visit_type="nurse",
        count=2,
        source=source,
    )
    link = FeedbackLink.objects.create(
        kind=FeedbackLink.Kind.SINGLE,
        about=FeedbackLink.About.PATHWAY,
        pathway=pathway,
        organization=unit_a.organization,
        expires_at=timezone.now() + dt.timedelta(days=30),
    )
    receipt = FeedbackReceipt.objects.create(link=link, nonce="")
    objects: dict[str, list[Any]] = {
        "referrals.referral": [referral],
        "referrals.consent": [consent],
        "referrals.referralevent": [event],
        "pathways.pathway": [pathway],
        "pathways.goal": [goal],
        "pathways.contact": [contact],
        "pathways.measurement": [measurement],
        "pathways.outcome": [outcome],
        "pathways.pathwayevent": [pathway_event],
        "pathways.selfreferral": [self_referral],
        "attendance.pass": [pass_card],
        "attendance.visit": [visit],
        "attendance.reward": [reward],
        "buddies.pairing": [pairing],
        "buddies.buddymeeting": [buddy_meeting],
        "plans.clientplan": [plan],
        "plans.activitysection": [section],
        "plans.agreedstep": [step],
        "plans.planitem": [item],
        "plans.incomesupportgrant": [grant],
        "reporting.serviceuse": [service_use],
        "feedback.feedbacklink": [link],
        "feedback.feedbackreceipt": [receipt],
    }
    return Records(client=client, objects=objects)


@pytest.fixture
def ilmatar(unit_a: Unit, health_centre: Unit) -> Records:
    return make_client_records(unit_a, health_centre)


@pytest.fixture
def other(unit_a: Unit, health_centre: Unit) -> Client:
    client = client_record(UserFactory(), ClientData(first_name="Matti", last_name="Muu"))
    _referral(client, UserFactory(), health_centre, unit_a, reason="Muu syy")
    return client


def age(records: Records, *, years: int = 13) -> None:
    """Everything of the client ended ``years`` ago: referral completed, pathway and plan closed, pass
    expired, pairing ended, feedback link expired, service use of that month, and the client row
    not updated since."""
    then = timezone.now() - dt.timedelta(days=365 * years + 5)
    day = timezone.localdate(then)
    client = records.client
    Referral.objects.filter(client=client).update(
        status=Referral.Status.COMPLETED,
        sent_at=then,
        received_at=then,
        accepted_at=then,
        first_contact_at=then,
        closed_at=then,
        updated_at=then,
    )
    Pathway.objects.filter(client=client).update(status=Pathway.Status.CLOSED, closed_on=day, enrolled_on=day)
    ClientPlan.objects.filter(client=client).update(status=ClientPlan.Status.CLOSED, closed_on=day)
    Pass.objects.filter(client=client).update(issued_on=day, valid_until=day)
    Pairing.objects.filter(client=client).update(starts_on=day, ends_on=day)
    SelfReferral.objects.filter(pathway__client=client).update(created_at=then)
    FeedbackLink.objects.filter(pathway__client=client).update(expires_at=then)
    ServiceUse.objects.filter(client=client).update(month=day.replace(day=1))
    Client.objects.filter(pk=client.pk).update(updated_at=then)
