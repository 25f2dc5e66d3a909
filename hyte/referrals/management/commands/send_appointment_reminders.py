"""python manage.py send_appointment_reminders: SMS reminders of the next 24 hours' appointments (run
hourly from cron; each appointment is reminded once)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from hyte.referrals.notifications import send_appointment_reminders


class Command(BaseCommand):
    help = "Send SMS reminders of appointments in the next 24 hours (once each)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"sent {send_appointment_reminders()} reminders")
