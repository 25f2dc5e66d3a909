"""The world of the access matrix: one object of each kind owned by organization A / unit A, and the
personas who try to reach them.

Organization A has unit A (a receiving team whose workers also send referrals onward) and unit B (it
receives unit A's referral). Organization B has unit X, where ``other_org`` holds every role that would
give access in A (professional, receiver, coordinator, unit administrator, data protection officer,
editor, front desk): so a 404 for her shows that the scoping is by organization and unit, not by role.

Built once per test module (``security_world`` in ``conftest.py``) inside a transaction that is rolled
back at the end; each test runs in a savepoint of it (pytest-django's ``db``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from hyte.accounts.models import Membership, Unit, UnitRole
from hyte.attendance import services as attendance
from hyte.attendance.models import Meeting, Pass, PassProgramme, Reward, Visit
from hyte.buddies import services as buddies
from hyte.buddies.models import Buddy, BuddyMeeting, Pairing
from hyte.catalog.models import DuplicateCandidate, Organization, Service
from hyte.feedback import services as feedback
from hyte.feedback.models import FeedbackLink
from hyte.pathways import services as pathways
from hyte.pathways.models import Goal, Pathway, SelfReferral
from hyte.plans import services as plans
from hyte.plans.models import AgreedStep, ClientPlan, PlanItem
from hyte.referrals.models import Consent, Referral
from hyte.referrals.services import ClientData, ConsentData, referral_create
from hyte.reporting import services as reporting
from hyte.reporting.models import ProgrammeCost
from tests.accounts.factories import MembershipFactory, UnitFactory, UnitRoleFactory, UserFactory
from tests.catalog.factories import OrganizationFactory, ServiceFactory

# The personas, in the order of the matrix's columns.
ANONYMOUS = "anonymous"
PRO_A = "pro_a"  # professional and receiver in unit A: sends referrals, works client pathways
COLLEAGUE_A = "colleague_a"  # the same roles in the same unit
RECEIVER_B = "receiver_b"  # receiver in unit B of organization A: receives unit A's referral
COORDINATOR = "coordinator"  # coordinator in unit A: figures and reports only
UNIT_ADMIN = "unit_admin"  # unit administrator of unit A: buddies, capacity; no clients
DPO = "dpo"  # data protection officer in unit A: the personal data log
EDITOR = "editor"  # service editor (Membership) of organization A: the tray
FRONT_DESK = "front_desk"  # front desk (Membership) of organization A: check-in and groups
PLATFORM_ADMIN = "platform_admin"  # superuser: the admin, platform-wide imports; no clients
BUDDY = "buddy"  # the peer buddy of the pairing: her own pairings and meetings only
OTHER_ORG = "other_org"  # every unit role and the editor membership, but in organization B

PERSONAS = (
    ANONYMOUS,
    PRO_A,
    COLLEAGUE_A,
    RECEIVER_B,
    COORDINATOR,
    UNIT_ADMIN,
    DPO,
    EDITOR,
    FRONT_DESK,
    PLATFORM_ADMIN,
    BUDDY,
    OTHER_ORG,
)


@dataclass
class World:
    org_a: Organization
    org_b: Organization
    unit_a: Unit
    unit_b: Unit
    unit_x: Unit
    service: Service
    other_service: Service
    referral: Referral
    pathway: Pathway
    closed_pathway: Pathway
    goal: Goal
    self_referral: SelfReferral
    pass_card: Pass
    visit: Visit
    reward: Reward
    meeting: Meeting
    buddy: Buddy
    pairing: Pairing
    buddy_meeting: BuddyMeeting
    plan: ClientPlan
    step: AgreedStep
    item: PlanItem
    feedback_link: FeedbackLink
    cost: ProgrammeCost
    candidate: DuplicateCandidate
    users: dict[str, AbstractUser] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)  # persona -> session key


def _session(user: AbstractUser) -> str:
    """A verified two-factor session (as ``tests.conftest._login``), kept by its key: each test makes a
    new ``Client`` with this cookie, so a test that logs out or rotates its session cannot leak."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    device, _ = TOTPDevice.objects.get_or_create(user=user, confirmed=True, defaults={"name": "test"})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return str(client.cookies[settings.SESSION_COOKIE_NAME].value)


