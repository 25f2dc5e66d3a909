"""Demo activity for the reports (run by ``manage.py seed_demo``): clients, referrals, pathways with
measurements and outcomes, LiiKu passes with visits and rewards, group meetings, programme costs and a
service-use extract, so that the demo coordinators' reports show figures instead of zeros and "<5".

Every record is made through the contexts' own services (consent, the referral state machine,
validation, the personal data log). The services stamp most steps *now* and refuse dates a user could
never give (visits only for the last seven days, passes no further back than their validity), while a
demo needs eighteen months of history: so after the service calls the timestamps are written back with
queryset ``update()`` calls, as the tests do, each one commented. The personal data log keeps the real
times: it is an append-only hash chain (the database refuses UPDATE) and tells truly when the demo was
made.

Deterministic: one ``random.Random(2026)`` and dates relative to ``timezone.localdate()``. Idempotent:
the first demo client gets a fixed pseudonym (``MARKER``); when that client exists, nothing is done.
All names are fictional ("Demo Asiakas 17"); no client has a henkilötunnus.
"""

from __future__ import annotations

import csv
import io
import math
import random
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Protocol

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Case, DateTimeField, F, Value, When
from django.utils import timezone

from hyte.accounts.models import Unit, UnitRole
from hyte.attendance import services as attendance
from hyte.attendance.models import Pass, PassProgramme, Reward, Visit
from hyte.catalog.models import Organization, Service
from hyte.pathways import services as pathways
from hyte.pathways.models import Pathway, PathwayEvent
from hyte.referrals.models import Client, Consent, Referral, ReferralEvent
from hyte.referrals.services import ClientData, ConsentData, referral_create, referral_transition
from hyte.reporting import services as reporting

MARKER = uuid.UUID("0d3e5a70-2026-4d3e-8000-00000000d3e0")  # the pseudonym of "Demo Asiakas 1"
SEED = 2026
SPAN_DAYS = 540  # about eighteen months of history
COUNTY = "demo:soite"
# The client's home municipality: Kokkola's health centre serves mostly Kokkola, some from nearby.
MUNICIPALITIES = {"272": 80, "217": 8, "236": 5, "849": 4, "924": 3}
LINK_COLLEAGUES = 5  # link workers besides the demo login (no password: they cannot log in)

Actor = Any  # a user; the services take AbstractBaseUser | AnonymousUser


class Writer(Protocol):
    def write(self, msg: str, /) -> Any: ...


# --- the demo's people and places ---


@dataclass
class Demo:
    rng: random.Random
    today: date
    now: datetime
    nurse: Actor
    coordinator: Actor
    counsellor: Actor
    coach: Actor
    link_workers: list[Actor]
    desk: Actor
    health_centre: Unit
    units: dict[str, Unit]
    counts: Counter[str] = field(default_factory=Counter)
    clients: int = 0

    def client(self) -> ClientData:
        self.clients += 1
        return ClientData(
            first_name="Demo",
            last_name=f"Asiakas {self.clients}",
            personal_identity_code="",
            municipality=self.rng.choices(list(MUNICIPALITIES), list(MUNICIPALITIES.values()))[0],
            preferred_language="sv" if self.rng.random() < 0.1 else "fi",
        )

    def at(self, day: date, earliest: float = 8, latest: float = 16) -> datetime:
        """A moment of working hours on ``day`` (local time), never later than now."""
        hours = self.rng.uniform(earliest, latest)
        moment = timezone.make_aware(datetime.combine(day, time(int(hours), int(hours % 1 * 60))))
        return min(moment, self.now)


def _user(username: str) -> Actor | None:
    return get_user_model().objects.filter(username=username).first()


def _unit(name: str) -> Unit | None:
    return Unit.objects.filter(name_fi=name, organization__external_id=COUNTY).first()


def _demo() -> Demo | None:
    """The demo logins and units made by seed_demo, or None when they are missing (``--no-users``)."""
    people = {
        name: _user(name)
        for name in (
            "soite.hoitaja",
            "soite.koordinaattori",
            "kokkola.liikuntaneuvoja",
            "soite.ips",
            "soite.linkkityontekija",
            "kokkola.kassa",
        )
    }
    units = {
        "health_centre": _unit("Kokkolan terveysasema"),
        "exercise_counselling": _unit("Kokkolan liikuntaneuvonta"),
        "link_worker": _unit("Soiten linkkityö"),
        "ips": _unit("Soiten IPS-työhönvalmennus"),
    }
    if None in people.values() or None in units.values():
        return None
    found = {k: v for k, v in units.items() if v is not None}
    health_centre = found.pop("health_centre")
    return Demo(
        rng=random.Random(SEED),
        today=timezone.localdate(),
        now=timezone.now(),
        nurse=people["soite.hoitaja"],
        coordinator=people["soite.koordinaattori"],
        counsellor=people["kokkola.liikuntaneuvoja"],
        coach=people["soite.ips"],
        link_workers=[people["soite.linkkityontekija"], *_link_colleagues(found["link_worker"])],
        desk=people["kokkola.kassa"],
        health_centre=health_centre,
        units=found,
    )


