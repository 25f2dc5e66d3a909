"""Report speed (issue 8): the funnel, outcome and pre/post reports (and service use and costs) for a
whole year, on a county's worth of generated data, on SQLite and on PostgreSQL. Targets: each report
under 2 s on PostgreSQL and under 10 s on SQLite. Prints one table. Not run by the tests.

The data is generated directly in bulk (``hyte.core.bulk.insert_rows``: executemany on SQLite, COPY on
PostgreSQL), not through the services, which would take hours; but it is what the services would have
written, with a fixed seed. At ``--scale 1``:

- a wellbeing services county (Soite) with 31 units in its 8 municipalities (health stations, adult
  social work, exercise counselling in each; psychiatry, health checks of the unemployed, IPS, two
  link-worker teams, lifestyle, money and rehabilitation counselling, the coordinators' unit), two
  associations that take referrals, and a neighbouring county (Vaasa) whose data is out of scope;
  professionals, receivers, front-desk staff and the coordinator as users;
- 200,000 clients (pseudonym, municipality by population, birth year, language);
- 300,000 referrals over three years, sent on working days with growth and a summer dip, each
  followed through its states until today (sent, received, accepted or declined with a code, first
  contact, in progress, completed or discontinued with a reason, or cancelled): timestamps in order,
  ``first_contact_due`` from the unit's days, a consent and one ``ReferralEvent`` per step;
- 150,000 pathways in the six shipped programmes (from accepted referrals, plus walk-ins and
  self-referrals to rehabilitation counselling) with enrolment and closure events; IPS collaboration
  agreements and outcomes (34 % employed, 22 % other progress), link-worker and exercise outcomes;
- 1,000,000 measurements at the programmes' points (0/3/6/12 months) with attrition, answers drawn per
  client with a drift towards better, scored by the instrument's own ``score()`` and stored as the
  service stores them;
- passes (LiiKu pass and the free exercise card, both from the migrations) on 40 provider services of
  the 8 municipalities, with 2,000,000 visits (one per pass, service and day; a unique key each),
  counts and rewards kept as ``visit_mark`` keeps them; 24 low-threshold groups with weekly meetings
  and yearly "continues" answers;
- service-use rows (per client, month and visit type, counts > 0) for the IPS and link-worker clients
  over the report year and its baseline year, and quarterly programme costs.

Then ``ANALYZE`` (VACUUM ANALYZE on PostgreSQL), and each report of ``hyte.reporting.registry`` is
built ``--repeat`` times for the most recent full calendar year as the coordinator sees it
(``BY_KEY[key].build(scope_for(coordinator), parse_filter(...))``), also with each breakdown the
report offers. A report whose builder does not exist yet is shown as "missing".

    .venv/bin/python bench/report_speed.py [--scale 1.0] [--repeat 5] [--only sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import sys
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from _engines import ENGINES, run_worker  # noqa: E402
from catalog_generator import KINDS, MUNICIPALITIES  # noqa: E402

SEED = 8
SIZES = {
    "clients": 200_000,
    "referrals": 300_000,
    "pathways": 150_000,
    "measurements": 1_000_000,
    "visits": 2_000_000,
}
TARGET_S = {"postgresql": 2.0, "sqlite": 10.0}
REPORTS = ("funnel", "outcomes", "prepost", "service-use", "costs")
DATABASE = "hyte_bench_reports"
HEL = ZoneInfo("Europe/Helsinki")
BATCH = 100_000

# Keski-Pohjanmaa: the first eight of the generator's municipalities, weighted by population.
KP = MUNICIPALITIES[:8]
POPULATION = {"272": 48_000, "217": 5_300, "236": 4_300, "074": 1_100, "924": 3_100, "584": 2_700}
POPULATION |= {"849": 3_000, "421": 700}
NEIGHBOUR = next(m for m in MUNICIPALITIES if m[1] == "Vaasa")
NEIGHBOUR_SHARE = 0.05  # of clients and referrals: the neighbouring county, outside the scope

FIRST_NAMES = ["Aino", "Eino", "Helmi", "Juho", "Kaisa", "Lauri", "Maria", "Mikko", "Sanna", "Timo"]
FIRST_NAMES += ["Anna", "Erik", "Linnea", "Johan", "Elina", "Pekka", "Tiina", "Jari", "Sofia", "Ville"]
LAST_NAMES = ["Korhonen", "Virtanen", "Mäkinen", "Nieminen", "Hietala", "Kentala", "Björkqvist"]
LAST_NAMES += ["Ojala", "Salo", "Heikkinen", "Laitinen", "Östman", "Kangas", "Peltola", "Rahkola"]
REASONS = {
    "exercise": ["Liikkuu vähän.", "Painonhallinta ja liikunnan aloittaminen.", "Verenpaine koholla."],
    "wellbeing": ["Yksinäisyyttä, kaipaa toimintaa.", "Haluaa töihin.", "Taloushuolia.", "Arki ei suju."],
}
DECLINE_CODES = {
    "not_target_group": 30,
    "other_service": 25,
    "no_capacity": 10,
    "unreachable": 15,
    "client_declined": 15,
    "other": 5,
}
END_REASONS = {"client_declined": 40, "no_show": 30, "moved": 10, "other": 20}
CLOSE_FOR_END = {
    "client_declined": "client_declined",
    "no_show": "no_show",
    "moved": "moved",
    "other": "other",
}

# Days from the first contact to the end of the work, per programme (and for units without one).
DURATION = {
    "exercise_counselling": (350, 420),
    "lifestyle": (150, 400),
    "link_worker": (90, 183),
    "ips": (120, 600),
    "money_counselling": (30, 180),
    "rehabilitation_counselling": (14, 120),
    None: (20, 90),
}
# Instruments used per programme, with the share of pathways where the counsellor uses each one.
INSTRUMENT_USE = {
    "exercise_counselling": {
        "pa_minutes": 1.0,
        "body": 0.8,
        "swemwbs": 0.7,
        "sitting": 0.6,
        "self_rated_fitness": 0.6,
        "self_rated_health": 0.6,
    },
    "lifestyle": {"pa_minutes": 0.9, "body": 0.9, "sitting": 0.4, "self_rated_health": 0.5, "auditc": 0.3},
    "link_worker": {"swemwbs": 0.9, "ons4": 0.6, "ucla3": 0.6},
    "ips": {"was": 0.9, "swemwbs": 0.8},
    "money_counselling": {"ons4": 0.8},
    "rehabilitation_counselling": {"was": 0.6, "self_rated_health": 0.7, "ons4": 0.6},
}
KEEP_AT_POINT = {0: 0.97, 3: 0.88, 6: 0.8, 12: 0.75}  # attendance at a measurement point that is due
SERVICE_USE_TYPES = {"ips": ("psychiatric", 1.6, 0.35), "link_worker": ("primary_care", 0.9, 0.3)}


def _weighted(rng: random.Random, weights: Mapping[Any, float]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _local(day: date, hour: float) -> datetime:
    """A local (Helsinki) time on ``day``."""
    minutes = int(hour * 60)
    return datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=HEL)


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


PLAIN = {"AutoField", "BigAutoField", "CharField", "SlugField", "TextField", "BooleanField", "IntegerField"}
PLAIN |= {"PositiveIntegerField", "PositiveSmallIntegerField", "SmallIntegerField", "BigIntegerField"}


def _fast_converter(f: Any) -> Callable[[Any], Any] | None:
    """A quicker equivalent of ``f.get_db_prep_save(value, connection)`` for the values this generator
    makes (aware datetimes, dates, UUIDs, JSON), or None to use ``hyte.core.bulk``'s own."""
    from datetime import UTC

    from django.db import connection
    from django.db.models import ForeignKey

    target = f.target_field if isinstance(f, ForeignKey) else f
    kind = target.get_internal_type()
    if kind in PLAIN:
        return lambda value: value
    if connection.vendor == "postgresql":
        return (lambda value: value) if kind in ("DateTimeField", "DateField") else None
    if kind == "DateTimeField":  # SQLite: naive UTC text (DatabaseOperations.adapt_datetimefield_value)
        return lambda value: None if value is None else str(value.astimezone(UTC).replace(tzinfo=None))
    if kind == "DateField":
        return lambda value: None if value is None else value.isoformat()
    if kind == "UUIDField" and not isinstance(f, ForeignKey):
        return lambda value: None if value is None else value.hex
    if kind == "JSONField":
        return lambda value: None if value is None else json.dumps(value, cls=f.encoder)
    return None


