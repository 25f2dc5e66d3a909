"""Demo capacity (``seed_demo``): the receiving units and a few Kokkola services say whether they take
new clients, with waiting times; one service is full, so the referral form's warning can be seen.
Idempotent. No demo receiving unit is full: the demo referrals are sent without confirmation."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from hyte.accounts.models import Unit
from hyte.accounts.services import unit_capacity_set
from hyte.catalog.models import Service
from hyte.catalog.services import service_capacity_set

UNITS: dict[str, dict[str, Any]] = {
    "Kokkolan liikuntaneuvonta": {"takes_new_clients": "yes", "waiting_weeks": 3, "free_places": 4},
    "Soiten linkkityö": {"takes_new_clients": "yes", "waiting_weeks": 2},
    "Soiten IPS-työhönvalmennus": {
        "takes_new_clients": "yes",
        "waiting_weeks": 8,
        "free_places": 1,
        "note": {
            "fi": "Viimeinen paikka tälle keväälle.",
            "sv": "Sista platsen för våren.",
            "en": "The last place for this spring.",
        },
    },
}
SERVICES: list[dict[str, Any]] = [
    {
        "takes_new_clients": "no",
        "waiting_weeks": 10,
        "free_places": 0,
        "note": {
            "fi": "Ryhmät ovat täynnä; uudet ryhmät alkavat tammikuussa.",
            "sv": "Grupperna är fulla; nya grupper börjar i januari.",
            "en": "The groups are full; new groups start in January.",
        },
    },
    {"takes_new_clients": "yes", "waiting_weeks": 0, "free_places": 12},
    {"takes_new_clients": "yes", "waiting_weeks": 4},
]


def seed_capacity(stdout: Any) -> int:
    admin = get_user_model().objects.filter(username="admin", is_superuser=True).first()
    if admin is None:
        stdout.write("Demo capacity skipped: no demo admin.")
        return 0
    count = 0
    for name, values in UNITS.items():
        unit = Unit.objects.filter(name_fi=name, receives_referrals=True).first()
        if unit is not None:
            unit_capacity_set(actor=admin, unit_id=unit.pk, **values)
            count += 1
    services = Service.objects.filter(
        organization__external_id="demo:kunta-272", status=Service.Status.ACTIVE
    ).order_by("name_fi")[: len(SERVICES)]
    for service, values in zip(services, SERVICES, strict=False):
        service_capacity_set(actor=admin, service_id=service.pk, **values)
        count += 1
    stdout.write(f"Demo capacity: {count} units and services state whether they take new clients.")
    return count
