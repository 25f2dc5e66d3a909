"""python manage.py rotate_personal_data_keys: re-encrypt stored personal identity codes with the newest
key of HYTE_PERSONAL_DATA_KEYS (put the new key first, keep the old ones until this has run)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from hyte.core.crypto import reencrypt
from hyte.referrals.models import Client

BATCH = 500


class Command(BaseCommand):
    help = "Re-encrypt every stored personal identity code with the newest personal data key."

    def handle(self, *args: Any, **options: Any) -> None:
        done = 0
        ids = list(Client.objects.exclude(hetu_encrypted="").values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH):
            with transaction.atomic():
                clients = Client.objects.select_for_update().filter(pk__in=ids[start : start + BATCH])
                for client in clients:
                    client.hetu_encrypted = reencrypt(client.hetu_encrypted)
                    client.save(update_fields=["hetu_encrypted"])
                    done += 1
        self.stdout.write(f"re-encrypted {done} personal identity codes")
