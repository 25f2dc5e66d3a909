"""Demo fresh listings (``seed_demo``): a few Kokkola listings last checked eleven months ago or more, so
the reminder command, the stale list and the coordinators' freshness report show something, and one
listing entered twice (an older copy at the same place), so the duplicates page has a pair to merge.
Idempotent: a second run changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from hyte.catalog.models import Organization, Service, ServiceAtLocation
from hyte.catalog.services import duplicate_scan, search_index_refresh

ORGANIZATION = "demo:kunta-272"  # Kokkola
EDITOR = "kokkola.editor"
COPY = "demo:kunta-272-copy"
# Days since the last check: two listings due for a reminder (over 335 days), one stale (over 365).
AGES = (340, 350, 400)


@transaction.atomic
def seed_freshness(stdout: Any) -> int:
    organization = Organization.objects.filter(external_id=ORGANIZATION).first()
    editor = get_user_model().objects.filter(username=EDITOR).first()
    if organization is None or editor is None:
        stdout.write("Demo fresh listings skipped: no Kokkola demo organization or editor.")
        return 0
    if Service.objects.filter(external_id=COPY).exists():
        return 0
    listings = list(
        Service.objects.filter(organization=organization, status=Service.Status.ACTIVE)
        .exclude(external_id__startswith="ptv:")
        .order_by("name_fi")
    )
    if len(listings) < len(AGES) + 1:
        stdout.write("Demo fresh listings skipped: too few Kokkola listings.")
        return 0
    now = timezone.now()
    for service, days in zip(listings[1:], AGES, strict=False):
        Service.objects.filter(pk=service.pk).update(last_verified_at=now - timedelta(days=days))
    original = listings[0]
    places = list(ServiceAtLocation.objects.filter(service=original).values_list("location_id", flat=True))
    copy = Service.objects.get(pk=original.pk)
    copy.pk = None
    copy.id = None
    copy.external_id = COPY
    copy.last_verified_at = now - timedelta(days=500)
    copy.save()
    copy.themes.set(original.themes.all())
    copy.municipalities.set(original.municipalities.all())
    ServiceAtLocation.objects.bulk_create([ServiceAtLocation(service=copy, location_id=p) for p in places])
    search_index_refresh(service_ids=[copy.pk])
    pairs = duplicate_scan(actor=editor)
    stdout.write(
        f"Demo fresh listings: {len(AGES)} Kokkola listings checked {', '.join(map(str, AGES))} days ago; "
        f'"{original.name}" entered twice ({pairs} possible duplicate pair(s) for {EDITOR}).'
    )
    return pairs
