"""Notices: staff e-mails without personal data, the client's SMS reminder once, in her language."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from hyte.accounts.models import StaffProfile
from hyte.core.errors import InvalidParameter
from hyte.core.models import PersonalDataLog
from hyte.integrations import sms
from hyte.referrals.models import Referral
from hyte.referrals.notifications import send_appointment_reminders
from hyte.referrals.services import referral_set_appointment
from tests.referrals.conftest import client_data
from tests.referrals.test_services import send, step

pytestmark = pytest.mark.django_db(transaction=True)  # notices go on commit


@pytest.fixture(autouse=True)
def _backends(settings) -> None:
    settings.HYTE_SMS_BACKEND = "hyte.integrations.sms.LocmemBackend"
    sms.outbox.clear()


def test_the_receiving_unit_hears_of_a_new_referral(pro_a, unit_a, unit_c) -> None:
    unit_c.email = "liikuntaneuvonta@kokkola.example"
    unit_c.save()
    send(pro_a, unit_a, unit_c)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["liikuntaneuvonta@kokkola.example"]
    text = mail.outbox[0].subject + mail.outbox[0].body
    assert "Meikäläinen" not in text and "131052" not in text
    referral = Referral.objects.get()
    with translation.override("fi"):  # the unit's notices are in Finnish unless it says otherwise
        assert reverse("web:referral", args=[referral.pk]) in text  # the staff page, not the API


def test_notices_are_in_the_units_and_the_referrers_language(pro_a, counsellor_c, unit_a, unit_c) -> None:
    unit_c.email, unit_c.notice_language = "motionsradgivning@karleby.example", "sv"
    unit_c.save()
    pro_a.user.email = "pro.a@soite.example"
    pro_a.user.save()
    StaffProfile.objects.update_or_create(user=pro_a.user, defaults={"language": "en"})
    referral = send(pro_a, unit_a, unit_c)
    (new,) = mail.outbox
    with translation.override("sv"):
        subject = gettext("New referral to %(unit)s") % {"unit": unit_c.name}
        page = reverse("web:referral", args=[referral.pk])
    with translation.override("fi"):
        assert subject != gettext("New referral to %(unit)s") % {"unit": unit_c.name}  # translated
    assert new.subject == subject and page in new.body and page.startswith("/sv/")
    for action in ("receive", "accept", "first_contact", "complete"):
        referral = step(
            counsellor_c, referral, action, **({"outcome_summary": "Ok."} if action == "complete" else {})
        )
    closed = mail.outbox[1]
    assert closed.to == ["pro.a@soite.example"] and closed.subject.startswith("A referral you sent")
    with translation.override("en"):
        assert reverse("web:referral", args=[referral.pk]) in closed.body


def test_the_referrer_hears_of_the_outcome(pro_a, counsellor_c, unit_a, unit_c) -> None:
    pro_a.user.email = "pro.a@soite.example"
    pro_a.user.save()
    referral = send(pro_a, unit_a, unit_c)
    for action in ("receive", "accept", "first_contact"):
        referral = step(counsellor_c, referral, action)
    assert mail.outbox == []
    step(counsellor_c, referral, "complete", outcome_summary="Käy ryhmässä.")
    assert [m.to for m in mail.outbox] == [["pro.a@soite.example"]]
    assert "Käy ryhmässä" not in mail.outbox[0].body  # the outcome is read after logging in


def test_sms_reminder_once_in_the_clients_language(pro_a, counsellor_c, unit_a, unit_c) -> None:
    referral = send(pro_a, unit_a, unit_c, client=client_data(phone="+358401234567", preferred_language="sv"))
    for action in ("receive", "accept"):
        referral = step(counsellor_c, referral, action)
    with pytest.raises(InvalidParameter):
        referral_set_appointment(
            actor=counsellor_c.user, referral_id=referral.pk, at=timezone.now() - timedelta(hours=1)
        )
    at = timezone.now() + timedelta(hours=20)
    referral_set_appointment(actor=counsellor_c.user, referral_id=referral.pk, at=at, place="Urheilutalo")
    assert send_appointment_reminders() == 1
    assert send_appointment_reminders() == 0  # once
    (message,) = sms.outbox
    assert message.to == "+358401234567" and "Urheilutalo" in message.text
    assert "Påminnelse" in message.text or "Reminder" not in message.text  # Swedish when translated
    assert PersonalDataLog.objects.filter(action="sms_reminder").count() == 1
    assert Referral.objects.get().reminder_sent_at is not None