def _default_per_row(f: Any, now: datetime) -> Callable[[dict[str, Any]], Any]:
    from hyte.core import bulk

    return lambda row: bulk._value(f, {}, now)


def _constant(value: Any) -> Callable[[dict[str, Any]], Any]:
    return lambda row: value


def _item(f: Any, name: str, now: datetime) -> Callable[[dict[str, Any]], Any]:
    """The row's value, or the field's default when this row leaves it out (as ``bulk._value``)."""
    from hyte.core import bulk

    return lambda row: row[name] if name in row else bulk._value(f, row, now)


def insert_rows(model: Any, rows: list[dict[str, Any]]) -> None:
    """``hyte.core.bulk.insert_rows`` (executemany on SQLite, COPY on PostgreSQL) with quicker value
    conversion: there, every value goes through its field's ``get_db_prep_save``, which for millions
    of datetimes was most of the generation time. The quick converters are checked against the
    field's own conversion on the first rows of every batch and every 1000th."""
    from django.db import connection
    from django.utils import timezone

    from hyte.core import bulk

    given = rows[0].keys()
    fields = bulk._columns(model, given)
    now = timezone.now()
    getters: list[Callable[[dict[str, Any]], Any]] = []
    converters: list[tuple[Any, Callable[[Any], Any], bool]] = []
    for f in fields:
        name = f.attname if f.attname in given else f.name if f.name in given else None
        if name is None and callable(f.default):  # the model's default, per row (a token ...)
            getters.append(_default_per_row(f, now))
        elif name is None:
            getters.append(_constant(bulk._value(f, {}, now)))
        else:
            getters.append(_item(f, name, now))
        fast = _fast_converter(f)
        converters.append((f, fast or bulk._converter(f), fast is not None))
    params = []
    for n, row in enumerate(rows):
        values = [get(row) for get in getters]
        params.append([convert(v) for (_f, convert, _q), v in zip(converters, values, strict=True)])
        if n < 20 or n % 1000 == 0:
            for (f, convert, quick), value in zip(converters, values, strict=True):
                if quick and convert(value) != f.get_db_prep_save(value, connection):
                    raise AssertionError(f"{model.__name__}.{f.name}: {value!r} converted differently")
    table = model._meta.db_table
    columns = [str(f.column) for f in fields]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            bulk._pg_copy(cursor, table, columns, params, False)
        else:
            qn = connection.ops.quote_name
            sql = "INSERT INTO {} ({}) VALUES ({})".format(  # names from the model, values as parameters
                qn(table), ", ".join(qn(c) for c in columns), ", ".join(["%s"] * len(columns))
            )
            cursor.executemany(sql, params)


@dataclass
class UnitSpec:
    key: str
    name: str
    kind: str
    municipality: str
    programme: str | None = None  # the programme the unit runs, if it receives
    receives: bool = False
    sends: bool = False
    organization: str = "county"
    pk: Any = None
    workers: list[Any] = field(default_factory=list)  # user ids


@dataclass
class Counts:
    rows: Counter[str] = field(default_factory=Counter)
    seconds: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)


