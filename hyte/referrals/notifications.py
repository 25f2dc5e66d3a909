"""Notices of the closed loop. E-mails tell staff that something happened and where to look; they
carry no personal data (no names, no codes), only a link that asks for a login, in the language of the
unit's notices (to its address) or of the staff user (the one she last logged in with). The client's
appointment reminder goes by SMS in the client's language and names only the time and the place."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from hyte.accounts.selectors import notice_languages
from hyte.core.personal_log import log_personal_data
from hyte.integrations.sms import send_sms
from hyte.referrals.models import Referral

CLOSED = (Referral.Status.COMPLETED, Referral.Status.DECLINED, Referral.Status.DISCONTINUED)


def _link(referral: Referral) -> str:
    """The referral's staff page in the active language (its path is translated); it asks for a login."""
    return settings.HYTE_SITE_URL + reverse("web:referral", args=[referral.pk])


def notify_sent(referral_id: Any) -> None:
    referral = Referral.objects.select_related("receiving_unit").get(pk=referral_id)
    unit = referral.receiving_unit
    if not unit.email:
        return
    with translation.override(unit.notice_language):
        send_mail(
            _("New referral to %(unit)s") % {"unit": unit.name},
            _("A new %(kind)s has arrived in the work queue of %(unit)s. Open it after logging in: %(link)s")
            % {"kind": referral.get_kind_display().lower(), "unit": unit.name, "link": _link(referral)},
            None,
            [unit.email],
        )


def notify_closed(referral_id: Any) -> None:
    referral = Referral.objects.select_related("referrer", "receiving_unit").get(pk=referral_id)
    email = getattr(referral.referrer, "email", "")
    if not email or referral.status not in CLOSED:
        return
    with translation.override(notice_languages([referral.referrer_id])[referral.referrer_id]):
        send_mail(
            _("A referral you sent: %(status)s") % {"status": referral.get_status_display().lower()},
            _(
                "%(unit)s has closed a referral you sent (%(status)s). "
                "See the outcome after logging in: %(link)s"
            )
            % {
                "unit": referral.receiving_unit.name,
                "status": referral.get_status_display().lower(),
                "link": _link(referral),
            },
            None,
            [email],
        )


def on_transition(referral: Referral, action: str) -> None:
    """Called by the state machine inside its transaction: the notice goes only if the change commits."""
    if action == "send":
        transaction.on_commit(lambda: notify_sent(referral.pk))
    elif referral.status in CLOSED:
        transaction.on_commit(lambda: notify_closed(referral.pk))


def send_appointment_reminders(*, within: timedelta = timedelta(hours=24)) -> int:
    """SMS reminders of appointments in the next ``within``, once each, for clients with a phone
    number and consent in force. Returns how many were sent."""
    now = timezone.now()
    due = Referral.objects.filter(
        appointment_at__gt=now,
        appointment_at__lte=now + within,
        reminder_sent_at__isnull=True,
        consent__withdrawn_at__isnull=True,
        status__in=(Referral.Status.ACCEPTED, Referral.Status.FIRST_CONTACT, Referral.Status.IN_PROGRESS),
    ).exclude(client__phone="")
    sent = 0
    for referral_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            referral = (
                Referral.objects.select_for_update(of=("self",))
                .select_related("client", "receiving_unit")
                .filter(pk=referral_id, reminder_sent_at__isnull=True)
                .first()
            )
            if referral is None or referral.appointment_at is None:
                continue
            with translation.override(referral.client.preferred_language):
                when = date_format(timezone.localtime(referral.appointment_at), "DATETIME_FORMAT")
                text = _("Reminder: your appointment with %(unit)s is on %(when)s at %(place)s.") % {
                    "unit": referral.receiving_unit.name,
                    "when": when,
                    "place": referral.appointment_place or referral.receiving_unit.name,
                }
            send_sms(referral.client.phone, text)
            referral.reminder_sent_at = timezone.now()
            referral.save(update_fields=["reminder_sent_at"])
            log_personal_data(actor=None, action="sms_reminder", obj=referral.client, purpose="reminder")
            sent += 1
    return sent
