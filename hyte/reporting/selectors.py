"""Programme outcomes for coordinators (issue 8, first part): IPS employment and progress rates.

Scope: the pathways of units in the coordinator's organizations. Every figure goes through
``hyte.core.disclosure``: counts of 1 … MIN_CELL-1 are hidden, and a rate is shown only when neither
its part, its rest nor its whole is a small count.

Definitions (docs/measures.md §2.2, the seed reports' "118 referred, 73 agreements, 25 employed:
employment rate 34 %, progress rate 56 %"):
- referred: referrals sent in the period to units that run IPS pathways;
- agreements: IPS pathways whose collaboration agreement is dated in the period;
- employed: of those, the ones with a competitive employment outcome;
- other progress: of those, the ones without a job but with studies, volunteering, a work trial or
  another step forward;
- employment rate = employed / agreements; progress rate = (employed + other progress) / agreements.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef

from hyte.core.disclosure import Cell, protect_count, safe_median, safe_share
from hyte.pathways.models import Outcome, Pathway
from hyte.referrals.figures import _coordinator_organizations
from hyte.referrals.models import Referral
from hyte.referrals.selectors import User

PROGRESS = (
    Outcome.Kind.STUDY,
    Outcome.Kind.VOLUNTEERING,
    Outcome.Kind.WORK_TRIAL,
    Outcome.Kind.OTHER_PROGRESS,
)


@dataclass(frozen=True)
class IpsOutcomes:
    referred: Cell
    agreements: Cell
    employed: Cell
    other_progress: Cell
    employment_rate: float | None  # 0 … 1, None when hidden
    progress_rate: float | None
    median_days_to_first_job: float | None


def ips_outcomes(*, actor: User, since: date, until: date) -> IpsOutcomes:
    organizations = _coordinator_organizations(actor)
    ips = Pathway.objects.filter(programme_id="ips", unit__organization__in=organizations)
    units = ips.values("unit_id")
    referred = Referral.objects.filter(
        receiving_unit__in=units, sent_at__date__gte=since, sent_at__date__lte=until
    ).count()
    agreed = ips.filter(agreement_on__gte=since, agreement_on__lte=until)
    job = Outcome.objects.filter(pathway=OuterRef("pk"), kind=Outcome.Kind.COMPETITIVE_EMPLOYMENT)
    step = Outcome.objects.filter(pathway=OuterRef("pk"), kind__in=PROGRESS)
    rows = list(
        agreed.annotate(job=Exists(job), step=Exists(step)).values("pk", "job", "step", "agreement_on")
    )
    employed = sum(1 for r in rows if r["job"])
    other = sum(1 for r in rows if r["step"] and not r["job"])
    first_jobs: dict[object, date] = {}
    jobs = Outcome.objects.filter(pathway__in=agreed, kind=Outcome.Kind.COMPETITIVE_EMPLOYMENT)
    for pathway_id, started_on in jobs.order_by("started_on").values_list("pathway_id", "started_on"):
        first_jobs.setdefault(pathway_id, started_on)
    days = []
    for r in rows:
        agreed_on, first = r["agreement_on"], first_jobs.get(r["pk"])
        if agreed_on is not None and first is not None and first >= agreed_on:
            days.append((first - agreed_on).days)
    return IpsOutcomes(
        referred=protect_count(referred),
        agreements=protect_count(len(rows)),
        employed=protect_count(employed),
        other_progress=protect_count(other),
        employment_rate=safe_share(employed, len(rows)),
        progress_rate=safe_share(employed + other, len(rows)),
        median_days_to_first_job=safe_median(days),
    )