def _user(username: str, **extra: Any) -> AbstractUser:
    user: AbstractUser = UserFactory(username=username, **extra)
    return user


def build_world() -> World:
    today = timezone.localdate()
    org_a = OrganizationFactory(name_fi="Kokkolan kaupunki", org_type=Organization.Type.MUNICIPALITY)
    org_b = OrganizationFactory(name_fi="Kannuksen kaupunki", org_type=Organization.Type.MUNICIPALITY)
    unit_a = UnitFactory(
        organization=org_a,
        name_fi="Kokkolan liikuntaneuvonta",
        kind=Unit.Kind.EXERCISE_COUNSELLING,
        receives_referrals=True,
        receives_self_referrals=True,
    )
    unit_b = UnitFactory(organization=org_a, name_fi="Kokkolan linkkityö", receives_referrals=True)
    unit_x = UnitFactory(
        organization=org_b,
        name_fi="Kannuksen liikuntaneuvonta",
        kind=Unit.Kind.EXERCISE_COUNSELLING,
        receives_referrals=True,
    )
    users: dict[str, AbstractUser] = {}

    def unit_user(name: str, unit: Unit, *roles: str) -> AbstractUser:
        user = _user(name)
        for role in roles:
            UnitRoleFactory(user=user, unit=unit, role=role)
        users[name] = user
        return user

    def member(name: str, org: Organization, role: str) -> AbstractUser:
        user = MembershipFactory(organization=org, role=role, user__username=name).user
        users[name] = user
        return user

    worker = (UnitRole.Role.PROFESSIONAL, UnitRole.Role.RECEIVER)
    pro_a = unit_user(PRO_A, unit_a, *worker)
    unit_user(COLLEAGUE_A, unit_a, *worker)
    unit_user(RECEIVER_B, unit_b, UnitRole.Role.RECEIVER)
    coordinator = unit_user(COORDINATOR, unit_a, UnitRole.Role.COORDINATOR)
    unit_user(UNIT_ADMIN, unit_a, UnitRole.Role.UNIT_ADMIN)
    unit_user(DPO, unit_a, UnitRole.Role.DATA_PROTECTION_OFFICER)
    member(EDITOR, org_a, Membership.Role.EDITOR)
    desk = member(FRONT_DESK, org_a, Membership.Role.FRONT_DESK)
    users[PLATFORM_ADMIN] = _user(PLATFORM_ADMIN, is_superuser=True)
    other = unit_user(OTHER_ORG, unit_x, *UnitRole.Role.values)
    # One membership per organization: the editor's, which also marks visits and records groups.
    MembershipFactory(organization=org_b, role=Membership.Role.EDITOR, user=other)

    service = ServiceFactory(organization=org_a, name_fi="Uimahalli", index=False)
    other_service = ServiceFactory(organization=org_a, name_fi="Uimahalli Kokkola", index=False)
    ServiceFactory(organization=org_b, name_fi="Kannuksen uimahalli", index=False)
    PassProgramme.objects.get(code="liiku").services.set([service])

    referral = referral_create(
        actor=pro_a,
        referring_unit_id=unit_a.pk,
        receiving_unit_id=unit_b.pk,
        kind=Referral.Kind.EXERCISE,
        client=ClientData(first_name="Maija", last_name="Meikäläinen", personal_identity_code="131052-308T"),
        reason="Liikkuu vähän.",
        consent=ConsentData(
            given_by=Consent.GivenBy.CLIENT, method=Consent.Method.VERBAL, scope=Consent.Scope.REFERRAL
        ),
    )

    def enrol(last_name: str) -> Pathway:
        return pathways.pathway_enrol(
            actor=pro_a,
            data=pathways.Enrolment(
                programme="exercise_counselling",
                unit_id=unit_a.pk,
                origin=Pathway.Origin.OTHER,
                client=ClientData(first_name="Ville", last_name=last_name, phone="+358401112223"),
                enrolled_on=today - timedelta(days=30),
            ),
        )

    pathway = enrol("Virtanen")
    goal = pathways.goal_add(
        actor=pro_a, pathway_id=pathway.pk, version=None, text="Kävely kolmesti viikossa"
    )
    closed = pathways.pathway_close(
        actor=pro_a, pathway_id=enrol("Suljettu").pk, version=None, reason=Pathway.ClosureReason.GOALS_MET
    )
    link = feedback.link_for_pathway(actor=pro_a, pathway_id=closed.pk)
    self_referral = pathways.self_referral_submit(
        data=pathways.SelfReferralData(
            unit_id=unit_a.pk, name="Liisa Liikkuja", message="Haluaisin aloittaa.", phone="+358401234567"
        ),
        source="192.0.2.10",
    )

    card = attendance.pass_issue(
        actor=pro_a, data=attendance.PassIssue(programme="liiku", unit_id=unit_a.pk, pathway_id=pathway.pk)
    )
    visit = attendance.visit_self_report(token=card.token, service_id=service.pk, key="k-security", on=today)
    reward = Reward.objects.create(pass_card=card, number=1, text="Kaksi elokuvalippua")
    meeting = attendance.meeting_record(
        actor=desk, service_id=service.pk, starts_at=timezone.now() - timedelta(days=1), head_count=12
    )

    buddy, _ = buddies.buddy_register(
        actor=pro_a,
        data=buddies.BuddyData(
            name="Aino",
            kind=Buddy.Kind.STUDENT,
            unit_id=unit_a.pk,
            languages=["fi"],
            municipality="272",
            interests=["liikunta"],
            training_completed_on=today - timedelta(days=30),
        ),
        username=BUDDY,
    )
    users[BUDDY] = buddy.user
    pairing = buddies.pairing_create(
        actor=pro_a,
        data=buddies.PairingData(
            buddy_id=buddy.pk,
            pathway_id=pathway.pk,
            starts_on=today - timedelta(days=10),
            ends_on=today + timedelta(days=60),
            shared_phone="+358 40 765 4321",
            consent_given_by=Consent.GivenBy.CLIENT,
            consent_method=Consent.Method.VERBAL,
        ),
    )
    buddy_meeting = buddies.meeting_record(
        actor=buddy.user,
        pairing_id=pairing.pk,
        data=buddies.MeetingData(on=today - timedelta(days=1), activity=BuddyMeeting.Activity.WALK),
    )

    plan = plans.plan_create(
        actor=pro_a,
        unit_id=unit_a.pk,
        assessed_on=today - timedelta(days=10),
        client=ClientData(first_name="Sanna", last_name="Planqvist"),
    )
    step = plans.step_add(actor=pro_a, plan_id=plan.pk, version=None, text="Kokeile vesijumppaa")
    item = plans.item_add(
        actor=pro_a, plan_id=plan.pk, version=None, kind=PlanItem.Kind.SERVICE, service_id=service.pk
    )

    cost = reporting.programme_cost_add(
        actor=coordinator,
        organization_id=org_a.pk,
        programme="exercise_counselling",
        starts_on=today - timedelta(days=365),
        ends_on=today,
        amount=Decimal("12000"),
    )
    candidate = DuplicateCandidate.objects.create(
        organization=org_a,
        first=service,
        second=other_service,
        similarity=0.9,
        found_by=DuplicateCandidate.FoundBy.values[0],
    )

    world = World(
        org_a=org_a,
        org_b=org_b,
        unit_a=unit_a,
        unit_b=unit_b,
        unit_x=unit_x,
        service=service,
        other_service=other_service,
        referral=referral,
        pathway=pathway,
        closed_pathway=closed,
        goal=goal,
        self_referral=self_referral,
        pass_card=card,
        visit=visit,
        reward=reward,
        meeting=meeting,
        buddy=buddy,
        pairing=pairing,
        buddy_meeting=buddy_meeting,
        plan=plan,
        step=step,
        item=item,
        feedback_link=link,
        cost=cost,
        candidate=candidate,
        users=users,
    )
    world.sessions = {name: _session(user) for name, user in users.items()}
    return world
