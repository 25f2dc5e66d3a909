"""Demo client plans (run by ``manage.py seed_demo``): the adult social work unit of Kokkola with a demo
social worker, and client plans with physical activity and participation, services from the demo tray,
a social rehabilitation group and income support grants, so that the plan pages, the printable plan (one
client speaks Swedish) and the coordinators' plans report show something after ``make run``.

Everything goes through ``hyte.plans.services`` (validation, the personal data log, the audit trail).
Idempotent: when the unit already has plans, nothing is done. Names are fictional ("Demo Asiakas P1"
speaks Swedish), no henkilötunnus."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Protocol

from django.contrib.auth import get_user_model
from django.utils import timezone

from hyte.accounts.models import Unit, UnitRole
from hyte.catalog.models import Organization, Service
from hyte.plans import services
from hyte.plans.models import ClientPlan, IncomeSupportGrant, PlanItem
from hyte.referrals.services import ClientData

ORGANIZATION = "demo:soite"
UNIT_NAMES = ("Kokkolan aikuissosiaalityö", "Karleby vuxensocialarbete", "Kokkola adult social work")
USERNAME = "soite.sosiaalityontekija"

# first name, last name, language, days since the assessment, grants [(kind, purpose, euros)]
CLIENTS = [
    ("Demo", "Asiakas P1", "sv", 20, [("supplementary", "exercise_pass", "45.00")]),
    ("Demo", "Asiakas P2", "fi", 60, [("supplementary", "exercise_pass", "45.00")]),
    ("Demo", "Asiakas P3", "fi", 90, [("preventive", "course_fee", "30.00")]),
    ("Demo", "Asiakas P4", "fi", 120, [("supplementary", "exercise_pass", "45.00")]),
    ("Demo", "Asiakas P5", "fi", 150, [("supplementary", "equipment", "60.00")]),
    ("Demo", "Asiakas P6", "fi", 200, [("supplementary", "exercise_pass", "45.00")]),
    ("Demo", "Asiakas P7", "fi", 240, [("preventive", "culture_ticket", "20.00")]),
    ("Demo", "Asiakas P8", "en", 30, []),
]


class Writer(Protocol):
    def write(self, msg: str, /) -> Any: ...


def _services() -> list[Service]:
    """A Kokkola exercise service and a culture service of the demo tray (active ones)."""
    chosen = []
    for theme in ("liikunta", "kulttuuri"):
        service = (
            Service.objects.filter(
                status=Service.Status.ACTIVE,
                organization__external_id="demo:kunta-272",
                themes__slug=theme,
                schedules__isnull=False,
            )
            .order_by("name_fi")
            .first()
            or Service.objects.filter(status=Service.Status.ACTIVE, themes__slug=theme)
            .order_by("name_fi")
            .first()
        )
        if service is not None:
            chosen.append(service)
    return chosen


def seed_plans(stdout: Writer, password: str) -> None:
    organization = Organization.objects.filter(external_id=ORGANIZATION).first()
    if organization is None:
        return
    fi, sv, en = UNIT_NAMES
    unit, _ = Unit.objects.update_or_create(
        organization=organization,
        name_fi=fi,
        defaults={"name": fi, "name_sv": sv, "name_en": en, "kind": Unit.Kind.COUNTY_UNIT},
    )
    user, _ = get_user_model().objects.get_or_create(username=USERNAME)
    user.is_staff = True
    user.set_password(password)
    user.save()
    UnitRole.objects.get_or_create(user=user, unit=unit, role=UnitRole.Role.PROFESSIONAL)
    stdout.write(f"  {USERNAME} / {password}  – {fi}: {UnitRole.Role.PROFESSIONAL.label}")
    if ClientPlan.objects.filter(unit=unit).exists():
        return
    today = timezone.localdate()
    tray = _services()
    for first, last, language, days, grants in CLIENTS:
        plan = services.plan_create(
            actor=user,
            unit_id=unit.pk,
            client=ClientData(first_name=first, last_name=last, preferred_language=language),
            assessed_on=today - timedelta(days=days),
            plan_made_on=today - timedelta(days=days - 7),
            review_by=today + timedelta(days=30),
        )
        services.activity_save(
            actor=user,
            plan_id=plan.pk,
            version=None,
            activity_level="inactive",
            minutes_per_week=20,
            participation="Käy joskus kirjastossa.",
            wish_themes=["liikunta", "kulttuuri"],
            wishes="Uinti tai vesijumppa, konsertit.",
        )
        services.step_add(
            actor=user,
            plan_id=plan.pk,
            version=None,
            text="Hae liikuntakortti palvelupisteestä.",
            due_on=today + timedelta(days=7),
        )
        services.step_add(
            actor=user,
            plan_id=plan.pk,
            version=None,
            text="Käy kokeilemassa ryhmää kerran viikossa kuukauden ajan.",
            due_on=today + timedelta(days=35),
        )
        for service in tray:
            services.item_add(
                actor=user,
                plan_id=plan.pk,
                version=None,
                kind=PlanItem.Kind.SERVICE,
                service_id=service.pk,
                note="Sovittu yhdessä; asiakas toivoi aamupäivän aikaa.",
            )
        services.item_add(
            actor=user,
            plan_id=plan.pk,
            version=None,
            kind=PlanItem.Kind.REHAB_GROUP,
            title="Liikkuva sosiaalinen kuntoutus",
            place="Sosiaaliasema, Kokkolankatu 1",
            times="Ke 13–14.30",
        )
        services.plan_set_status(actor=user, plan_id=plan.pk, version=None, status=ClientPlan.Status.ACTIVE)
        for kind, purpose, amount in grants:
            decided = today - timedelta(days=max(days - 5, 1))
            services.grant_record(
                actor=user,
                plan_id=plan.pk,
                version=None,
                kind=kind,
                amount=amount,
                period_from=decided,
                period_to=decided + timedelta(days=90),
                purpose=purpose,
                decided_on=decided,
            )
    stdout.write(
        f"Client plans: {len(CLIENTS)} in {fi} ({USERNAME}); "
        f"{IncomeSupportGrant.objects.filter(plan__unit=unit).count()} income support grants."
    )
