"""Demo buddies for ``seed_demo``: three LiiKu-kamut coordinated by Kokkola's exercise counselling, and
one pairing with a client of an active pathway there, with two meetings (idempotent)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Protocol

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from hyte.accounts.models import Unit
from hyte.buddies import services
from hyte.buddies.models import Buddy, BuddyMeeting, Pairing
from hyte.referrals.models import Consent

UNIT = "Kokkolan liikuntaneuvonta"
WORKER = "kokkola.liikuntaneuvoja"
# username, name, kind, languages, municipality code, interests
BUDDIES = [
    ("kamu.aino", "Aino", Buddy.Kind.STUDENT, ["fi", "en"], "272", ["liikunta", "luonto"], "sähly, kävely"),
    (
        "kamu.erik",
        "Erik",
        Buddy.Kind.EXPERIENCE_EXPERT,
        ["sv", "fi"],
        "272",
        ["liikunta", "kulttuuri"],
        "simning",
    ),
    ("kamu.sari", "Sari", Buddy.Kind.VOLUNTEER, ["fi"], "217", ["yhteiso", "kulttuuri"], "lautapelit"),
]


class Writer(Protocol):
    def write(self, msg: str, /) -> Any: ...


@transaction.atomic
def seed_buddies(stdout: Writer, password: str) -> int:
    """Returns the number of pairings created (0 when the demo buddies exist already)."""
    User = get_user_model()
    unit = Unit.objects.filter(name_fi=UNIT).first()
    worker = User.objects.filter(username=WORKER).first()
    if unit is None or worker is None:
        stdout.write("Demo buddies skipped: the demo unit and worker are missing.")
        return 0
    today = timezone.localdate()
    created = []
    for username, name, kind, languages, municipality, interests, tags in BUDDIES:
        existing = Buddy.objects.filter(user__username=username).first()
        if existing is None:
            data = services.BuddyData(
                name=name,
                kind=kind,
                unit_id=unit.pk,
                languages=languages,
                municipality=municipality,
                interests=[t for t in interests if _theme_exists(t)],
                tags=tags,
                training_completed_on=today - timedelta(days=60),
            )
            existing, _ = services.buddy_register(actor=worker, data=data, username=username)
            created.append(existing)
        existing.user.set_password(password)
        existing.user.save(update_fields=["password"])
        role = gettext("Peer buddy (LiiKu-kamu)")
        stdout.write(f"  {username} / {password}  – {UNIT}: {role}")
    if Pairing.objects.filter(buddy__unit=unit).exists():
        return 0
    from hyte.pathways.models import Pathway

    pathway = Pathway.objects.filter(unit=unit, status=Pathway.Status.ACTIVE).order_by("enrolled_on").first()
    if pathway is None:
        return 0
    starts = today - timedelta(days=21)
    pairing = services.pairing_create(
        actor=worker,
        data=services.PairingData(
            buddy_id=Buddy.objects.get(user__username="kamu.aino").pk,
            pathway_id=pathway.pk,
            starts_on=starts,
            ends_on=services.max_end(starts) - timedelta(days=1),
            shared_phone="+358 40 123 4567",
            consent_given_by=Consent.GivenBy.CLIENT,
            consent_method=Consent.Method.VERBAL,
        ),
    )
    aino = Buddy.objects.get(user__username="kamu.aino").user
    for days, activity, note in (
        (14, BuddyMeeting.Activity.WALK, "Kävelylenkki joenvarressa"),
        (7, BuddyMeeting.Activity.SWIMMING, "Uimahalli"),
    ):
        services.meeting_record(
            actor=aino,
            pairing_id=pairing.pk,
            data=services.MeetingData(
                on=today - timedelta(days=days), activity=activity, note=note, duration_minutes=60
            ),
        )
    stdout.write("Demo buddies: kamu.aino is paired with a client of Kokkola exercise counselling.")
    return 1


def _theme_exists(slug: str) -> bool:
    from hyte.catalog.models import Theme

    return Theme.objects.filter(slug=slug).exists()
