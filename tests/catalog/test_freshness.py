"""Fresh listings: reminders once per verification, to the organization's editors, and the report."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from hyte.accounts.models import Membership, StaffProfile, UnitRole
from hyte.catalog.freshness import freshness_report, may_see_report, send_freshness_reminders
from hyte.catalog.models import FreshnessReminder, Service
from hyte.catalog.services import service_mark_verified
from tests.accounts.factories import MembershipFactory, UnitFactory, UnitRoleFactory
from tests.catalog.factories import ServiceFactory
from tests.conftest import Persona

pytestmark = pytest.mark.django_db


def days_ago(n: int) -> object:
    return timezone.now() - timedelta(days=n)


@pytest.fixture
def listings(org_a, org_b) -> dict[str, Service]:
    return {
        "due": ServiceFactory(organization=org_a, name_fi="Vesijumppa", last_verified_at=days_ago(340)),
        "stale": ServiceFactory(organization=org_a, name_fi="Kuntosali", last_verified_at=days_ago(400)),
        "fresh": ServiceFactory(organization=org_a, name_fi="Uimakoulu", last_verified_at=days_ago(30)),
        "inactive": ServiceFactory(
            organization=org_a,
            name_fi="Vanha",
            last_verified_at=days_ago(400),
            status=Service.Status.INACTIVE,
        ),
        "b": ServiceFactory(organization=org_b, name_fi="Latu", last_verified_at=days_ago(336)),
    }


def test_one_email_per_organization_to_editors_once_per_verification(
    listings: dict[str, Service], editor_a: Persona, colleague_a: Persona, editor_b: Persona, org_a
) -> None:
    editor_a.user.email, colleague_a.user.email, editor_b.user.email = "a@x.fi", "c@x.fi", "b@x.fi"
    for u in (editor_a.user, colleague_a.user, editor_b.user):
        u.save()
    MembershipFactory(organization=org_a, role=Membership.Role.FRONT_DESK, user__email="desk@x.fi")
    MembershipFactory(organization=org_a, user__email="gone@x.fi", user__is_active=False)
    run = send_freshness_reminders()
    assert (run.emails, run.services) == (2, 3)
    by_to = {tuple(m.to): m for m in mail.outbox}
    a = by_to[("a@x.fi", "c@x.fi")]
    assert "Vesijumppa" in a.body and "Kuntosali" in a.body
    assert "Uimakoulu" not in a.body and "Vanha" not in a.body and "Latu" not in a.body
    with translation.override("fi"):
        assert reverse("web:review", args=[listings["due"].pk]) in a.body
    assert "Latu" in by_to[("b@x.fi",)].body

    mail.outbox.clear()
    assert send_freshness_reminders().emails == 0  # idempotent
    assert not mail.outbox
    assert FreshnessReminder.objects.count() == 3

    # Verified again: reminded again eleven months later, not before.
    service_mark_verified(actor=editor_a.user, service_id=listings["due"].pk)
    assert send_freshness_reminders().emails == 0
    later = timezone.now() + timedelta(days=336)
    run = send_freshness_reminders(now=later)
    assert run.services == 2  # the re-verified one and the one checked 30 days ago
    assert FreshnessReminder.objects.filter(service=listings["due"]).count() == 2


def test_each_editor_is_reminded_in_her_own_language(
    listings: dict[str, Service], editor_a: Persona, colleague_a: Persona
) -> None:
    editor_a.user.email, colleague_a.user.email = "a@x.fi", "c@x.fi"
    for persona, language in ((editor_a, "sv"), (colleague_a, "fi")):
        persona.user.save()
        StaffProfile.objects.update_or_create(user=persona.user, defaults={"language": language})
    assert send_freshness_reminders(dry_run=True).emails == 2  # org A: one a language; org B: no address
    run = send_freshness_reminders()
    assert (run.emails, run.services) == (2, 2)
    by_to = {tuple(m.to): m for m in mail.outbox}
    for to, language in ((("a@x.fi",), "sv"), (("c@x.fi",), "fi")):
        with translation.override(language):
            assert by_to[to].subject == gettext("Listings of %(organization)s to check") % {
                "organization": listings["due"].organization.name
            }
            assert reverse("web:review", args=[listings["due"].pk]) in by_to[to].body
    assert by_to[("a@x.fi",)].subject != by_to[("c@x.fi",)].subject
    assert FreshnessReminder.objects.count() == 2  # recorded once, whatever the number of languages


def test_dry_run_sends_and_records_nothing(listings: dict[str, Service], editor_a: Persona) -> None:
    editor_a.user.email = "a@x.fi"
    editor_a.user.save()
    out = StringIO()
    with translation.override("en"):
        call_command("send_freshness_reminders", "--dry-run", stdout=out)
    assert "Would send 1 e-mails about 2 listings." in out.getvalue()
    assert "No editor with an e-mail address" in out.getvalue()  # organization B
    assert not mail.outbox and not FreshnessReminder.objects.exists()
    call_command("send_freshness_reminders", stdout=out)
    assert len(mail.outbox) == 1


def test_without_editors_nothing_is_recorded(listings: dict[str, Service]) -> None:
    run = send_freshness_reminders()
    assert run.emails == 0 and len(run.without_editors) == 2
    assert not FreshnessReminder.objects.exists()


def test_report_counts_by_age_and_scope(
    listings: dict[str, Service], org_a, org_b, editor_a: Persona
) -> None:
    editor_a.user.email = "a@x.fi"
    editor_a.user.save()
    send_freshness_reminders()
    unit = UnitFactory(organization=org_a)
    coordinator = UnitRoleFactory(unit=unit, role=UnitRole.Role.COORDINATOR).user
    [row] = freshness_report(coordinator)
    assert row.organization_id == org_a.pk
    assert (row.listings, row.within_6, row.months_6_11, row.months_11_12, row.over_12) == (3, 1, 0, 1, 1)
    assert row.reminders == 2
    assert row.oldest is not None and row.oldest < timezone.now() - timedelta(days=399)
    assert not may_see_report(editor_a.user)
    assert freshness_report(editor_a.user) == []


def test_a_failing_send_records_nothing(listings: dict[str, Service], editor_a: Persona, monkeypatch) -> None:
    import hyte.catalog.freshness as freshness

    editor_a.user.email = "a@x.fi"
    editor_a.user.save()

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("mail server down")

    monkeypatch.setattr(freshness, "send_mail", broken)
    with pytest.raises(OSError):
        send_freshness_reminders()
    assert not FreshnessReminder.objects.exists()  # the next run tries again
    monkeypatch.undo()
    assert send_freshness_reminders().emails == 1


def test_merged_listings_are_neither_reminded_nor_stale(org_a, editor_a: Persona) -> None:
    from hyte.catalog.selectors import stale_services_for_user
    from hyte.catalog.services import service_merge

    editor_a.user.email = "a@x.fi"
    editor_a.user.save()
    keep = ServiceFactory(organization=org_a, last_verified_at=days_ago(10))
    gone = ServiceFactory(organization=org_a, last_verified_at=days_ago(500))
    service_merge(actor=editor_a.user, survivor_id=keep.pk, duplicate_id=gone.pk)
    assert send_freshness_reminders().services == 0
    assert not stale_services_for_user(editor_a.user).exists()
