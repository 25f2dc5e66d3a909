"""Fresh listings: the reminder e-mail to an organization's editors and the coordinators' freshness report.

**Reminders.** A listing (active, not merged) whose ``last_verified_at`` is older than
``HYTE_REMIND_AFTER_DAYS`` (335, eleven months) is reminded of once per verification: a
``FreshnessReminder`` row keeps the ``last_verified_at`` it was about, so a second run sends nothing,
and a listing verified again (a new value) is reminded of again eleven months later. One e-mail per
organization and language per run, to its editors (``Membership`` role editor, active users with an
e-mail address) in the language of their notices (the one each last logged in with), listing the
names of the listings with a link to each review page: listings are public, so the e-mail holds no
personal data. An organization with no editor to tell is left for a later run (nothing is recorded).

**Report.** Per organization in the user's scope: listings, verified within 6 months, 6–11, 11–12 and
over 12 months ago, the oldest verification and the reminders sent. Counts of public listings are not
personal data, so no small-count suppression is applied (unlike ``hyte.reporting``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hyte.accounts.models import Membership, UnitRole
from hyte.accounts.selectors import User, is_platform_admin, notice_languages
from hyte.catalog.models import FreshnessReminder, Organization, Service

MONTH = 30.44  # days


def listed_services() -> QuerySet[Service]:
    """Listings whose freshness counts: active and not merged away."""
    return Service.objects.filter(status=Service.Status.ACTIVE, merged_into__isnull=True)


def remind_cutoff(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=settings.HYTE_REMIND_AFTER_DAYS)


def due_for_reminder(now: datetime | None = None) -> QuerySet[Service]:
    """Listings past the reminder age that have not been reminded of for their current verification."""
    return (
        listed_services()
        .filter(last_verified_at__lte=remind_cutoff(now))
        .exclude(
            Exists(
                FreshnessReminder.objects.filter(
                    service=OuterRef("pk"), verified_at=OuterRef("last_verified_at")
                )
            )
        )
        .select_related("organization")
        .order_by("organization__name_fi", "last_verified_at", "name_fi")
    )


@dataclass
class ReminderRun:
    organizations: int = 0
    services: int = 0
    emails: int = 0
    without_editors: list[str] = field(default_factory=list)


def editor_emails(organization_id: Any) -> dict[str, list[str]]:
    """The organization's editors' addresses by the language of their notices (``notice_languages``)."""
    editors = dict(
        Membership.objects.filter(
            organization_id=organization_id, role=Membership.Role.EDITOR, user__is_active=True
        )
        .exclude(user__email="")
        .values_list("user_id", "user__email")
    )
    by_language: dict[str, set[str]] = defaultdict(set)
    for user_id, language in notice_languages(list(editors)).items():
        by_language[language].add(editors[user_id])
    return {language: sorted(emails) for language, emails in sorted(by_language.items())}


def review_link(service: Service) -> str:
    """The review page's address in the active language (its path is translated)."""
    return settings.HYTE_SITE_URL + reverse("web:review", args=[service.pk])


def _message(organization: Organization, services: list[Service], language: str) -> tuple[str, str]:
    with translation.override(language):
        subject = _("Listings of %(organization)s to check") % {"organization": organization.name}
        lines = [
            _(
                "These listings of %(organization)s in the service tray were last checked eleven months "
                "ago or earlier. Please check each one and mark it verified; after twelve months the "
                "public page says the listing may be out of date."
            )
            % {"organization": organization.name},
            "",
        ]
        for service in services:
            lines.append(
                _("- %(name)s (checked %(date)s): %(link)s")
                % {
                    "name": service.name,
                    "date": timezone.localtime(service.last_verified_at).strftime("%d.%m.%Y"),
                    "link": review_link(service),
                }
            )
        lines += ["", _("The links ask you to log in.")]
    return subject, "\n".join(lines)