class Generator:
    """Generates and loads the whole data set; ``scale`` multiplies the sizes (not the units)."""

    def __init__(self, scale: float) -> None:
        from django.utils import timezone

        self.rng = random.Random(SEED)
        self.scale = scale
        # Today's local midnight as "now": the same data all day long, on both engines.
        self.today = timezone.localdate()
        self.now = _local(self.today, 0)
        self.start = self.today - timedelta(days=3 * 365)
        self.year = self.today.year - 1  # the most recent full year
        self.counts = Counts()
        self.units: dict[str, UnitSpec] = {}
        self.sizes = {key: max(1, round(value * scale)) for key, value in SIZES.items()}

    # --- helpers --------------------------------------------------------------------------------------

    def insert(self, model: Any, rows: Iterable[dict[str, Any]]) -> None:
        """Insert in batches, one transaction per batch; counted per table. On SQLite the table's
        secondary indexes are dropped for the load and created again from their own SQL afterwards
        (the same indexes; built from the loaded rows at once, which SQLite does much faster than
        row by row)."""
        from django.db import connection, transaction

        table = model._meta.db_table
        indexes: list[tuple[str, str]] = []
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                    [table],
                )
                indexes = cursor.fetchall()
                for name, _sql in indexes:
                    cursor.execute(f'DROP INDEX "{name}"')
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                with transaction.atomic():
                    insert_rows(model, batch)
                self.counts.rows[model._meta.label] += len(batch)
                batch = []
        if batch:
            with transaction.atomic():
                insert_rows(model, batch)
            self.counts.rows[model._meta.label] += len(batch)
        with connection.cursor() as cursor:
            for _name, sql in indexes:
                cursor.execute(sql)

    def step(self, name: str, work: Callable[[], None]) -> None:
        t, cpu = time.perf_counter(), time.process_time()
        work()
        self.counts.seconds[name] = time.perf_counter() - t
        self.counts.cpu[name] = time.process_time() - cpu
        print(
            f"  {name}: {self.counts.seconds[name]:.1f} s, CPU {self.counts.cpu[name]:.1f} s",
            file=sys.stderr,
            flush=True,
        )

    def run(self) -> None:
        self.step("organizations, units, users, services", self.setup)
        self.step("clients and referrals", self.referrals)
        self.step("pathways and outcomes", self.pathways)
        self.step("measurements", self.measurements)
        self.step("passes and visits", self.passes)
        self.step("groups", self.groups)
        self.step("service use and costs", self.service_use_and_costs)

    # --- organizations, units, users, services ------------------------------------------------------

    def setup(self) -> None:
        from django.contrib.auth import get_user_model

        from hyte.accounts.models import Membership, Unit, UnitRole
        from hyte.attendance.models import PassProgramme
        from hyte.catalog.models import Organization, Service

        users = get_user_model()
        orgs = {
            "county": Organization.objects.create(
                org_type=Organization.Type.COUNTY,
                name="Keski-Pohjanmaan hyvinvointialue Soite",
                name_fi="Keski-Pohjanmaan hyvinvointialue Soite",
                municipality_id="272",
            ),
            "neighbour": Organization.objects.create(
                org_type=Organization.Type.COUNTY,
                name="Pohjanmaan hyvinvointialue",
                name_fi="Pohjanmaan hyvinvointialue",
                municipality_id=NEIGHBOUR[0],
            ),
            "mental_health": Organization.objects.create(
                org_type=Organization.Type.ASSOCIATION,
                name="Kokkolan Seudun Mielenterveysseura",
                name_fi="Kokkolan Seudun Mielenterveysseura",
                municipality_id="272",
            ),
            "sports": Organization.objects.create(
                org_type=Organization.Type.ASSOCIATION,
                name="Keski-Pohjanmaan Liikunta",
                name_fi="Keski-Pohjanmaan Liikunta",
                municipality_id="272",
            ),
        }
        self.orgs = orgs
        specs: list[UnitSpec] = []
        for code, town, _sv in KP:
            specs += [
                UnitSpec(f"health:{code}", f"Terveysasema {town}", "county_unit", code, sends=True),
                UnitSpec(f"social:{code}", f"Aikuissosiaalityö {town}", "county_unit", code, sends=True),
                UnitSpec(
                    f"exercise:{code}",
                    f"Liikuntaneuvonta {town}",
                    "exercise_counselling",
                    code,
                    "exercise_counselling",
                    receives=True,
                ),
            ]
        specs += [
            UnitSpec("psychiatry", "Psykiatrian poliklinikka", "county_unit", "272", sends=True),
            UnitSpec("checks", "Työttömien terveystarkastukset", "county_unit", "272", sends=True),
            UnitSpec("ips", "IPS-työhönvalmennus", "other", "272", "ips", receives=True),
            UnitSpec("link:272", "Linkkityö Kokkola", "link_workers", "272", "link_worker", receives=True),
            UnitSpec("link:236", "Linkkityö Kaustinen", "link_workers", "236", "link_worker", receives=True),
            UnitSpec("lifestyle", "Elintapaohjaus", "county_unit", "272", "lifestyle", receives=True),
            UnitSpec(
                "money", "Talous- ja velkaneuvonta", "county_unit", "272", "money_counselling", receives=True
            ),
            UnitSpec(
                "rehab",
                "Matalan kynnyksen kuntoutusneuvonta",
                "county_unit",
                "272",
                "rehabilitation_counselling",
                receives=True,
            ),
            UnitSpec("coordination", "HYTE-koordinaatio", "county_unit", "272"),
            UnitSpec(
                "peer",
                "Mielenterveysseuran vertaistuki",
                "association",
                "272",
                receives=True,
                organization="mental_health",
            ),
            UnitSpec("sports", "Liikuntaluotsi", "association", "272", receives=True, organization="sports"),
            UnitSpec(
                f"health:{NEIGHBOUR[0]}",
                "Terveysasema Vaasa",
                "county_unit",
                NEIGHBOUR[0],
                sends=True,
                organization="neighbour",
            ),
            UnitSpec(
                f"exercise:{NEIGHBOUR[0]}",
                "Liikuntaneuvonta Vaasa",
                "exercise_counselling",
                NEIGHBOUR[0],
                "exercise_counselling",
                receives=True,
                organization="neighbour",
            ),
            UnitSpec(
                f"coordination:{NEIGHBOUR[0]}",
                "HYTE-koordinaatio Vaasa",
                "county_unit",
                NEIGHBOUR[0],
                organization="neighbour",
            ),
        ]
        n_user = 0
        for spec in specs:
            unit = Unit.objects.create(
                organization=orgs[spec.organization],
                kind=spec.kind,
                name=spec.name,
                name_fi=spec.name,
                municipality_id=spec.municipality,
                receives_referrals=spec.receives,
                receives_self_referrals=spec.key == "rehab",
            )
            spec.pk = unit.pk
            self.units[spec.key] = spec
            size = 3 if spec.key.startswith("health") or (spec.receives and spec.municipality == "272") else 2
            role = UnitRole.Role.RECEIVER if spec.receives else UnitRole.Role.PROFESSIONAL
            if spec.sends or spec.receives:
                for _ in range(size):
                    n_user += 1
                    user = users.objects.create_user(username=f"staff{n_user}", password=None)
                    UnitRole.objects.create(user=user, unit=unit, role=role)
                    spec.workers.append(user.pk)
        self.coordinator = users.objects.create_user(username="coordinator", password=None)
        UnitRole.objects.create(
            user=self.coordinator, unit_id=self.units["coordination"].pk, role=UnitRole.Role.COORDINATOR
        )
        other = users.objects.create_user(username="coordinator-vaasa", password=None)
        UnitRole.objects.create(
            user=other, unit_id=self.units[f"coordination:{NEIGHBOUR[0]}"].pk, role=UnitRole.Role.COORDINATOR
        )

        # Provider services: 5 in each municipality's own organization (sports and culture), covered
        # by the passes; each provider has a front-desk user who marks the visits.
        sport = [k for k in KINDS if k["theme"] == "liikunta"]
        culture = [k for k in KINDS if k["theme"] == "kulttuuri"]
        self.services: dict[str, list[tuple[Any, bool, Any]]] = {}  # municipality → (id, sport, desk)
        for code, town, _sv in KP:
            provider = Organization.objects.create(
                org_type=Organization.Type.MUNICIPALITY,
                name=f"{town}, vapaa-aikapalvelut",
                name_fi=f"{town}, vapaa-aikapalvelut",
                municipality_id=code,
            )
            desk = users.objects.create_user(username=f"desk{code}", password=None)
            Membership.objects.create(user=desk, organization=provider, role=Membership.Role.FRONT_DESK)
            offered = []
            for kind, is_sport in [(k, True) for k in sport] + [(culture[0], False)]:
                name = f"{kind['fi']} {town}"
                service = Service.objects.create(organization=provider, name=name, name_fi=name, free=True)
                offered.append((service.pk, is_sport, desk.pk))
            self.services[code] = offered
        every = [s for offered in self.services.values() for s in offered]
        PassProgramme.objects.get(code="liiku").services.set([s[0] for s in every])
        PassProgramme.objects.get(code="exercise_card").services.set([s[0] for s in every if s[1]])
        self.counts.rows["units"] = len(specs)
        self.counts.rows["services"] = len(every)

    # --- clients and referrals ----------------------------------------------------------------------

    def _days(self, n: int) -> list[date]:
        """``n`` days of sending between start and today: working days, a growing programme, a July dip."""
        days = [self.start + timedelta(days=i) for i in range((self.today - self.start).days + 1)]
        weights = []
        for day in days:
            w = 1.0 + 0.25 * (day - self.start).days / 365  # a quarter more every year
            w *= 0.4 if day.month == 7 else (0.8 if day.month == 12 else 1.0)
            w *= 1.0 if day.weekday() < 5 else 0.03
            weights.append(w)
        return sorted(self.rng.choices(days, cum_weights=list(accumulate(weights)), k=n))

    def _route(self, municipality: str) -> tuple[UnitSpec, UnitSpec, str]:
        """Referring unit, receiving unit and kind for a client of ``municipality``."""
        r = self.rng.random
        u = self.units
        if municipality == NEIGHBOUR[0]:
            return u[f"health:{municipality}"], u[f"exercise:{municipality}"], "exercise"
        x = r()
        sender = (
            u[f"health:{municipality}"]
            if x < 0.5
            else u[f"social:{municipality}"]
            if x < 0.75
            else u["checks"]
            if x < 0.9
            else u["psychiatry"]
        )
        y = r()
        if sender.key == "psychiatry":
            return (
                sender,
                u["ips"] if y < 0.45 else u["rehab"] if y < 0.6 else self._link(municipality),
                "wellbeing",
            )
        if sender.key.startswith("health") or (sender.key == "checks" and y < 0.5):
            if y < 0.75:
                return sender, u[f"exercise:{municipality}"], "exercise"
            return sender, u["lifestyle"] if y < 0.88 else u["sports"], "exercise"
        if y < 0.35:
            target = self._link(municipality)
        elif y < 0.45:
            target = u["ips"]
        elif y < 0.6:
            target = u["money"]
        elif y < 0.8:
            target = u["rehab"]
        else:
            target = u["peer"]
        return sender, target, "wellbeing"

    def _link(self, municipality: str) -> UnitSpec:
        return self.units["link:272" if municipality in ("272", "217", "421") else "link:236"]

    def _course(self, sent: datetime, receiver: UnitSpec) -> dict[str, Any]:
        """Where a referral sent at ``sent`` got to by now: its status, timestamps and steps."""
        rng, now = self.rng, self.now
        row: dict[str, Any] = {"status": "sent", "sent_at": sent, "steps": [("draft", "sent", "send", sent)]}
        row["first_contact_due"] = (sent + timedelta(days=14)).date()
        if rng.random() < 0.015:  # a draft never sent
            return {
                "status": "draft",
                "sent_at": None,
                "first_contact_due": None,
                "steps": [],
                "updated": sent,
            }

        def close(status: str, at: datetime, source: str, action: str) -> dict[str, Any]:
            row.update(status=status, closed_at=at)
            row["steps"].append((source, status, action, at))
            return row

        received = sent + timedelta(hours=rng.expovariate(1 / 20))
        if rng.random() < 0.02:  # cancelled by the referrer before the receiver took it
            return close("cancelled", received, "sent", "cancel") if received <= now else row
        if received > now:
            return row
        row.update(status="received", received_at=received)
        row["steps"].append(("sent", "received", "receive", received))
        decided = received + timedelta(hours=rng.expovariate(1 / 30))
        if decided > now:
            return row
        x = rng.random()
        if x < 0.09:
            row["decline_code"] = _weighted(rng, DECLINE_CODES)
            return close("declined", decided, "received", "decline")
        if x < 0.10:
            return close("cancelled", decided, "received", "cancel")
        row.update(status="accepted", accepted_at=decided)
        row["steps"].append(("received", "accepted", "accept", decided))
        contact = decided + timedelta(days=rng.lognormvariate(math.log(6), 0.7))
        if contact > now:
            return row
        if rng.random() < 0.04:
            row["end_reason"] = _weighted(rng, END_REASONS)
            return close("discontinued", contact, "accepted", "discontinue")
        row.update(status="first_contact", first_contact_at=contact)
        row["steps"].append(("accepted", "first_contact", "first_contact", contact))
        source = "first_contact"
        started = contact + timedelta(days=rng.uniform(1, 14))
        if rng.random() < 0.85 and started <= now:
            row["status"] = source = "in_progress"
            row["steps"].append(("first_contact", "in_progress", "start", started))
        low, high = DURATION[receiver.programme]
        length = rng.uniform(low, high)
        if rng.random() < 0.2:
            ended = contact + timedelta(days=length * rng.uniform(0.1, 0.8))
            if ended <= now:
                row["end_reason"] = _weighted(rng, END_REASONS)
                return close("discontinued", ended, source, "discontinue")
        else:
            ended = contact + timedelta(days=length)
            if ended <= now:
                row["outcome_summary"] = "Tavoitteet saavutettu."
                return close("completed", ended, source, "complete")
        return row

    def referrals(self) -> None:
        from hyte.core.ids import new_id
        from hyte.referrals.models import Client, Consent, Referral, ReferralEvent

        rng = self.rng
        n_clients, n_referrals = self.sizes["clients"], self.sizes["referrals"]
        weights = {code: POPULATION[code] * (1 - NEIGHBOUR_SHARE) for code, _t, _s in KP}
        weights[NEIGHBOUR[0]] = sum(POPULATION.values()) * NEIGHBOUR_SHARE
        codes, cum = list(weights), list(accumulate(weights.values()))
        # Clients: a pool per municipality; referrals take a new client while there are some to spare
        # (the rest go to walk-ins and pass holders), otherwise one who was referred before.
        pool: dict[str, list[int]] = defaultdict(list)
        client_muni = rng.choices(codes, cum_weights=cum, k=n_clients)
        for i, code in enumerate(client_muni):
            pool[code].append(i)
        for members in pool.values():
            rng.shuffle(members)
        used: dict[str, list[int]] = defaultdict(list)
        share_new = 0.9 * n_clients / n_referrals
        self.first_seen: dict[int, datetime] = {}
        self.client_sex = ["female" if rng.random() < 0.6 else "male" for _ in range(n_clients)]
        referrals: list[dict[str, Any]] = []
        for day in self._days(n_referrals):
            code = rng.choices(codes, cum_weights=cum)[0]
            if pool[code] and (rng.random() < share_new or not used[code]):
                client = pool[code].pop()
                used[code].append(client)
            else:
                client = rng.choice(used[code] or [c for members in used.values() for c in members])
            sender, receiver, kind = self._route(code)
            sent = _local(day, rng.uniform(8, 16))
            course = self._course(sent, receiver)
            created = sent - timedelta(minutes=rng.uniform(3, 30))
            self.first_seen[client] = min(created, self.first_seen.get(client, created))
            referrals.append(
                {
                    "id": None,
                    "client": client,
                    "kind": kind,
                    "sender": sender,
                    "receiver": receiver,
                    "referrer": rng.choice(sender.workers),
                    "worker": rng.choice(receiver.workers),
                    "created": created,
                    **course,
                }
            )
        self.spare_clients = [c for members in pool.values() for c in members]
        self.client_muni = client_muni

        # Clients, in the order they were first seen (UUIDv7 keys in creation order).
        order = sorted(range(n_clients), key=lambda c: self.first_seen.get(c, self.now))
        self.client_ids: list[Any] = [None] * n_clients
        for c in order:
            self.client_ids[c] = new_id()
        langs = {"fi": 0.86, "sv": 0.11, "en": 0.03}

        def clients() -> Iterable[dict[str, Any]]:
            for c in order:
                seen = self.first_seen.get(c) or _local(self.start, 10)  # known from before
                yield {
                    "id": self.client_ids[c],
                    "pseudonym": uuid.UUID(int=rng.getrandbits(128), version=4),
                    "first_name": rng.choice(FIRST_NAMES),
                    "last_name": rng.choice(LAST_NAMES),
                    "birth_year": rng.randint(1940, 2006),
                    "preferred_language": _weighted(rng, langs),
                    "municipality_id": self.client_muni[c],
                    "created_at": seen,
                    "updated_at": seen,
                }

        self.insert(Client, clients())

        for r in referrals:
            r["id"] = new_id()
        self.referral_rows = referrals

        def referral_rows() -> Iterable[dict[str, Any]]:
            for r in referrals:
                steps = r["steps"]
                yield {
                    "id": r["id"],
                    "kind": r["kind"],
                    "status": r["status"],
                    "client_id": self.client_ids[r["client"]],
                    "referrer_id": r["referrer"],
                    "referring_unit_id": r["sender"].pk,
                    "receiving_unit_id": r["receiver"].pk,
                    "reason": rng.choice(REASONS[r["kind"]]),
                    "activity_level": rng.choice(["inactive", "some", "unknown"])
                    if r["kind"] == "exercise"
                    else "unknown",
                    "urgency": "routine" if rng.random() < 0.9 else "soon",
                    "decline_code": r.get("decline_code", ""),
                    "end_reason": r.get("end_reason", ""),
                    "outcome_summary": r.get("outcome_summary", ""),
                    "sent_at": r["sent_at"],
                    "received_at": r.get("received_at"),
                    "accepted_at": r.get("accepted_at"),
                    "first_contact_at": r.get("first_contact_at"),
                    "closed_at": r.get("closed_at"),
                    "first_contact_due": r["first_contact_due"],
                    "created_at": r["created"],
                    "updated_at": steps[-1][3] if steps else r["created"],
                }

        self.insert(Referral, referral_rows())

        def consents() -> Iterable[dict[str, Any]]:
            for r in referrals:
                if r["sent_at"] is not None:
                    yield {
                        "id": new_id(),
                        "referral_id": r["id"],
                        "given_by": "client",
                        "given_at": r["created"],
                        "method": "verbal" if rng.random() < 0.8 else "written",
                        "scope": "referral_statistics" if rng.random() < 0.7 else "referral",
                        "recorded_by_id": r["referrer"],
                    }

        self.insert(Consent, consents())

        def events() -> Iterable[dict[str, Any]]:
            # One per step, in time order across referrals (what the services write as they go).
            rows = []
            for r in referrals:
                rows.append((r["created"], r["id"], "", "draft", "create", r["referrer"]))
                for source, target, action, at in r["steps"]:
                    actor = r["referrer"] if action in ("send", "cancel") else r["worker"]
                    rows.append((at, r["id"], source, target, action, actor))
            rows.sort(key=lambda e: e[0])
            for at, referral, source, target, action, actor in rows:
                yield {
                    "referral_id": referral,
                    "from_status": source,
                    "to_status": target,
                    "action": action,
                    "actor_id": actor,
                    "at": at,
                }

        self.insert(ReferralEvent, events())

    # --- pathways and outcomes ----------------------------------------------------------------------

    def pathways(self) -> None:
        from hyte.core.ids import new_id
        from hyte.pathways.models import Outcome, Pathway, PathwayEvent

        rng, today = self.rng, self.today
        eligible = [
            r
            for r in self.referral_rows
            if r["receiver"].programme is not None and r.get("first_contact_at") is not None
        ]
        walk_ins = max(1, round(0.03 * self.sizes["pathways"]))
        chosen = rng.sample(eligible, min(len(eligible), self.sizes["pathways"] - walk_ins))
        pathways: list[dict[str, Any]] = []
        for r in chosen:
            unit: UnitSpec = r["receiver"]
            enrolled = r["first_contact_at"].astimezone(HEL).date()
            closed = r.get("closed_at")
            row: dict[str, Any] = {
                "programme_id": unit.programme,
                "client": r["client"],
                "unit": unit,
                "worker_id": r["worker"],
                "referral_id": r["id"],
                "origin": "referral",
                "enrolled_on": enrolled,
                "created_at": r["first_contact_at"],
            }
            if closed is not None:
                row["closed_on"] = max(enrolled, closed.astimezone(HEL).date())
                if r["status"] == "completed":
                    row["closure_reason"] = rng.choice(["goals_met", "plan_completed"])
                    if unit.programme == "link_worker" and rng.random() < 0.3:
                        row["closure_reason"] = "time_limit"
                else:
                    row["closure_reason"] = CLOSE_FOR_END[r.get("end_reason", "other")]
            pathways.append(row)
        rehab = self.units["rehab"]
        for _ in range(walk_ins):
            if not self.spare_clients:
                break
            enrolled = self.start + timedelta(days=rng.randrange((today - self.start).days))
            row = {
                "programme_id": "rehabilitation_counselling",
                "client": self.spare_clients.pop(),
                "unit": rehab,
                "worker_id": rng.choice(rehab.workers),
                "referral_id": None,
                "origin": "walk_in" if rng.random() < 0.6 else "self_referral",
                "enrolled_on": enrolled,
                "created_at": _local(enrolled, rng.uniform(9, 15)),
            }
            end = enrolled + timedelta(days=rng.randint(*DURATION["rehabilitation_counselling"]))
            if end <= today:
                row["closed_on"], row["closure_reason"] = (
                    end,
                    rng.choice(["goals_met", "referred_on", "no_show"]),
                )
            pathways.append(row)
        pathways.sort(key=lambda p: p["created_at"])
        for p in pathways:
            p["id"] = new_id()
            if p["programme_id"] == "ips" and rng.random() < 0.85:
                agreed = p["enrolled_on"] + timedelta(days=rng.randint(0, 40))
                if agreed <= min(p.get("closed_on") or today, today):
                    p["agreement_on"] = agreed
        self.pathway_rows = pathways
        max_days = {"link_worker": 183}

        def pathway_rows() -> Iterable[dict[str, Any]]:
            for p in pathways:
                days = max_days.get(p["programme_id"])
                closed = p.get("closed_on")
                yield {
                    "id": p["id"],
                    "programme_id": p["programme_id"],
                    "client_id": self.client_ids[p["client"]],
                    "unit_id": p["unit"].pk,
                    "worker_id": p["worker_id"],
                    "referral_id": p["referral_id"],
                    "origin": p["origin"],
                    "triage": rng.choice(["green", "yellow", "yellow", "red"])
                    if p["programme_id"] == "rehabilitation_counselling"
                    else "",
                    "status": "closed" if closed else "active",
                    "enrolled_on": p["enrolled_on"],
                    "agreement_on": p.get("agreement_on"),
                    "ends_by": p["enrolled_on"] + timedelta(days=days) if days else None,
                    "closed_on": closed,
                    "closure_reason": p.get("closure_reason", ""),
                    "version": 2 if closed else 1,
                    "created_at": p["created_at"],
                    "updated_at": _local(closed, 15) if closed else p["created_at"],
                }

        self.insert(Pathway, pathway_rows())

        def events() -> Iterable[dict[str, Any]]:
            rows = []
            for p in pathways:
                rows.append((p["created_at"], p["id"], "enrol", "", p["worker_id"]))
                if p.get("closed_on"):
                    rows.append(
                        (_local(p["closed_on"], 15), p["id"], "close", p["closure_reason"], p["worker_id"])
                    )
            rows.sort(key=lambda e: e[0])
            for at, pathway, action, reason, actor in rows:
                yield {"pathway_id": pathway, "action": action, "reason": reason, "actor_id": actor, "at": at}

        self.insert(PathwayEvent, events())

        # Outcomes: IPS jobs and other steps forward (measures.md §2.2; the seed report's 34 % and
        # 56 %), link workers' and exercise counselling's groups joined and volunteering.
        outcomes: list[dict[str, Any]] = []

        def add(p: dict[str, Any], kind: str, started: date, hours: str | None = None) -> None:
            if started <= min(p.get("closed_on") or today, today):
                outcomes.append(
                    {
                        "pathway_id": p["id"],
                        "kind": kind,
                        "started_on": started,
                        "hours_per_week": hours,
                        "recorded_by_id": p["worker_id"],
                        "created_at": _local(started, rng.uniform(9, 15)),
                    }
                )

        for p in pathways:
            programme, enrolled = p["programme_id"], p["enrolled_on"]
            x = rng.random()
            if programme == "ips" and p.get("agreement_on"):
                agreed = p["agreement_on"]
                if x < 0.34:
                    if rng.random() < 0.3:
                        add(p, "work_trial", agreed + timedelta(days=rng.randint(14, 90)))
                    job = agreed + timedelta(days=rng.lognormvariate(math.log(90), 0.6))
                    add(p, "competitive_employment", job, f"{rng.choice([10, 15, 20, 25, 30, 37.5])}")
                elif x < 0.56:
                    kind = _weighted(
                        rng, {"study": 35, "volunteering": 20, "work_trial": 30, "other_progress": 15}
                    )
                    add(p, kind, agreed + timedelta(days=rng.randint(20, 300)))
            elif programme == "link_worker" and x < 0.5:
                add(
                    p,
                    "group_joined" if x < 0.4 else "volunteering",
                    enrolled + timedelta(days=rng.randint(14, 150)),
                )
            elif programme == "exercise_counselling" and x < 0.3:
                add(p, "group_joined", enrolled + timedelta(days=rng.randint(14, 200)))
        outcomes.sort(key=lambda o: o["created_at"])
        for o in outcomes:
            o["id"] = new_id()
        self.insert(Outcome, outcomes)

    # --- measurements -------------------------------------------------------------------------------

    def measurements(self) -> None:
        from hyte.core.ids import new_id
        from hyte.pathways.instruments import Context, get_instrument
        from hyte.pathways.models import Measurement, Programme
        from hyte.pathways.services import _json  # how measurement_add stores answers and scores

        rng, today = self.rng, self.today
        points = dict(Programme.objects.values_list("code", "measurement_months"))
        wanted: list[tuple[date, int, int, str, int]] = []  # (on, pathway index, point, instrument, client)
        for index, p in enumerate(self.pathway_rows):
            last = min(p.get("closed_on") or today, today)
            uses = [code for code, share in INSTRUMENT_USE[p["programme_id"]].items() if rng.random() < share]
            for point in points[p["programme_id"]]:
                due = p["enrolled_on"] + timedelta(
                    days=round(point * 30.44) + rng.randint(-7, 21) * (point > 0)
                )
                due = max(due, p["enrolled_on"])
                closed = p.get("closed_on")
                if closed and closed < due and (closed - p["enrolled_on"]).days >= 0.8 * point * 30.44:
                    due = closed  # the last point falls at the closing meeting
                if due > last or rng.random() > KEEP_AT_POINT.get(point, 0.7):
                    continue
                for code in uses:
                    wanted.append((due, index, point, code, p["client"]))
        self.counts.rows["measurements possible"] = len(wanted)
        if len(wanted) > self.sizes["measurements"]:
            wanted = rng.sample(wanted, self.sizes["measurements"])
        wanted.sort(key=lambda m: (m[0], m[1]))

        # Per pathway: a wellbeing level and a drift towards better, both drawn once.
        base: dict[int, tuple[float, float, float, float]] = {}

        def latent(index: int) -> tuple[float, float, float, float]:
            if index not in base:
                base[index] = (rng.gauss(0, 1), rng.gauss(0.35, 0.6), rng.gauss(88, 15), rng.gauss(170, 9))
            return base[index]

        def answers(code: str, index: int, point: int) -> dict[str, Any]:
            z, gain, weight, height = latent(index)
            g = gain * min(point, 6) / 6 + rng.gauss(0, 0.3)  # most of the change in the first 6 months

            def item(mean: float, sd: float, low: int, high: int, sign: float = 1) -> int:
                return int(_clamp(round(mean + sd * (0.7 * z + 0.5 * rng.gauss(0, 1) + sign * g)), low, high))

            if code == "pa_minutes":
                moderate = _clamp(60 * math.exp(0.8 * z + 0.9 * g + rng.gauss(0, 0.4)), 0, 2000)
                vigorous = (
                    0
                    if rng.random() < 0.5 - 0.15 * g
                    else _clamp(20 * math.exp(z + g + rng.gauss(0, 0.5)), 0, 900)
                )
                return {
                    "moderate_min": int(round(moderate / 10) * 10),
                    "vigorous_min": int(round(vigorous / 5) * 5),
                    "strength_days": item(1, 1, 0, 7),
                }
            if code == "swemwbs":
                return {f"item_{n}": item(3, 0.8, 1, 5) for n in range(1, 8)}
            if code == "body":
                kg = _clamp(weight - 2.5 * g + rng.gauss(0, 0.8), 40, 200)
                waist = _clamp(0.9 * weight + 20 - 2 * g + rng.gauss(0, 2), 55, 180)
                return {
                    "weight_kg": f"{kg:.1f}",
                    "height_cm": f"{_clamp(height, 145, 205):.1f}",
                    "waist_cm": f"{waist:.1f}",
                }
            if code == "sitting":
                return {"hours_per_day": f"{_clamp(8 - 0.5 * z - g + rng.gauss(0, 1.5), 1, 16):.1f}"}
            if code in ("self_rated_fitness", "self_rated_health"):
                return {"fitness" if code == "self_rated_fitness" else "health": item(3, 0.8, 1, 5)}
            if code == "ons4":
                return {
                    "life_satisfaction": item(6, 1.8, 0, 10),
                    "worthwhile": item(6.5, 1.8, 0, 10),
                    "happy": item(6, 2, 0, 10),
                    "anxious": item(4, 2.5, 0, 10, sign=-1),
                }
            if code == "ucla3":
                return {k: item(2, 0.6, 1, 3, sign=-1) for k in ("companionship", "left_out", "isolated")}
            if code == "was":
                return {"work_ability": item(5, 2, 0, 10)}
            if code == "auditc":
                return {f"question_{n}": item(1.5, 1, 0, 4, sign=-1) for n in range(1, 4)}
            raise ValueError(code)

        specs = {code: get_instrument(code) for codes in INSTRUMENT_USE.values() for code in codes}
        places = {
            (code, item.code): Decimal(1).scaleb(-item.decimal_places)
            for code, spec in specs.items()
            for item in spec.items
            if item.decimal_places
        }
        contexts = {sex: Context.parse({"sex": sex}) for sex in ("female", "male")}

        def parse(code: str, given: dict[str, Any], check: bool) -> dict[str, Any]:
            """The answers typed as ``Instrument.validate`` types them (ints, Decimals to the item's
            places); checked against ``validate`` itself now and then, which is too slow to run a
            million times (it formats its error messages before it knows there is an error)."""
            parsed = {
                k: Decimal(v).quantize(places[code, k]) if isinstance(v, str) else v for k, v in given.items()
            }
            if check and parsed != specs[code].validate(given):
                raise AssertionError(f"{code}: {given} parsed as {parsed}")
            return parsed

        def rows() -> Iterable[dict[str, Any]]:
            for n, (on, index, point, code, client) in enumerate(wanted):
                spec = specs[code]
                p = self.pathway_rows[index]
                parsed = parse(code, answers(code, index, point), n % 100 == 0)
                scores = spec.scorer(parsed, contexts[self.client_sex[client]])  # what score() runs
                yield {
                    "id": new_id(),
                    "pathway_id": p["id"],
                    "instrument": code,
                    "instrument_version": spec.version,
                    "point_months": point,
                    "on": on,
                    "values": _json(parsed),
                    "scores": _json(scores),
                    "recorded_by_id": p["worker_id"],
                    "created_at": _local(on, rng.uniform(8, 16)),
                }

        self.insert(Measurement, rows())

    # --- passes and visits --------------------------------------------------------------------------

    def passes(self) -> None:
        from hyte.attendance.models import Pass, PassProgramme, Reward, Visit
        from hyte.core.ids import new_id

        rng, today = self.rng, self.today
        programmes = {p.code: p for p in PassProgramme.objects.all()}
        liiku, card = programmes["liiku"], programmes["exercise_card"]
        exercise = [
            p
            for p in self.pathway_rows
            if p["programme_id"] == "exercise_counselling" and p["unit"].organization == "county"
        ]
        social = {code: self.units[f"social:{code}"] for code, _t, _s in KP}
        kp_clients = [c for c, code in enumerate(self.client_muni) if code in social]
        target = self.sizes["visits"]
        passes: list[dict[str, Any]] = []
        visits: list[
            tuple[date, int, Any, str, bool, Any]
        ] = []  # (on, pass index, service, source, confirmed, desk)
        while len(visits) < target:
            if rng.random() < 0.45 and exercise:  # a free exercise card for an exercise counselling client
                p = rng.choice(exercise)
                programme, client, unit = card, p["client"], p["unit"]
                issued = p["enrolled_on"] + timedelta(days=rng.randint(0, 30))
                issued = min(issued, p.get("closed_on") or issued)
                issuer, pathway, referral = p["worker_id"], p["id"], p["referral_id"]
                x = rng.random()
                n = rng.randint(0, 8) if x < 0.2 else rng.randint(18, 40) if x < 0.8 else rng.randint(40, 90)
            else:  # a LiiKu pass from adult social work
                client = rng.choice(kp_clients)
                unit = social[self.client_muni[client]]
                programme, pathway, referral = liiku, None, None
                known = self.first_seen[client].date() if client in self.first_seen else self.start
                issued = known + timedelta(days=rng.randint(1, max(1, (today - known).days)))
                issuer = rng.choice(unit.workers)
                x = rng.random()
                n = (
                    rng.randint(0, 5)
                    if x < 0.25
                    else rng.randint(10, 40)
                    if x < 0.75
                    else rng.randint(40, 120)
                )
            if issued > today:
                continue
            valid_until = issued + timedelta(days=programme.valid_days)
            index = len(passes)
            muni = self.client_muni[client]
            offered = [s for s in self.services[muni] if programme is liiku or s[1]]
            favourites = rng.sample(offered, min(len(offered), rng.randint(1, 3)))
            last = min(valid_until, today)
            span = (last - issued).days + 1
            withdrawn = rng.random() < 0.03  # withdrawn halfway: no visits from that day on
            if withdrawn:
                span = max(1, span // 2)
            n = min(n, round(span * 0.6))
            seen: set[tuple[int, int]] = set()
            for _ in range(n):
                day, choice = rng.randrange(span), rng.randrange(len(favourites))
                if (day, choice) in seen:
                    continue
                seen.add((day, choice))
                on = issued + timedelta(days=day)
                service, _sport, desk = favourites[choice]
                source = "self_report" if rng.random() < 0.05 else "checkin"
                confirmed = source == "checkin" or (today - on).days > 14 or rng.random() < 0.5
                visits.append((on, index, service, source, confirmed, desk))
            passes.append(
                {
                    "id": None,
                    "programme_id": programme.code,
                    "client_id": self.client_ids[client],
                    "unit_id": unit.pk,
                    "issued_by_id": issuer,
                    "referral_id": referral,
                    "pathway_id": pathway,
                    "issued_on": issued,
                    "valid_until": valid_until,
                    "status": "withdrawn" if withdrawn else "active",
                    "withdrawn_at": _local(min(today, issued + timedelta(days=span)), 12)
                    if withdrawn
                    else None,
                    "withdrawal_reason": "Ei käyttänyt korttia." if withdrawn else "",
                    "created_at": _local(issued, rng.uniform(9, 15)),
                    "visit_count": 0,
                }
            )
        visits = visits[:target]
        order = sorted(range(len(passes)), key=lambda i: passes[i]["created_at"])
        for i in order:
            passes[i]["id"] = new_id()
        visits.sort(key=lambda v: (v[0], v[1]))
        rewards: list[dict[str, Any]] = []
        for on, index, _service, _source, confirmed, desk in visits:
            if not confirmed:
                continue
            card_row = passes[index]
            card_row["visit_count"] += 1
            if card_row["programme_id"] == "liiku" and card_row["visit_count"] % liiku.reward_every == 0:
                earned = _local(on, rng.uniform(9, 19))
                handed = earned + timedelta(days=rng.uniform(0, 30)) if rng.random() < 0.8 else None
                rewards.append(
                    {
                        "pass_card_id": card_row["id"],
                        "number": card_row["visit_count"] // liiku.reward_every,
                        "text": liiku.reward_text,
                        "earned_at": earned,
                        "handed_out_at": handed if handed and handed <= self.now else None,
                        "handed_out_by_id": desk if handed and handed <= self.now else None,
                    }
                )
        self.insert(Pass, (passes[i] for i in order))

        def visit_rows() -> Iterable[dict[str, Any]]:
            for on, index, service, source, confirmed, desk in visits:
                marked = _local(on, rng.uniform(7, 21))
                yield {
                    "pass_card_id": passes[index]["id"],
                    "service_id": service,
                    "on": on,
                    "source": source,
                    "confirmed": confirmed,
                    "marked_by_id": desk if source == "checkin" else None,
                    "confirmed_by_id": desk if source == "self_report" and confirmed else None,
                    "idempotency_key": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    "marked_at": marked,
                }

        self.insert(Visit, visit_rows())
        rewards.sort(key=lambda r: r["earned_at"])
        self.insert(Reward, rewards)

    # --- groups -------------------------------------------------------------------------------------

    def groups(self) -> None:
        from hyte.attendance.models import GroupYear, Meeting
        from hyte.catalog.models import Service
        from hyte.core.ids import new_id

        rng, today = self.rng, self.today
        kinds = [k for k in KINDS if k["theme"] in ("yhteiso", "mieli", "liikunta", "kulttuuri")]
        leaders = [self.orgs["mental_health"].pk, self.orgs["sports"].pk]
        meetings, leader_rows, years = [], [], []
        desk = self.coordinator.pk
        for g in range(24):
            _code, town, _sv = KP[g % len(KP)]
            kind = kinds[g % len(kinds)]
            name = f"{kind['fi']}, {town} (ryhmä {g + 1})"
            service = Service.objects.create(
                organization=self.orgs["county"], name=name, name_fi=name, free=True
            )
            first = self.start + timedelta(days=rng.randint(0, 400))
            stop = today if g % 4 else first + timedelta(days=rng.randint(200, 700))
            weekday, hour = rng.randrange(5), rng.choice([10, 13, 17, 18])
            size = rng.uniform(4, 18)
            day = first + timedelta(days=(weekday - first.weekday()) % 7)
            while day <= min(stop, today):
                if day.month != 7 and rng.random() < 0.9:
                    count = max(1, int(rng.gauss(size, size / 3)))
                    row: dict[str, Any] = {
                        "id": new_id(),
                        "service_id": service.pk,
                        "starts_at": _local(day, hour),
                        "place": f"{town}, seurakuntakeskus" if g % 3 == 0 else f"{town}, kirjasto",
                        "head_count": count,
                        "new_visitors": rng.randint(0, max(0, count // 4)),
                        "recorded_by_id": desk,
                        "created_at": _local(day, hour + 2),
                    }
                    if rng.random() < 0.5:
                        young = rng.randint(0, count // 3)
                        old = rng.randint(0, count - young)
                        row["by_age"] = {"18-29": young, "30-64": count - young - old, "65+": old}
                        women = rng.randint(count // 3, count)
                        row["by_gender"] = {"female": women, "male": count - women}
                    meetings.append(row)
                    leader_rows.append({"meeting_id": row["id"], "organization_id": leaders[g % 2]})
                day += timedelta(days=7)
            for year in range(first.year, min(stop, today).year + 1):
                years.append(
                    {
                        "service_id": service.pk,
                        "year": year,
                        "continues": stop >= today and rng.random() < 0.7,
                    }
                )
        meetings.sort(key=lambda m: m["created_at"])
        self.insert(Meeting, meetings)
        self.insert(Meeting.leaders.through, leader_rows)
        self.insert(GroupYear, years)

    # --- service use and costs ----------------------------------------------------------------------

    def service_use_and_costs(self) -> None:
        from hyte.core.ids import new_id
        from hyte.pathways.models import Programme
        from hyte.reporting.models import ProgrammeCost, ServiceUse, ServiceUseImport

        rng = self.rng
        county = self.orgs["county"]
        imports = {
            year: ServiceUseImport.objects.create(
                organization=county,
                source_name=f"potilastiedot_{year}.csv",
                source_sha256=f"{year:064d}",
                imported_by=self.coordinator,
            )
            for year in (self.year - 1, self.year)
        }
        months = [date(year, month, 1) for year in (self.year - 1, self.year) for month in range(1, 13)]
        clients: dict[int, tuple[str, date]] = {}
        for p in self.pathway_rows:
            if p["programme_id"] in SERVICE_USE_TYPES and p["unit"].organization == "county":
                clients.setdefault(p["client"], (p["programme_id"], p["enrolled_on"]))
        rows = []
        read: Counter[int] = Counter()
        for client, (programme, enrolled) in clients.items():
            visit_type, mean, drop = SERVICE_USE_TYPES[programme]
            level = mean * rng.lognormvariate(0, 0.5)
            for month in months:
                # Fewer visits after a year in the programme (the seed: 1.90 → 1.20 by quarter).
                after = (month - enrolled).days / 365
                expected = level * (1 - drop * _clamp(after, 0, 1))
                count = self._poisson(expected)
                if count:
                    read[month.year] += 1
                    rows.append(
                        {
                            "organization_id": county.pk,
                            "client_id": self.client_ids[client],
                            "month": month,
                            "visit_type": visit_type,
                            "count": count,
                            "source_id": imports[month.year].pk,
                        }
                    )
        self.insert(ServiceUse, rows)
        for year, record in imports.items():
            record.rows_read = record.rows_stored = read[year]
            record.save(update_fields=["rows_read", "rows_stored"])

        costs = []
        per_quarter = {
            "exercise_counselling": 180_000,
            "link_worker": 60_000,
            "ips": 45_000,
            "lifestyle": 30_000,
            "money_counselling": 25_000,
            "rehabilitation_counselling": 35_000,
        }
        for code in Programme.objects.filter(pk__in=per_quarter).values_list("pk", flat=True):
            for year in range(self.start.year, self.today.year + 1):
                for quarter in range(4):
                    starts = date(year, 3 * quarter + 1, 1)
                    ends = (date(year + quarter // 3, (3 * quarter + 3) % 12 + 1, 1)) - timedelta(days=1)
                    if starts > self.today:
                        continue
                    for category, share in (("staff", 0.8), ("premises", 0.2)):
                        amount = per_quarter[code] * share * rng.uniform(0.9, 1.1)
                        costs.append(
                            {
                                "organization_id": county.pk,
                                "programme_id": code,
                                "starts_on": starts,
                                "ends_on": ends,
                                "amount": f"{amount:.2f}",
                                "category": category,
                                "description": f"{code} {year} Q{quarter + 1}",
                                "entered_by_id": self.coordinator.pk,
                                "created_at": _local(ends, 12),
                            }
                        )
        for cost in costs:
            cost["id"] = new_id()
        self.insert(ProgrammeCost, costs)

    def _poisson(self, mean: float) -> int:
        """Knuth's method (the means here are small)."""
        limit, k, product = math.exp(-mean), 0, self.rng.random()
        while product > limit:
            k += 1
            product *= self.rng.random()
        return k


# --- timing ---------------------------------------------------------------------------------------------


def analyze() -> float:
    from django.db import connection

    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return time.perf_counter() - t


def _cpu(connection: Any) -> float:
    """CPU seconds used so far by this process and, on PostgreSQL, by its server backend (read from
    /proc: the machine may be busy with other work, and the CPU time says what a report itself costs)."""
    used = time.process_time()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:  # the server on another machine
            return used
        fields = stat[stat.rindex(")") + 2 :].split()
        used += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return used


def time_reports(year: int, repeat: int) -> list[dict[str, Any]]:
    """Each report of the registry, without and with each of its breakdowns, ``repeat`` times."""
    from importlib import import_module

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.http import QueryDict
    from django.test.utils import CaptureQueriesContext

    from hyte.reporting.filters import parse_filter, scope_for
    from hyte.reporting.registry import BY_KEY

    coordinator = get_user_model().objects.get(username="coordinator")
    scope = scope_for(coordinator)
    results: list[dict[str, Any]] = []
    for key in REPORTS:
        spec = BY_KEY.get(key)
        if spec is None:
            results.append({"report": key, "missing": "not in the registry"})
            continue
        module, name = spec.builder_path.split(":")
        try:
            getattr(import_module(module), name)  # imported once, as a server worker would
        except ModuleNotFoundError as error:
            if error.name != module:
                raise
            results.append({"report": key, "missing": f"{module} does not exist"})
            continue
        except AttributeError:
            results.append({"report": key, "missing": f"{module} has no {name}"})
            continue
        for breakdown in ["", *(b.key for b in spec.breakdowns)]:
            query = QueryDict(mutable=True)
            query.update({"since": f"{year}-01-01", "until": f"{year}-12-31"})
            if breakdown:
                query["breakdown"] = breakdown
            f = parse_filter(query, scope, breakdowns=spec.breakdowns)
            seconds, cpu = [], []
            for _ in range(repeat):
                t, used = time.perf_counter(), _cpu(connection)
                report = spec.build(scope, f)
                seconds.append(time.perf_counter() - t)
                cpu.append(_cpu(connection) - used)
            with CaptureQueriesContext(connection) as queries:
                spec.build(scope, f)
            results.append(
                {
                    "report": key + (f" /{breakdown}" if breakdown else ""),
                    "first": seconds[0],
                    "median": statistics.median(seconds),
                    "max": max(seconds),
                    "cpu": statistics.median(cpu),
                    "queries": len(queries.captured_queries),
                    "tables": len(report.tables),
                    "rows": sum(len(t.rows) for t in report.tables),
                }
            )
            print(f"  {results[-1]['report']}: {results[-1]['median']:.2f} s", file=sys.stderr, flush=True)
    return results


def worker(scale: float, repeat: int, generate: bool) -> dict[str, Any]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hyte.config.settings")
    django.setup()
    from django.apps import apps
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    out: dict[str, Any] = {"engine": connection.vendor, "scale": scale}
    if generate:
        t = time.perf_counter()
        call_command("migrate", verbosity=0)
        out["migrate_s"] = time.perf_counter() - t
        gen = Generator(scale)
        t = time.perf_counter()
        gen.run()
        out["generate_s"] = time.perf_counter() - t
        out["steps_s"] = gen.counts.seconds
        out["steps_cpu_s"] = gen.counts.cpu
        out["possible_measurements"] = gen.counts.rows["measurements possible"]
    out["analyze_s"] = analyze()
    labels = [
        "referrals.Client",
        "referrals.Referral",
        "referrals.ReferralEvent",
        "pathways.Pathway",
        "pathways.Outcome",
        "pathways.Measurement",
        "attendance.Pass",
        "attendance.Visit",
        "attendance.Reward",
        "attendance.Meeting",
        "reporting.ServiceUse",
        "reporting.ProgrammeCost",
    ]
    out["rows"] = {label: apps.get_model(label).objects.count() for label in labels}
    out["year"] = timezone.localdate().year - 1
    out["reports"] = time_reports(out["year"], repeat)
    out["load"] = os.getloadavg()[0]
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--scale", type=float, default=1.0, help="multiplies the sizes (0.05 for a quick try)"
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", choices=ENGINES)
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--no-generate", action="store_true", help="worker: time an existing database")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.worker:
        print(json.dumps(worker(args.scale, args.repeat, not args.no_generate)))
        return
    sizes = ", ".join(f"{round(v * args.scale):,} {k}" for k, v in SIZES.items())
    print(
        f"report_speed: {sizes}; a whole year, {args.repeat} runs each; result on the median; "
        f"{os.cpu_count()} cores"
    )
    results = []
    for engine in [args.only] if args.only else ENGINES:
        r = run_worker(__file__, engine, ["--scale", str(args.scale), "--repeat", str(args.repeat)], DATABASE)
        results.append(r)
        print(
            f"{r['engine']}: generated in {r['generate_s']:.0f} s (CPU {sum(r['steps_cpu_s'].values()):.0f} s; "
            f"migrate {r['migrate_s']:.0f} s, analyze {r['analyze_s']:.0f} s), load average "
            f"{r['load']:.1f}; report year {r['year']}"
        )
        print("  rows: " + ", ".join(f"{label.split('.')[1]} {n:,}" for label, n in r["rows"].items()))
        print("  steps: " + ", ".join(f"{step} {s:.0f} s" for step, s in r["steps_s"].items()))
    print(
        f"{'engine':<11} {'report':<25} {'first s':>7} {'median s':>8} {'max s':>6} {'CPU s':>6} "
        f"{'queries':>7} {'rows':>5} {'target':>8} {'result':>6}"
    )
    for r in results:
        for rep in r["reports"]:
            if "missing" in rep:
                print(f"{r['engine']:<11} {rep['report']:<25} missing: {rep['missing']}")
                continue
            limit = TARGET_S[r["engine"]]
            print(
                f"{r['engine']:<11} {rep['report']:<25} {rep['first']:>7.2f} {rep['median']:>8.2f} "
                f"{rep['max']:>6.2f} {rep['cpu']:>6.2f} {rep['queries']:>7} {rep['rows']:>5} "
                f"{f'< {limit:g} s':>8} {'PASS' if rep['median'] < limit else 'FAIL':>6}"
            )


if __name__ == "__main__":
    main()
