"""Fuzzing the API against its own OpenAPI schema (schemathesis, in-process, no network).

Every operation of ``/api/schema/`` is called as each role (anonymous, professional, receiver,
coordinator, unit admin, data protection officer, service editor, front desk, platform admin) with
generated requests, valid and invalid. Each response must not be a server error, must have a status
code the schema documents for the operation, the documented content type and a body that conforms to
the documented schema. Path parameters are, half of the time, ids of real seeded objects (referrals,
pathways, passes, plans, buddies, services …) so that the handlers behind the 404 run too.

Deterministic: a fixed seed, derandomized Hypothesis, no example database; a bounded number of
examples per operation and role. The seed is written once per module inside a transaction that is
rolled back at the end; each test runs in its own savepoint (pytest-django), so writes made by the
fuzzer never leak into other tests.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from django.core.cache import caches
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.utils import timezone
from hypothesis import strategies as st
from oauth2_provider.models import AccessToken, Application
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from hyte.accounts.models import Membership, Unit, UnitRole
from hyte.accounts.services import api_client_create
from hyte.attendance import services as attendance_services
from hyte.attendance.models import PassProgramme, Reward
from hyte.attendance.programmes import load_pass_programmes
from hyte.buddies import services as buddy_services
from hyte.buddies.models import Buddy, BuddyMeeting
from hyte.catalog import models as catalog_models
from hyte.catalog.models import Organization
from hyte.pathways import services as pathway_services
from hyte.pathways.models import Pathway, Programme
from hyte.pathways.programmes import load_programmes
from hyte.plans import services as plan_services
from hyte.referrals.models import Consent, Referral
from hyte.referrals.services import ClientData, ConsentData, referral_create, referral_transition
from hyte.reporting.registry import REPORTS
from tests.accounts.factories import MembershipFactory, UnitFactory, UnitRoleFactory, UserFactory
from tests.catalog.factories import LocationFactory, OrganizationFactory, ServiceFactory
from tests.conftest import _login, load_codelists

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
ROLES = (
    "anonymous",
    "professional",
    "receiver",
    "coordinator",
    "unit_admin",
    "dpo",
    "editor",
    "front_desk",
    "platform_admin",
    "api_client",  # an EHR with an OAuth 2.0 access token (FHIR scopes), no session
)
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20261123,
        "suppress-health-check": ["all"],
        "generation": {
            "mode": "all",  # valid and invalid requests
            "max-examples": 6,
            "deterministic": True,
            "database": "none",
            "with-security-parameters": False,  # the session cookie is ours, not generated
        },
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": False},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        },
    }
)

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application(), config=CONFIG)

# Path parameters of real objects, filled in by the seed: path template -> list of parameter dicts.
REAL: dict[str, list[dict[str, str]]] = {}


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> st.SearchStrategy:
    """Half of the time, the ids of seeded objects instead of generated strings."""
    path = context.operation.path

    def real(i: int) -> dict[str, Any]:
        options = REAL.get(path)
        return {**path_parameters, **options[i % len(options)]} if options else path_parameters

    return st.one_of(st.just(path_parameters), st.integers(min_value=0, max_value=50).map(real))


def _seed() -> dict[str, Any]:
    """Units, people in every role and one of each kind of object the API serves."""
    if not catalog_models.Theme.objects.exists():
        load_codelists()
    if not Programme.objects.exists():
        load_programmes(Programme)
    if not PassProgramme.objects.exists():
        load_pass_programmes(PassProgramme)
    today = timezone.localdate()
    provider = OrganizationFactory(name_fi="Kokkolan kaupunki", org_type=Organization.Type.MUNICIPALITY)
    hall = LocationFactory(organization=provider, name_fi="Uimahalli")
    swimming = ServiceFactory(organization=provider, name_fi="Uinti", at=[hall], themes=["liikunta"])
    museum = ServiceFactory(organization=provider, name_fi="Museo", index=False)
    liiku = PassProgramme.objects.get(code="liiku")
    liiku.services.set([swimming, museum])

    unit_a = UnitFactory(name_fi="Kokkolan terveysasema")
    unit_c = UnitFactory(
        name_fi="Kokkolan liikuntaneuvonta",
        kind=Unit.Kind.EXERCISE_COUNSELLING,
        receives_referrals=True,
        receives_self_referrals=True,
    )

    def role(unit: Unit, role: str, username: str) -> Any:
        return UnitRoleFactory(unit=unit, role=role, user__username=username).user

    users = {
        "professional": role(unit_a, UnitRole.Role.PROFESSIONAL, "pro_a"),
        "receiver": role(unit_c, UnitRole.Role.RECEIVER, "counsellor_c"),
        "coordinator": role(unit_a, UnitRole.Role.COORDINATOR, "coordinator"),
        "unit_admin": role(unit_c, UnitRole.Role.UNIT_ADMIN, "admin_c"),
        "dpo": role(unit_a, UnitRole.Role.DATA_PROTECTION_OFFICER, "dpo"),
        "editor": MembershipFactory(organization=provider, user__username="editor").user,
        "front_desk": MembershipFactory(
            organization=provider, role=Membership.Role.FRONT_DESK, user__username="desk"
        ).user,
        "platform_admin": UserFactory(username="platform_admin", is_superuser=True),
    }
    pro, counsellor, desk = users["professional"], users["receiver"], users["front_desk"]

    def client(first: str) -> ClientData:
        return ClientData(first_name=first, last_name="Meikäläinen", personal_identity_code="131052-308T")

    consent = ConsentData(
        given_by=Consent.GivenBy.CLIENT, method=Consent.Method.VERBAL, scope=Consent.Scope.REFERRAL
    )
    referrals = []
    for name, actions in (("Maija", ("receive", "accept")), ("Matti", ())):
        referral = referral_create(
            actor=pro,
            referring_unit_id=unit_a.pk,
            receiving_unit_id=unit_c.pk,
            kind=Referral.Kind.EXERCISE,
            client=client(name),
            reason="Liikkuu vähän.",
            consent=consent,
        )
        for action in actions:
            referral = referral_transition(actor=counsellor, referral_id=referral.pk, action=action)
        referrals.append(referral)

    pathway = pathway_services.pathway_enrol(
        actor=counsellor,
        data=pathway_services.Enrolment(
            programme="exercise_counselling",
            unit_id=unit_c.pk,
            origin=Pathway.Origin.OTHER,
            client=ClientData(first_name="Ville", last_name="Virtanen", phone="+358401112223"),
        ),
    )
    goal = pathway_services.goal_add(
        actor=counsellor, pathway_id=pathway.pk, version=None, text="Kävelee joka päivä."
    )
    self_referral = pathway_services.self_referral_submit(
        data=pathway_services.SelfReferralData(
            unit_id=unit_c.pk, name="Liisa", message="Haluan liikkua.", phone="+358401112224"
        ),
        source="web",
    )

    card = attendance_services.pass_issue(
        actor=counsellor,
        data=attendance_services.PassIssue(
            programme="liiku", unit_id=unit_c.pk, pathway_id=pathway.pk, issued_on=today - timedelta(days=40)
        ),
    )
    # 16 marks at the desk, four self-reports it confirms (the 20th visit earns a reward) and one
    # self-report waiting for confirmation.
    marks = [
        attendance_services.visit_mark(
            actor=desk,
            token=card.token,
            service_id=service.pk,
            key=f"seed-visit-{n}-{service.pk}",
            on=today - timedelta(days=n),
        )
        for n in range(8)
        for service in (swimming, museum)
    ]
    for n in range(8, 13):
        visit = attendance_services.visit_self_report(
            token=card.token,
            service_id=swimming.pk,
            key=f"seed-self-report-{n}",
            on=today - timedelta(days=n),
        )
        if n < 12:
            attendance_services.visit_confirm(actor=desk, visit_id=visit.pk)
    unconfirmed = visit
    rewards = list(Reward.objects.filter(pass_card=card))
    assert rewards, "the seed's pass should have earned a reward"

    plan = plan_services.plan_create(
        actor=pro,
        unit_id=unit_a.pk,
        assessed_on=today - timedelta(days=10),
        client=ClientData(first_name="Sanna", last_name="Sosiaali"),
    )
    step = plan_services.step_add(actor=pro, plan_id=plan.pk, version=None, text="Uimaan kerran viikossa.")
    item = plan_services.item_add(
        actor=pro, plan_id=plan.pk, version=None, kind="service", service_id=swimming.pk
    )

    buddy, _ = buddy_services.buddy_register(
        actor=counsellor,
        data=buddy_services.BuddyData(
            name="Aino",
            kind=Buddy.Kind.STUDENT,
            unit_id=unit_c.pk,
            languages=["fi"],
            municipality="272",
            interests=["liikunta"],
            training_completed_on=today - timedelta(days=30),
        ),
        username="kamu.aino",
    )
    pairing = buddy_services.pairing_create(
        actor=counsellor,
        data=buddy_services.PairingData(
            buddy_id=buddy.pk,
            pathway_id=pathway.pk,
            starts_on=today - timedelta(days=7),
            ends_on=today + timedelta(days=60),
            consent_given_by=Consent.GivenBy.CLIENT,
            consent_method=Consent.Method.VERBAL,
            shared_phone="+358401112223",
        ),
    )
    meeting = buddy_services.meeting_record(
        actor=buddy.user,
        pairing_id=pairing.pk,
        data=buddy_services.MeetingData(on=today - timedelta(days=1), activity=BuddyMeeting.Activity.WALK),
    )

    credentials = api_client_create(name="Apotti Kokkola", unit_ids=[unit_a.pk])
    application = Application.objects.get(client_id=credentials.client_id)
    access = AccessToken.objects.create(
        user=application.user,
        application=application,
        token=secrets.token_urlsafe(32),
        expires=timezone.now() + timedelta(days=1),  # the whole module, however slow the machine
        scope="referrals:write referrals:read",
    )
    users["api_client"] = access

    def ids(*objects: Any, name: str = "id") -> list[dict[str, str]]:
        return [{name: str(o.pk)} for o in objects]

    services = [swimming, museum]
    REAL.update(
        {
            "/api/v1/services/{id}/": ids(*services),
            "/api/v1/organizations/{id}/": ids(provider),
            "/hsds/services/{id}": ids(*services),
            "/hsds/organizations/{id}": ids(provider),
            "/hsds/service_at_locations/{id}": ids(*swimming.service_at_locations.all()),
            "/hsds/taxonomy_terms/{id}": ids(*catalog_models.Theme.objects.all()[:3]),
            "/api/v1/referrals/{id}/": ids(*referrals),
            "/api/v1/referrals/{id}/transitions/": ids(*referrals),
            "/api/v1/referrals/{id}/appointment/": ids(*referrals),
            "/api/v1/referrals/{id}/consent-withdrawal/": ids(*referrals),
            "/api/v1/fhir/ServiceRequest/{id}": ids(*referrals),
            "/api/v1/pathways/{id}/goals/{goal_id}/": [{"id": str(pathway.pk), "goal_id": str(goal.pk)}],
            "/api/v1/self-referrals/{id}/triage/": ids(self_referral),
            "/api/v1/self-referrals/{id}/enrol/": ids(self_referral),
            "/api/v1/self-referrals/{id}/refer/": ids(self_referral),
            "/api/v1/self-referrals/{id}/close/": ids(self_referral),
            "/api/v1/pass/{token}/": [{"token": card.token}],
            "/api/v1/pass/{token}/visits/": [{"token": card.token}],
            "/api/v1/passes/{id}/withdraw/": ids(card),
            "/api/v1/visits/{id}/confirm/": ids(unconfirmed, marks[0].visit),
            "/api/v1/rewards/{id}/hand-out/": ids(*rewards),
            "/api/v1/plans/{id}/steps/{step_id}/": [{"id": str(plan.pk), "step_id": str(step.pk)}],
            "/api/v1/plans/{id}/items/{item_id}/": [{"id": str(plan.pk), "item_id": str(item.pk)}],
            "/api/v1/reports/{key}/": [{"key": spec.key} for spec in REPORTS],
            "/api/v1/buddies/{id}/": ids(buddy),
            "/api/v1/buddies/{id}/deactivate/": ids(buddy),
            "/api/v1/buddies/pairings/{id}/": ids(pairing),
            "/api/v1/buddies/pairings/{id}/end/": ids(pairing),
            "/api/v1/buddies/mine/{id}/meetings/": ids(pairing),
            "/api/v1/buddies/meetings/{id}/": ids(meeting),
        }
    )
    for suffix in ("", "extend/", "close/", "goals/", "contacts/", "measurements/", "outcomes/"):
        REAL[f"/api/v1/pathways/{{id}}/{suffix}"] = ids(pathway)
    for suffix in ("", "status/", "activity/", "steps/", "items/", "grants/"):
        REAL[f"/api/v1/plans/{{id}}/{suffix}"] = ids(plan)
    return users


@pytest.fixture(scope="module")
def credentials(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, dict[str, str]]]:
    """The seed, written once for the module and rolled back after it; per role a logged-in (two-factor
    verified) session cookie and a CSRF token, or the API client's access token."""
    # As Django's test client does: a request must not close the connection, which holds the open
    # transaction (on PostgreSQL, close_old_connections closes it when autocommit is off).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            users = _seed()
            cookies: dict[str, dict[str, str]] = {"anonymous": {}}
            for name, user in users.items():
                if isinstance(user, AccessToken):
                    cookies[name] = {"bearer": user.token}
                    continue
                session = _login(user).client.cookies["sessionid"].value
                cookies[name] = {"sessionid": session, "csrftoken": secrets.token_hex(16)}
            yield cookies
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            REAL.clear()
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _fresh_throttles() -> None:
    """The holder's views are throttled in the default cache; rate limits in their own."""
    caches["default"].clear()
    caches["ratelimit"].clear()


@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
def test_api_conforms_to_its_schema(
    case: Any, role: str, credentials: dict[str, dict[str, str]], db: None
) -> None:
    mine = credentials[role]
    if "bearer" in mine:
        case.call_and_validate(headers={"Authorization": f"Bearer {mine['bearer']}"}, checks=CHECKS)
        return
    headers = {"X-CSRFToken": mine["csrftoken"]} if mine else {}
    case.call_and_validate(cookies=mine, headers=headers, checks=CHECKS)