def send_freshness_reminders(*, dry_run: bool = False, now: datetime | None = None) -> ReminderRun:
    """One e-mail per organization and language with listings due; each listing recorded so it is not
    sent twice."""
    run = ReminderRun()
    by_org: dict[Any, list[Service]] = defaultdict(list)
    for service in due_for_reminder(now):
        by_org[service.organization_id].append(service)
    for services in by_org.values():
        organization = services[0].organization
        by_language = editor_emails(organization.pk)
        if not by_language:
            run.without_editors.append(str(organization.name))
            continue
        run.organizations += 1
        run.services += len(services)
        if dry_run:
            run.emails += len(by_language)
            continue
        recipients = [email for emails in by_language.values() for email in emails]
        try:
            with transaction.atomic():
                # Recorded first, in the same transaction: a failing send rolls the records back, and
                # a concurrent run that recorded them already makes this one skip (the unique constraint).
                rows = [
                    FreshnessReminder(
                        service=s,
                        organization=organization,
                        verified_at=s.last_verified_at,
                        recipients=len(recipients),
                    )
                    for s in services
                ]
                FreshnessReminder.objects.bulk_create(rows)
                for language, emails in by_language.items():
                    subject, body = _message(organization, services, language)
                    send_mail(subject, body, None, emails)
        except IntegrityError:
            continue
        run.emails += len(by_language)
    return run


# --- the report ---


def report_organization_ids(user: User) -> set[Any] | None:
    """Organizations whose freshness the user sees: None for all (platform admins); the organizations of
    the user's coordinator roles (a unit's coordinator, or an organization's coordinator membership)."""
    if is_platform_admin(user):
        return None
    if not (user.is_authenticated and user.is_active):
        return set()
    ids = set(
        UnitRole.objects.filter(user__pk=user.pk, role=UnitRole.Role.COORDINATOR).values_list(  # type: ignore[misc]
            "unit__organization_id", flat=True
        )
    )
    ids |= set(
        Membership.objects.filter(user__pk=user.pk, role=Membership.Role.COORDINATOR).values_list(  # type: ignore[misc]
            "organization_id", flat=True
        )
    )
    return ids


def may_see_report(user: User) -> bool:
    ids = report_organization_ids(user)
    return ids is None or bool(ids)


@dataclass(frozen=True)
class FreshnessRow:
    organization_id: Any
    organization: str
    listings: int
    within_6: int
    months_6_11: int
    months_11_12: int
    over_12: int
    oldest: datetime | None
    reminders: int
    last_reminder: datetime | None


def freshness_report(user: User, *, now: datetime | None = None) -> list[FreshnessRow]:
    """One row per organization in scope with listings (a few aggregate queries)."""
    now = now or timezone.now()
    ids = report_organization_ids(user)
    if ids is not None and not ids:
        return []
    six = now - timedelta(days=round(6 * MONTH))
    eleven = remind_cutoff(now)
    twelve = now - timedelta(days=settings.HYTE_STALE_AFTER_DAYS)
    services = listed_services()
    if ids is not None:
        services = services.filter(organization_id__in=ids)
    counts = (
        services.values("organization_id")
        .annotate(
            listings=Count("pk"),
            within_6=Count("pk", filter=Q(last_verified_at__gte=six)),
            months_6_11=Count("pk", filter=Q(last_verified_at__lt=six, last_verified_at__gt=eleven)),
            months_11_12=Count("pk", filter=Q(last_verified_at__lte=eleven, last_verified_at__gte=twelve)),
            over_12=Count("pk", filter=Q(last_verified_at__lt=twelve)),
            oldest=Min("last_verified_at"),
        )
        .order_by()
    )
    reminders_qs = FreshnessReminder.objects.all()
    if ids is not None:
        reminders_qs = reminders_qs.filter(organization_id__in=ids)
    reminders: dict[Any, dict[str, Any]] = {
        row["organization_id"]: dict(row)
        for row in reminders_qs.values("organization_id")
        .annotate(n=Count("pk"), last=Max("sent_at"))
        .order_by()
    }
    names = dict(
        Organization.objects.filter(pk__in=[c["organization_id"] for c in counts]).values_list("pk", "name")
    )
    rows = [
        FreshnessRow(
            organization_id=c["organization_id"],
            organization=str(names.get(c["organization_id"], "")),
            listings=c["listings"],
            within_6=c["within_6"],
            months_6_11=c["months_6_11"],
            months_11_12=c["months_11_12"],
            over_12=c["over_12"],
            oldest=c["oldest"],
            reminders=reminders.get(c["organization_id"], {}).get("n", 0),
            last_reminder=reminders.get(c["organization_id"], {}).get("last"),
        )
        for c in counts
    ]
    return sorted(rows, key=lambda r: r.organization.casefold())
