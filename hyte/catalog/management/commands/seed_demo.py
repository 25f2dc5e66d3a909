"""python manage.py seed_demo: the Keski-Pohjanmaa demo tray and demo logins (idempotent)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from hyte.accounts.models import Membership, Unit, UnitRole
from hyte.attendance.models import PassProgramme
from hyte.buddies.demo import seed_buddies
from hyte.catalog.demo.capacity import seed_capacity
from hyte.catalog.demo.freshness import seed_freshness
from hyte.catalog.demo.loader import load_demo
from hyte.catalog.models import Organization, Service
from hyte.feedback.demo import seed_feedback
from hyte.plans.demo import seed_plans
from hyte.reporting.demo import seed_activity

DEMO_PASSWORD = "hyte-demo-2026"  # noqa: S105 - printed for the demo; never used outside seed_demo
DEMO_USERS = [
    # username, organization external id, role, superuser
    ("admin", None, None, True),
    ("soite.editor", "demo:soite", Membership.Role.EDITOR, False),
    ("kokkola.editor", "demo:kunta-272", Membership.Role.EDITOR, False),
    ("kokkola.kassa", "demo:kunta-272", Membership.Role.FRONT_DESK, False),
]
# Units of the referral chain and pathways in the demo county (and one of Kokkola, whose coordinator
# sees the city's group statistics), and who works where:
# (organization external id; unit name fi, sv, en; kind; receives referrals; takes contact requests;
# [(username, role)])
DEMO_UNITS = [
    (
        "demo:soite",
        ("Kokkolan terveysasema", "Karleby hälsostation", "Kokkola health centre"),
        Unit.Kind.COUNTY_UNIT,
        False,
        False,
        [("soite.hoitaja", UnitRole.Role.PROFESSIONAL), ("soite.koordinaattori", UnitRole.Role.COORDINATOR)],
    ),
    (
        "demo:soite",
        ("Kokkolan liikuntaneuvonta", "Karleby motionsrådgivning", "Kokkola exercise counselling"),
        Unit.Kind.EXERCISE_COUNSELLING,
        True,
        True,
        [("kokkola.liikuntaneuvoja", UnitRole.Role.RECEIVER)],
    ),
    (
        "demo:soite",
        ("Soiten linkkityö", "Soites länkarbete", "Soite link workers"),
        Unit.Kind.LINK_WORKERS,
        True,
        True,
        [("soite.linkkityontekija", UnitRole.Role.RECEIVER)],
    ),
    (
        "demo:soite",
        ("Soiten IPS-työhönvalmennus", "Soites IPS-arbetsträning", "Soite IPS employment coaching"),
        Unit.Kind.OTHER,
        True,
        False,
        [("soite.ips", UnitRole.Role.RECEIVER), ("soite.tietosuoja", UnitRole.Role.DATA_PROTECTION_OFFICER)],
    ),
    (
        "demo:kunta-272",
        ("Kokkolan vapaa-aikapalvelut", "Karlebys fritidstjänster", "Kokkola leisure services"),
        Unit.Kind.OTHER,
        False,
        False,
        [("kokkola.koordinaattori", UnitRole.Role.COORDINATOR)],
    ),
]


class Command(BaseCommand):
    help = "Load the Keski-Pohjanmaa demo service tray and create demo logins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-users", action="store_true", help="Load only the services.")
        parser.add_argument(
            "--no-activity",
            action="store_true",
            help="Do not create the demo clients, referrals, pathways, passes and group meetings.",
        )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        counts = load_demo()
        self.stdout.write(
            f"Demo tray: {counts['services']} services, {counts['organizations']} organizations, "
            f"{counts['locations']} locations."
        )
        if options["no_users"]:
            return
        User = get_user_model()
        self.stdout.write(
            "Demo logins: log in at http://127.0.0.1:8000/kirjaudu/ (password, then set up an authenticator "
            "app on first login: two-factor login is mandatory for staff); the admin is at /admin/:"
        )
        for username, org_ext, role, superuser in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username)
            user.is_staff = True
            user.is_superuser = superuser
            user.set_password(DEMO_PASSWORD)
            if role == Membership.Role.EDITOR:  # freshness reminders go to editors (console mail in the demo)
                user.email = f"{username}@demo.invalid"
            user.save()
            where = "all organizations (platform admin)"
            if org_ext:
                org = Organization.objects.get(external_id=org_ext)
                Membership.objects.update_or_create(
                    user=user, organization=org, defaults={"role": role or ""}
                )
                where = org.name
            self.stdout.write(f"  {username} / {DEMO_PASSWORD}  – {where}")
        for org_ext, (fi, sv, en), kind, receives, contact_requests, people in DEMO_UNITS:
            unit, _ = Unit.objects.update_or_create(
                organization=Organization.objects.get(external_id=org_ext),
                name_fi=fi,
                defaults={
                    "name": fi,
                    "name_sv": sv,
                    "name_en": en,
                    "kind": kind,
                    "receives_referrals": receives,
                    "receives_self_referrals": contact_requests,
                },
            )
            for username, unit_role in people:
                user, _ = User.objects.get_or_create(username=username)
                user.is_staff = True
                user.set_password(DEMO_PASSWORD)
                user.save()
                UnitRole.objects.get_or_create(user=user, unit=unit, role=unit_role)
                label = UnitRole.Role(unit_role).label
                self.stdout.write(f"  {username} / {DEMO_PASSWORD}  – {fi}: {label}")
        # The LiiKu pass covers Kokkola's own exercise and culture services in the demo.
        covered = Service.objects.filter(
            organization__external_id="demo:kunta-272", themes__slug__in=["liikunta", "kulttuuri"]
        ).distinct()
        PassProgramme.objects.get(code="liiku").services.set(covered)
        self.stdout.write(
            f"The LiiKu pass covers {covered.count()} services of Kokkola (kokkola.kassa marks visits)."
        )
        if not options["no_activity"]:
            seed_activity(self.stdout)
            seed_feedback(self.stdout)
            seed_plans(self.stdout, DEMO_PASSWORD)
            seed_freshness(self.stdout)
        seed_buddies(self.stdout, DEMO_PASSWORD)
        seed_capacity(self.stdout)  # after the demo referrals: a full receiver would need confirming