def _link_colleagues(unit: Unit) -> list[Actor]:
    """Link workers of the demo team who are not demo logins, so that caseloads can be compared."""
    colleagues = []
    for n in range(2, LINK_COLLEAGUES + 2):
        user, created = get_user_model().objects.get_or_create(
            username=f"demo.linkkityontekija{n}",
            defaults={"first_name": "Demo", "last_name": f"Linkkityöntekijä {n}"},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        UnitRole.objects.get_or_create(user=user, unit=unit, role=UnitRole.Role.RECEIVER)
        colleagues.append(user)
    return colleagues


@transaction.atomic
def seed_activity(stdout: Writer) -> dict[str, int]:
    """Create the demo activity once; returns what was created (empty when it existed already)."""
    if Client.objects.filter(pseudonym=MARKER).exists():
        stdout.write("Demo activity exists already: nothing added.")
        return {}
    demo = _demo()
    if demo is None:
        stdout.write("Demo activity skipped: the demo logins and units are missing.")
        return {}
    ips_clients = _referrals_and_pathways(demo)
    _passes(demo)
    _groups(demo)
    _costs(demo)
    _service_use(demo, ips_clients)
    counts = dict(sorted(demo.counts.items()))
    stdout.write(
        "Demo activity: "
        + ", ".join(f"{n} {what.replace('_', ' ')}" for what, n in counts.items())
        + ". The coordinators soite.koordinaattori and kokkola.koordinaattori see it in the reports."
    )
    return counts


# --- referrals and pathways ---


@dataclass(frozen=True)
class Flow:
    """How referrals to one unit go: how many, how often declined, how soon the first contact."""

    programme: str
    kind: str
    count: int
    declined: float
    no_contact: float
    contact_days: tuple[float, float]
    decline_codes: tuple[tuple[str, int], ...]
    reasons: tuple[str, ...]
    needs: tuple[str, ...]


D = Referral.DeclineCode
FLOWS = (
    Flow(
        "exercise_counselling",
        Referral.Kind.EXERCISE,
        54,
        0.18,
        0.10,
        (1, 12),
        ((D.OTHER_SERVICE, 4), (D.NOT_TARGET_GROUP, 3), (D.CLIENT_DECLINED, 2), (D.UNREACHABLE, 1)),
        (
            "Kohonnut verenpaine; liikkuu hyvin vähän.",
            "Tyypin 2 diabetes, tavoitteena arkiliikunnan lisääminen.",
            "Ylipaino ja selkävaivat; haluaa aloittaa liikunnan turvallisesti.",
            "Työttömän terveystarkastus: liikunta on jäänyt vähäiseksi.",
        ),
        ("liikunta",),
    ),
    Flow(
        "link_worker",
        Referral.Kind.WELLBEING,
        42,
        0.18,
        0.10,
        (2, 14),
        ((D.OTHER_SERVICE, 3), (D.NOT_TARGET_GROUP, 2), (D.CLIENT_DECLINED, 1)),
        (
            "Yksinäisyyttä; toivoo ryhmätoimintaa ja seuraa.",
            "Elämänmuutos (leskeytyminen), tarvitsee tukea arkeen ja harrastuksiin.",
            "Mieliala matala; kiinnostunut vapaaehtoistyöstä.",
        ),
        ("yhteiso", "mieli"),
    ),
    Flow(
        "ips",
        Referral.Kind.WELLBEING,
        66,
        0.20,
        0.10,
        (5, 35),
        ((D.NO_CAPACITY, 4), (D.NOT_TARGET_GROUP, 2), (D.CLIENT_DECLINED, 2), (D.OTHER, 1)),
        (
            "Mielenterveyskuntoutuja, haluaa avoimille työmarkkinoille.",
            "Opinnot keskeytyneet; tavoitteena työ tai opiskelu.",
            "Pitkään työttömänä, motivoitunut työnhakuun.",
        ),
        ("toimeentulo",),
    ),
)
DECLINE_TEXT = {
    D.NOT_TARGET_GROUP: "Ei kuulu palvelun kohderyhmään.",
    D.OTHER_SERVICE: "Ohjattu sopivampaan palveluun.",
    D.NO_CAPACITY: "Ei vapaita asiakaspaikkoja juuri nyt.",
    D.UNREACHABLE: "Asiakasta ei tavoitettu kolmella yrityksellä.",
    D.CLIENT_DECLINED: "Asiakas ei halunnut palvelua.",
    D.OTHER: "Muu syy.",
}
PC = Pathway.ClosureReason
END_REASON: dict[str, str] = {PC.CLIENT_DECLINED: "client_declined", PC.NO_SHOW: "no_show", PC.MOVED: "moved"}
SUMMARY = {
    "exercise_counselling": "Liikuntasuunnitelma toteutui; asiakas liikkuu nyt omatoimisesti.",
    "link_worker": "Asiakas löysi ryhmän ja arjen tuen; linkkityö päättyi suunnitellusti.",
    "ips": "Asiakas työllistyi avoimille työmarkkinoille; työssä pysymisen tuki päättyi.",
}


@dataclass
class Closure:
    on: date
    reason: str
    afterwards: Callable[[], None] | None = None  # e.g. a follow-up measurement after closure


@dataclass
class CaseFile:
    """One referral and its pathway, and when each step happened."""

    flow: Flow
    worker: Actor
    sent: datetime
    at: dict[str, datetime] = field(default_factory=dict)
    referral: Referral | None = None
    pathway: Pathway | None = None
    pathway_at: dict[str, datetime] = field(default_factory=dict)


def _referrals_and_pathways(demo: Demo) -> list[Any]:
    """All referrals in the order they were sent; returns the ids of the IPS pathways' clients."""
    files: list[CaseFile] = []
    link_turn = 0
    for flow in FLOWS:
        for _n in range(flow.count):
            day = demo.today - timedelta(days=demo.rng.randint(1, SPAN_DAYS))
            files.append(CaseFile(flow, None, demo.at(day)))
    files.sort(key=lambda f: f.sent)
    for case in files:  # the link workers take the referrals in turn
        if case.flow.programme == "link_worker":
            case.worker = demo.link_workers[link_turn % len(demo.link_workers)]
            link_turn += 1
        else:
            case.worker = demo.counsellor if case.flow.programme == "exercise_counselling" else demo.coach
    ips_clients = []
    extended = False
    for case in files:
        _refer(demo, case)
        if case.pathway is not None:
            closure: Closure | None
            if case.flow.programme == "exercise_counselling":
                closure = _exercise(demo, case)
            elif case.flow.programme == "link_worker":
                closure = _link_work(demo, case, extend=not extended)
                extended = extended or "extend" in case.pathway_at
            else:
                closure = _ips(demo, case.pathway, case.worker)
                ips_clients.append(case.pathway.client_id)
            if closure is not None:
                _close(demo, case, closure)
        _backdate(demo, case)
    return ips_clients


def _refer(demo: Demo, case: CaseFile) -> None:
    """Send the referral and take it as far as its dates allow (later steps are in the future)."""
    flow, rng = case.flow, demo.rng
    unit = demo.units[flow.programme]
    referral = referral_create(
        actor=demo.nurse,
        referring_unit_id=demo.health_centre.pk,
        receiving_unit_id=unit.pk,
        kind=flow.kind,
        client=demo.client(),
        reason=rng.choice(flow.reasons),
        needs=list(flow.needs),
        activity_level=Referral.ActivityLevel.INACTIVE
        if flow.programme == "exercise_counselling"
        else Referral.ActivityLevel.UNKNOWN,
        consent=ConsentData(
            given_by=Consent.GivenBy.CLIENT,
            method=rng.choice([Consent.Method.VERBAL, Consent.Method.ELECTRONIC]),
            scope=Consent.Scope.REFERRAL_AND_STATISTICS,
            given_at=case.sent - timedelta(minutes=10),
        ),
    )
    if demo.clients == 1:  # the pseudonym is made by the model, never given: set the marker afterwards
        Client.objects.filter(pk=referral.client_id).update(pseudonym=MARKER)
    case.referral = referral
    case.at = {"create": case.sent - timedelta(minutes=2), "send": case.sent}
    demo.counts["referrals"] += 1
    fate = rng.random()
    if fate < 0.02:
        _step(demo, case, "cancel", case.sent + timedelta(hours=rng.uniform(2, 30)))
        return
    received = case.sent + timedelta(hours=rng.uniform(1, 50))
    decided = received + timedelta(hours=rng.uniform(2, 110))
    if not _step(demo, case, "receive", received):
        return
    if fate < 0.02 + flow.declined:
        codes, weights = zip(*flow.decline_codes, strict=True)
        code = rng.choices(codes, weights)[0]
        _step(demo, case, "decline", decided, decline_reason=DECLINE_TEXT[code], decline_code=code)
        return
    if not _step(demo, case, "accept", decided):
        return
    contact = decided + timedelta(days=rng.uniform(*flow.contact_days))
    if fate < 0.02 + flow.declined + flow.no_contact:
        _step(demo, case, "discontinue", contact, end_reason=rng.choice(["no_show", "client_declined"]))
        return
    if not _step(demo, case, "first_contact", contact):
        return
    enrolled = timezone.localdate(contact)
    agreement = enrolled + timedelta(days=rng.randint(0, 14)) if flow.programme == "ips" else None
    case.pathway = pathways.pathway_enrol(
        actor=case.worker,
        data=pathways.Enrolment(
            programme=flow.programme,
            unit_id=unit.pk,
            origin=Pathway.Origin.REFERRAL,
            referral_id=referral.pk,
            enrolled_on=enrolled,
            agreement_on=agreement if agreement and agreement <= demo.today else None,
        ),
    )
    case.pathway_at["enrol"] = min(contact + timedelta(minutes=30), demo.now)
    demo.counts[f"{flow.programme}_pathways"] += 1
    _step(demo, case, "start", min(contact + timedelta(minutes=40), demo.now))


def _step(demo: Demo, case: CaseFile, action: str, at: datetime, **fields: Any) -> bool:
    """One transition, if its moment has come (the time is written back in ``_backdate``)."""
    if at > demo.now or case.referral is None:
        return False
    actor = demo.nurse if action == "cancel" else case.worker
    referral_transition(actor=actor, referral_id=case.referral.pk, action=action, **fields)
    case.at[action] = at
    return True


def _close(demo: Demo, case: CaseFile, closure: Closure) -> None:
    assert case.pathway is not None
    pathways.pathway_close(
        actor=case.worker,
        pathway_id=case.pathway.pk,
        version=None,
        reason=closure.reason,
        closed_on=closure.on,
    )
    at = demo.at(closure.on, 12, 16)
    case.pathway_at["close"] = at
    if closure.reason in END_REASON:
        _step(demo, case, "discontinue", at, end_reason=END_REASON[closure.reason])
    else:
        _step(demo, case, "complete", at, outcome_summary=SUMMARY[case.flow.programme])
    if closure.afterwards is not None:
        closure.afterwards()


def _when(actions: dict[str, datetime]) -> Case:
    return Case(
        *(When(action=action, then=Value(at)) for action, at in actions.items()),
        default=F("at"),
        output_field=DateTimeField(),
    )


def _backdate(demo: Demo, case: CaseFile) -> None:
    """The state machine stamps every step now; write the demo's own times back (as the tests do)."""
    if case.referral is None:
        return
    at = case.at
    closed = next((at[a] for a in ("complete", "discontinue", "decline", "cancel") if a in at), None)
    due = timezone.localdate(case.sent) + timedelta(days=case.referral.receiving_unit.first_contact_days)
    Referral.objects.filter(pk=case.referral.pk).update(
        created_at=at["create"],
        updated_at=max(at.values()),
        sent_at=at["send"],
        received_at=at.get("receive"),
        accepted_at=at.get("accept"),
        first_contact_at=at.get("first_contact"),
        closed_at=closed,
        first_contact_due=due,
    )
    ReferralEvent.objects.filter(referral_id=case.referral.pk).update(at=_when(at))
    if case.pathway is not None:
        PathwayEvent.objects.filter(pathway_id=case.pathway.pk).update(at=_when(case.pathway_at))


def _measure(
    demo: Demo,
    pathway: Pathway,
    worker: Actor,
    instrument: str,
    point: int,
    on: date,
    values: dict[str, Any],
    context: dict[str, Any] | None = None,
    reason: str = "",
) -> None:
    pathways.measurement_add(
        actor=worker,
        pathway_id=pathway.pk,
        instrument=instrument,
        values=values,
        on=on,
        point_months=point,
        context=context,
        reason=reason,
    )
    demo.counts["measurements"] += 1


def _outcome(demo: Demo, pathway: Pathway, worker: Actor, kind: str, on: date, **extra: Any) -> None:
    pathways.outcome_add(actor=worker, pathway_id=pathway.pk, kind=kind, started_on=on, **extra)
    demo.counts["outcomes"] += 1


def _clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def _swemwbs(items: list[int]) -> dict[str, int]:
    return {f"item_{n}": value for n, value in enumerate(items, start=1)}


def _better(rng: random.Random, items: list[int], up: float, down: float = 0.08) -> list[int]:
    """Items of a 1-5 scale after a change: each one up with probability ``up``, down with ``down``."""
    changed = []
    for value in items:
        roll = rng.random()
        changed.append(_clamp(value + (1 if roll < up else -1 if roll < up + down else 0), 1, 5))
    return changed


def _exercise(demo: Demo, case: CaseFile) -> Closure | None:
    """Measurements at 0, 3 and 6 months (physical activity, SWEMWBS, weight and waist) with a
    plausible change; about one in five drops out on the way. After closure, a phone follow-up at
    12 months reaches about half of those who completed."""
    rng, pathway, worker = demo.rng, case.pathway, case.worker
    assert pathway is not None
    start = pathway.enrolled_on
    sex = "female" if rng.random() < 0.6 else "male"
    height = rng.gauss(164, 6) if sex == "female" else rng.gauss(178, 7)
    weight = rng.gauss(31, 3.5) * (height / 100) ** 2
    waist = rng.gauss(98, 8) if sex == "female" else rng.gauss(108, 8)
    moderate, vigorous, strength = rng.choice(range(0, 130, 10)), rng.choice([0, 0, 0, 10, 20]), 0
    mood = [rng.choice([2, 3, 3, 3, 4]) for _n in range(7)]
    response = rng.gauss(1, 0.6)  # how well this client responds: some get worse
    fate = rng.random()
    points = {0: start, 3: start + timedelta(days=91 + rng.randint(-7, 10))}
    points[6] = points[3] + timedelta(days=91 + rng.randint(-7, 10))
    last = 0 if fate < 0.10 else 3 if fate < 0.22 else 6
    for point, on in points.items():
        if point > last or on > demo.today:
            break
        if point:
            moderate = max(0, moderate + 10 * round(rng.gauss(4.5, 3.5) * response * 3 / point))
            vigorous = max(0, vigorous + rng.choice([0, 0, 10, 20]))
            strength = _clamp(strength + rng.choice([0, 1, 1, 2]) * (response > 0.5), 0, 7)
            mood = _better(rng, mood, 0.25 * max(response, 0))
            weight -= rng.gauss(1.4, 1.6) * response
            waist -= rng.gauss(1.8, 2.0) * response
        _measure(
            demo,
            pathway,
            worker,
            "pa_minutes",
            point,
            on,
            {"moderate_min": moderate, "vigorous_min": vigorous, "strength_days": strength},
        )
        _measure(demo, pathway, worker, "swemwbs", point, on, _swemwbs(mood))
        body = {"weight_kg": f"{weight:.1f}", "height_cm": f"{height:.1f}", "waist_cm": f"{waist:.1f}"}
        _measure(demo, pathway, worker, "body", point, on, body, {"sex": sex})
        if point == 0:
            pathways.contact_add(actor=worker, pathway_id=pathway.pk, on=on, kind="meeting", minutes=60)
    joined = start + timedelta(days=rng.randint(30, 100))
    if rng.random() < 0.4 and joined <= demo.today:
        _outcome(demo, pathway, worker, "group_joined", joined, note="Kuntosaliryhmä")
    if last < 6:
        on = points[last] + timedelta(days=rng.randint(20, 60))
        reason = rng.choice([PC.NO_SHOW, PC.CLIENT_DECLINED, PC.CLIENT_DECLINED, PC.MOVED])
        return Closure(on, reason) if on <= demo.today else None
    on = points[6] + timedelta(days=rng.randint(0, 10))
    reason = PC.GOALS_MET if rng.random() < 0.6 else PC.PLAN_COMPLETED
    year_on = points[6] + timedelta(days=182 + rng.randint(-7, 14))

    def follow_up() -> None:
        if year_on > demo.today or rng.random() < 0.45:
            return
        pa = {
            "moderate_min": max(0, moderate - 10 * rng.randint(0, 4)),
            "vigorous_min": vigorous,
            "strength_days": _clamp(strength - rng.randint(0, 1), 0, 7),
        }
        why = "Vuoden seurantamittaus puhelimitse."
        _measure(demo, pathway, worker, "pa_minutes", 12, year_on, pa, reason=why)
        _measure(
            demo, pathway, worker, "swemwbs", 12, year_on, _swemwbs(_better(rng, mood, 0.1, 0.15)), reason=why
        )
        case.pathway_at["measurement_after_closure"] = demo.at(year_on)

    return Closure(on, reason, afterwards=follow_up) if on <= demo.today else None


def _link_work(demo: Demo, case: CaseFile, *, extend: bool) -> Closure | None:
    """At most six months of support (one pathway extended past it), SWEMWBS and loneliness at the
    start and at six months, groups joined and volunteering."""
    rng, worker = demo.rng, case.worker
    pathway = case.pathway
    assert pathway is not None
    start = pathway.enrolled_on
    mood = [rng.choice([2, 2, 3, 3]) for _n in range(7)]
    lonely = {k: rng.choice([2, 3, 3]) for k in ("companionship", "left_out", "isolated")}
    _measure(demo, pathway, worker, "swemwbs", 0, start, _swemwbs(mood))
    _measure(demo, pathway, worker, "ucla3", 0, start, lonely)
    if rng.random() < 0.5 and (joined := start + timedelta(days=rng.randint(20, 90))) <= demo.today:
        _outcome(demo, pathway, worker, "group_joined", joined, note="Vertaisryhmä")
    if rng.random() < 0.15 and (helping := start + timedelta(days=rng.randint(40, 150))) <= demo.today:
        _outcome(demo, pathway, worker, "volunteering", helping)
    reasons, weights = zip(
        (PC.GOALS_MET, 40),
        (PC.PLAN_COMPLETED, 25),
        (PC.REFERRED_ON, 15),
        (PC.CLIENT_DECLINED, 10),
        (PC.MOVED, 5),
        (PC.NO_SHOW, 5),
        strict=True,
    )
    reason = rng.choices(reasons, weights)[0]
    length = rng.randint(70, 180)
    age = (demo.today - start).days
    if extend and 240 <= age <= 420 and pathway.ends_by is not None:
        until = pathway.ends_by + timedelta(days=61)
        extended_on = demo.at(pathway.ends_by - timedelta(days=10))
        pathways.pathway_extend(
            actor=worker,
            pathway_id=pathway.pk,
            version=None,
            until=until,
            reason="Asiakas aloittaa vertaisryhmän; tuki jatkuu siirtymän ajan.",
        )
        case.pathway_at["extend"] = extended_on
        length, reason = 215, PC.GOALS_MET
    closed = start + timedelta(days=length)
    if length >= 150 and closed <= demo.today:
        mood = _better(rng, mood, 0.35)
        lonely = {k: _clamp(v - (rng.random() < 0.4), 1, 3) for k, v in lonely.items()}
        _measure(demo, pathway, worker, "swemwbs", 6, closed, _swemwbs(mood))
        _measure(demo, pathway, worker, "ucla3", 6, closed, lonely)
    return Closure(closed, reason) if closed <= demo.today else None


IPS_PROGRESS = ("study", "volunteering", "work_trial", "other_progress")


def _ips(demo: Demo, pathway: Pathway, worker: Actor) -> Closure | None:
    """A collaboration agreement, then competitive employment for about a third and another step
    forward for about a fifth (the Soite report: 34 % and 56 %)."""
    rng = demo.rng
    _measure(demo, pathway, worker, "was", 0, pathway.enrolled_on, {"work_ability": rng.randint(2, 6)})
    agreed = pathway.agreement_on
    if agreed is None:
        return None
    pathways.contact_add(actor=worker, pathway_id=pathway.pk, on=agreed, kind="meeting", minutes=60)
    waited = (demo.today - agreed).days
    roll = rng.random()
    if (half_year := pathway.enrolled_on + timedelta(days=182)) <= demo.today and roll < 0.85:
        _measure(demo, pathway, worker, "was", 6, half_year, {"work_ability": rng.randint(4, 8)})
    if waited >= 45 and roll < 0.42:
        job = agreed + timedelta(days=rng.randint(30, min(210, waited)))
        hours = Decimal(rng.choice(["10", "15", "20", "25", "30", "37.5"]))
        _outcome(demo, pathway, worker, "competitive_employment", job, hours_per_week=hours)
        done = max(job + timedelta(days=rng.randint(120, 270)), half_year + timedelta(days=7))
        return Closure(done, PC.PLAN_COMPLETED) if done <= demo.today else None
    if waited >= 45 and roll < 0.66:
        step = agreed + timedelta(days=rng.randint(30, min(200, waited)))
        _outcome(demo, pathway, worker, rng.choice(IPS_PROGRESS), step)
        return None
    if roll > 0.9 and (left := agreed + timedelta(days=rng.randint(40, 200))) <= demo.today:
        return Closure(left, PC.CLIENT_DECLINED)
    return None


# --- activity passes ---


def _passes(demo: Demo) -> None:
    """LiiKu passes from the health centre's health checks and from link work, used at Kokkola's
    sports and culture services; every 20th visit earns the reward."""
    rng = demo.rng
    covered = list(
        PassProgramme.objects.get(code="liiku").services.filter(status=Service.Status.ACTIVE).order_by("pk")
    )
    if not covered:
        return
    link_pathways = list(
        Pathway.objects.filter(
            programme_id="link_worker", unit=demo.units["link_worker"], enrolled_on__lte=demo.today
        ).order_by("enrolled_on")
    )
    cards: list[tuple[Pass, Actor, date, list[date]]] = []
    # Visits a week while the pass is in use: two never use it, six are keen (a reward every 20 visits).
    usage = [0.0] * 2 + [0.3] * 12 + [0.7] * 10 + [1.6] * 6
    rng.shuffle(usage)
    for n, per_week in enumerate(usage):
        oldest = 330 if per_week > 1 else SPAN_DAYS - 60
        issued = demo.today - timedelta(days=rng.randint(10 if per_week < 1 else 130, oldest))
        data = attendance.PassIssue(programme="liiku", unit_id=demo.health_centre.pk)
        actor = demo.nurse
        candidates = [p for p in link_pathways if p.enrolled_on <= issued]
        if n % 4 == 3 and candidates:
            pathway = rng.choice(candidates)
            link_pathways.remove(pathway)
            actor = pathway.worker
            data = attendance.PassIssue(programme="liiku", unit_id=pathway.unit_id, pathway_id=pathway.pk)
        else:
            data.client = demo.client()
        # pass_issue refuses a pass that would have expired already; issue it as late as the visits
        # marked below allow (they are marked in the last seven days) and write the real date back.
        data.issued_on = min(max(issued, demo.today - timedelta(days=358)), demo.today - timedelta(days=8))
        card = attendance.pass_issue(actor=actor, data=data)
        demo.counts["passes"] += 1
        cards.append((card, actor, issued, _visit_days(rng, per_week, issued, demo.today)))
    for card, _actor, issued, days in cards:
        _visits(demo, card, days, rng.sample(covered, k=min(len(covered), rng.randint(2, 4))), covered)
        Pass.objects.filter(pk=card.pk).update(
            issued_on=issued, valid_until=issued + timedelta(days=card.programme.valid_days)
        )
    for card, actor, issued, days in cards[:2]:  # two clients moved away (withdrawn now, dated back)
        attendance.pass_withdraw(actor=actor, pass_id=card.pk, reason="Asiakas muutti pois kunnasta.")
        gone = (days[-1] if days else issued) + timedelta(days=rng.randint(10, 40))
        Pass.objects.filter(pk=card.pk).update(
            withdrawn_at=demo.at(min(gone, demo.today - timedelta(days=1)))
        )


def _visit_days(rng: random.Random, per_week: float, issued: date, today: date) -> list[date]:
    """The days a pass was used: a spell of some months, ``per_week`` visits a week on average."""
    first = issued + timedelta(days=rng.randint(0, 20))
    last = min(first + timedelta(days=rng.randint(100, 300)), issued + timedelta(days=364), today)
    span = (last - first).days
    if per_week == 0 or span <= 0:
        return []
    count = min(span, max(1, round(rng.gauss(per_week * span / 7, 2))))
    return sorted(first + timedelta(days=d) for d in rng.sample(range(span + 1), count))


def _visits(
    demo: Demo, card: Pass, days: list[date], favourites: list[Service], covered: list[Service]
) -> None:
    """Mark the visits through the desk; the desk may mark only the last seven days, so each mark
    goes on a free day of that week and the real day is written back afterwards."""
    rng = demo.rng
    used: set[tuple[Any, date]] = set()
    window = [demo.today - timedelta(days=d) for d in range(8)]
    marked: list[tuple[Visit, date]] = []
    rewards: list[tuple[Reward, date]] = []
    for number, day in enumerate(days, start=1):
        choices = [s for s in favourites if any((s.pk, w) not in used for w in window)] or [
            s for s in covered if any((s.pk, w) not in used for w in window)
        ]
        service = rng.choice(choices)
        slot = next(w for w in window if (service.pk, w) not in used)
        used.add((service.pk, slot))
        result = attendance.visit_mark(
            actor=demo.desk, token=card.token, service_id=service.pk, key=f"demo-{card.pk}-{number}", on=slot
        )
        marked.append((result.visit, day))
        if result.reward is not None:
            rewards.append((result.reward, day))
    # Two steps, so that no row meets another mark of the same service and day on the way.
    visits = [visit for visit, _day in marked]
    for n, visit in enumerate(visits):
        visit.on = date(2000, 1, 1) + timedelta(days=n)
    Visit.objects.bulk_update(visits, ["on"], batch_size=500)
    for visit, day in marked:
        visit.on, visit.marked_at = day, demo.at(day, 9, 20)
    Visit.objects.bulk_update(visits, ["on", "marked_at"], batch_size=500)
    demo.counts["visits"] += len(marked)
    # A reward is stamped when the mark is made and when it is handed out: write the demo's days back.
    for reward, day in rewards:
        earned = demo.at(day, 9, 20)
        handed = day + timedelta(days=rng.randint(0, 21))
        if handed <= demo.today - timedelta(days=1) and rng.random() < 0.85:
            attendance.reward_hand_out(actor=demo.desk, reward_id=reward.pk)
            Reward.objects.filter(pk=reward.pk).update(earned_at=earned, handed_out_at=demo.at(handed))
        else:
            Reward.objects.filter(pk=reward.pk).update(earned_at=earned)
        demo.counts["rewards"] += 1


# --- groups ---

# (service key, weekday, hour, head count, every n weeks, age band, share of women, leading association)
GROUPS: tuple[tuple[str, int, int, int, int, str, float, str], ...] = (
    ("kokkola-vesijumppa", 1, 10, 16, 1, "65+", 0.8, ""),
    ("kokkola-tuolijumppa", 2, 13, 11, 1, "65+", 0.75, "demo:kokkolan-eks"),
    ("kokkola-ikakunto", 3, 10, 12, 1, "65+", 0.65, ""),
    ("kokkola-soveltava-liikunta", 0, 17, 8, 1, "30-64", 0.5, ""),
    ("kokkola-luontoliikunta", 4, 15, 9, 2, "30-64", 0.6, ""),
    ("kokkola-lukupiiri", 1, 17, 7, 2, "65+", 0.85, "demo:ks-mielenterveys"),
    ("kokkola-lascirkel", 3, 17, 6, 2, "65+", 0.8, ""),
    ("kokkola-kielikahvila", 2, 16, 14, 1, "18-29", 0.55, ""),
    ("kokkola-museo-senioreille", 4, 10, 10, 2, "65+", 0.7, ""),
    ("kokkola-kansalaisopisto-kuoro", 0, 18, 13, 1, "30-64", 0.75, ""),
)


def _groups(demo: Demo) -> None:
    """Weekly or fortnightly meetings of ten of Kokkola's groups, with a summer break, and whether each
    group continues; recorded by Kokkola's front desk (kokkola.kassa)."""
    rng = demo.rng
    services = {
        s.external_id: s for s in Service.objects.filter(external_id__in=[f"demo:{g[0]}" for g in GROUPS])
    }
    leaders = dict(
        Organization.objects.filter(external_id__startswith="demo:").values_list("external_id", "pk")
    )
    first_day = demo.today - timedelta(days=SPAN_DAYS)
    for index, (key, weekday, hour, size, every, band, women, leader) in enumerate(GROUPS):
        service = services.get(f"demo:{key}")
        if service is None:
            continue
        # Two groups started this spring; one ended last December.
        starts = date(demo.today.year, 3, 1) if index in (3, 7) else first_day
        ends = date(demo.today.year - 1, 12, 15) if index == 8 else demo.today
        day = starts + timedelta(days=(weekday - starts.weekday()) % 7)
        week = 0
        while day <= ends:
            summer = (6, 10) <= (day.month, day.day) <= (8, 15)
            if not summer and week % every == 0 and rng.random() > 0.05:  # a few cancelled meetings
                _meeting(demo, service, day, hour, size, band, women, leaders.get(leader))
            day += timedelta(days=7)
            week += 1
        for year in (demo.today.year - 1, demo.today.year):
            continues = not (index == 8 or (year == demo.today.year and index in (5, 9)))
            attendance.group_year_set(actor=demo.desk, service_id=service.pk, year=year, continues=continues)
            demo.counts["group_years"] += 1


def _meeting(
    demo: Demo, service: Service, day: date, hour: int, size: int, band: str, women: float, leader: Any
) -> None:
    starts_at = timezone.make_aware(datetime.combine(day, time(hour)))
    if starts_at > demo.now:
        return
    rng = demo.rng
    head_count = max(2, round(rng.gauss(size, size / 4)))
    female = _clamp(head_count * women + rng.gauss(0, 1), 0, head_count)
    others = _band_other(band)
    other = min(head_count, rng.choice([0, 0, 1, 2]))
    attendance.meeting_record(
        actor=demo.desk,
        service_id=service.pk,
        starts_at=starts_at,
        head_count=head_count,
        new_visitors=min(head_count, rng.choice([0, 0, 0, 1, 1, 2, 3])),
        by_age={band: head_count - other, others: other} if other else {band: head_count},
        by_gender={"female": female, "male": head_count - female},
        leader_ids=[leader] if leader else None,
    )
    demo.counts["meetings"] += 1


def _band_other(band: str) -> str:
    return {"65+": "30-64", "30-64": "65+", "18-29": "30-64"}.get(band, "30-64")


# --- costs and service use ---


def _costs(demo: Demo) -> None:
    county = demo.health_centre.organization_id
    year = demo.today.year
    entries: Sequence[tuple[str, date, date, str, str, str]] = (
        (
            "exercise_counselling",
            date(year, 1, 1),
            date(year, 12, 31),
            "58400.00",
            "staff",
            "Liikuntaneuvojan palkka ja sivukulut (1 htv)",
        ),
        (
            "ips",
            date(year - 1, 1, 1),
            date(year, 12, 31),
            "246000.00",
            "staff",
            "IPS-työhönvalmentajat (2 htv), RRP-hankerahoitus",
        ),
    )
    for programme, starts_on, ends_on, amount, category, description in entries:
        reporting.programme_cost_add(
            actor=demo.coordinator,
            organization_id=county,
            programme=programme,
            starts_on=starts_on,
            ends_on=ends_on,
            amount=amount,
            category=category,
            description=description,
        )
        demo.counts["programme_costs"] += 1


# The cohort's psychiatric visits per month against the baseline year (the Soite report: 1.55 in the
# baseline year, then 1.90, 1.49 and 1.20 by quarter): a rise when coaching starts, then a decline.
QUARTER_FACTOR = {1: 1.2, 2: 0.95, 3: 0.78, 4: 0.7}


def _visits_in_month(rng: random.Random, mean: float) -> int:
    """A whole number of visits whose expected value is ``mean`` (randomised rounding keeps the trend
    readable in a cohort of forty)."""
    return math.floor(mean) + (rng.random() < mean % 1)


def _service_use(demo: Demo, client_ids: list[Any]) -> None:
    """A health record extract of the IPS clients' monthly psychiatric outpatient visits, imported
    through the reporting service (last year as the baseline, this year by month up to now)."""
    if not client_ids:
        return
    rng = demo.rng
    pseudonyms = dict(Client.objects.filter(pk__in=client_ids).values_list("pk", "pseudonym"))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["pseudonym", "month", "visit_type", "count"])
    months = [date(demo.today.year - 1, m, 1) for m in range(1, 13)]
    months += [date(demo.today.year, m, 1) for m in range(1, demo.today.month + 1)]
    for client_id in client_ids:
        usual = rng.gammavariate(4, 0.39)  # the client's own rate; the cohort's mean is about 1.55
        for month in months:
            factor = 1.0 if month.year < demo.today.year else QUARTER_FACTOR[(month.month - 1) // 3 + 1]
            writer.writerow(
                [
                    pseudonyms[client_id],
                    f"{month:%Y-%m}",
                    "psychiatric",
                    _visits_in_month(rng, usual * factor),
                ]
            )
    record = reporting.service_use_import(
        actor=demo.coordinator,
        organization_id=demo.health_centre.organization_id,
        source_name="demo-psykiatrian-kaynnit.csv",
        data=out.getvalue().encode(),
    )
    demo.counts["service_use_rows"] += record.rows_stored
