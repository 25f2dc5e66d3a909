"""Demo feedback for ``seed_demo``: links for some closed pathways and completed referrals of the demo
units, answered by about two in three clients, and QR codes of recent group meetings answered by some
of those who came. Made through the services (so the links detach as in real use), then the answer
days are spread over the months after closing. Idempotent: nothing is added when answers exist."""

from __future__ import annotations

import random
import secrets
from datetime import timedelta
from typing import Any, Protocol

from django.contrib.auth import get_user_model
from django.utils import timezone

from hyte.accounts.models import Membership, UnitRole
from hyte.attendance.models import Meeting
from hyte.feedback import services
from hyte.feedback.models import FeedbackAnswer
from hyte.pathways.models import Pathway
from hyte.referrals.models import Referral

SEED = 10
COMMENTS = {
    "fi": (
        "Sain hyviä vinkkejä arkeen.",
        "Ohjaaja kuunteli ja oli kannustava.",
        "Aikoja oli vaikea saada.",
        "Ryhmä oli mukava ja rento.",
        "Olisin toivonut useampia tapaamisia.",
        "",
        "",
    ),
    "sv": ("Bra bemötande.", "Trevlig grupp.", ""),
    "en": ("Very helpful, thank you.", ""),
}


class Writer(Protocol):
    def write(self, msg: str) -> Any: ...


def _rating(rng: random.Random) -> int:
    return rng.choices([1, 2, 3, 4, 5], weights=[1, 2, 6, 14, 12])[0]


def _recommend(rating: int, rng: random.Random) -> str:
    if rating >= 4:
        return "yes" if rng.random() < 0.9 else "dont_know"
    return rng.choice(["no", "dont_know", "yes"]) if rating == 3 else "no"


def _answer(token: str, rng: random.Random, nonce: str = "") -> FeedbackAnswer:
    rating = _rating(rng)
    language = rng.choices(["fi", "sv", "en"], weights=[85, 12, 3])[0]
    return services.answer_submit(
        token=token,
        answer=services.Answer(
            rating=rating,
            recommend=_recommend(rating, rng),
            text=rng.choice(COMMENTS[language]),
            language=language,
        ),
        nonce=nonce,
    )


def seed_feedback(stdout: Writer) -> int:
    if FeedbackAnswer.objects.exists():
        stdout.write("Demo feedback exists already: nothing added.")
        return 0
    rng = random.Random(SEED)
    today = timezone.localdate()
    answered = 0
    User = get_user_model()
    workers = {
        r.unit_id: r.user for r in UnitRole.objects.filter(role=UnitRole.Role.RECEIVER).select_related("user")
    }
    closed = Pathway.objects.filter(status=Pathway.Status.CLOSED, closed_on__gte=today - timedelta(days=365))
    for pathway in closed.order_by("closed_on", "pk")[:300]:
        actor = pathway.worker or workers.get(pathway.unit_id)
        if actor is None or rng.random() < 0.4:
            continue
        link = services.link_for_pathway(actor=actor, pathway_id=pathway.pk)
        if rng.random() < 0.65:
            stored = _answer(link.token, rng)
            day = min(today, (pathway.closed_on or today) + timedelta(days=rng.randint(0, 20)))
            FeedbackAnswer.objects.filter(pk=stored.pk).update(submitted_on=day)
            answered += 1
    completed = Referral.objects.filter(status=Referral.Status.COMPLETED).select_related("receiving_unit")
    for referral in completed.order_by("pk")[:200]:
        actor = workers.get(referral.receiving_unit_id)
        if actor is None or rng.random() < 0.5:
            continue
        link = services.link_for_referral(actor=actor, referral_id=referral.pk)
        if rng.random() < 0.6:
            _answer(link.token, rng)
            answered += 1
    desk = User.objects.filter(username="kokkola.kassa").first()
    if desk is not None and Membership.objects.filter(user=desk).exists():
        meetings = Meeting.objects.filter(
            service__organization__memberships__user=desk, starts_at__gte=timezone.now() - timedelta(days=120)
        ).order_by("-starts_at")[:12]
        for meeting in meetings:
            link = services.link_for_meeting(actor=desk, meeting_id=meeting.pk)
            for _i in range(rng.randint(0, max(0, link.max_answers * 2 // 3))):
                stored = _answer(link.token, rng, nonce=secrets.token_hex(16))
                FeedbackAnswer.objects.filter(pk=stored.pk).update(
                    submitted_on=timezone.localtime(meeting.starts_at).date()
                )
                answered += 1
    stdout.write(f"Demo feedback: {answered} answers. The coordinators see them in the feedback report.")
    return answered
