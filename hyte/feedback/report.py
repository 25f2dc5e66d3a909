"""The feedback report for coordinators: what clients said after a completed pathway, a group meeting
or a referral outcome, per service, per programme and per kind of feedback.

**Definitions.**
- *Answers*: feedback answers submitted in the period (the day they came) to the scope's organizations
  (or the filter's unit; group meetings belong to organizations, not units, and drop out with a unit
  filter); with a programme filter, answers after that programme's pathways.
- *Mean rating*: the mean of the ratings 1–5, shown only with at least MIN_CELL answers behind it
  (``disclosure.safe_mean``) and when the row's count itself is shown.
- *Would recommend*: answers "yes" of all answers of the row ("don't know" counts in the whole),
  ``disclosure.safe_share``.
- *Ratings 1 … 5*: the distribution; the rows × ratings table is protected at once
  (``disclosure.protect_table``: primary and secondary suppression), so the answers column (the row
  totals) and the totals row are those margins.
- *Comments*: the free texts of groups (a service, or a programme when there is no service) with at
  least MIN_CELL answers in the period, in alphabetical order, never with a date or a rating; texts a
  coordinator hid as abusive are left out.

The municipality filter does not apply: answers carry nothing about the client.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hyte.catalog.models import Service
from hyte.core import disclosure
from hyte.feedback.models import FeedbackAnswer
from hyte.pathways.models import Programme
from hyte.reporting.common import make_report
from hyte.reporting.filters import ReportFilter, Scope
from hyte.reporting.tables import TOTAL, Chart, Column, Number, Rate, Report, Row, Table, Text

TITLE = _("Customer feedback")
RATINGS = (1, 2, 3, 4, 5)
NONE = "none"


def answers_in(scope: Scope, f: ReportFilter) -> QuerySet[FeedbackAnswer]:
    answers = FeedbackAnswer.objects.filter(
        organization_id__in=scope.organization_ids, submitted_on__gte=f.since, submitted_on__lte=f.until
    )
    if f.unit is not None:
        answers = answers.filter(unit_id=f.unit.pk)
    if f.programme is not None:
        answers = answers.filter(programme_id=f.programme.pk)
    return answers


@dataclass
class Tally:
    ratings: dict[int, int]
    yes: int = 0

    @property
    def total(self) -> int:
        return sum(self.ratings.values())

    def values(self) -> list[float]:
        return [float(r) for r, n in self.ratings.items() for _i in range(n)]


def _tallies(answers: QuerySet[FeedbackAnswer], field: str) -> dict[Any, Tally]:
    tallies: dict[Any, Tally] = defaultdict(lambda: Tally(dict.fromkeys(RATINGS, 0)))
    rows = answers.order_by().values_list(field, "rating", "recommend").annotate(n=Count("pk"))
    for key, rating, recommend, n in rows:
        tally = tallies[key if key is not None else NONE]
        tally.ratings[rating] += n
        if recommend == FeedbackAnswer.Recommend.YES:
            tally.yes += n
    return tallies


COLUMNS = (
    Column("answers", _("Answers")),
    Column("mean", _("Mean rating (1–5)")),
    Column("recommend", _("Would recommend")),
    Column("r1", _("Rated 1")),
    Column("r2", _("Rated 2")),
    Column("r3", _("Rated 3")),
    Column("r4", _("Rated 4")),
    Column("r5", _("Rated 5")),
)


def _table[K: Hashable](
    key: str,
    title: str | Promise,
    row_header: str | Promise,
    tallies: dict[K, Tally],
    order: Sequence[K],
    label: Callable[[K], str | Promise],
    m: int,
) -> Table:
    protected = disclosure.protect_table(
        {k: tallies[k].ratings for k in order}, rows=order, columns=RATINGS, threshold=m
    )

    def figures(count: disclosure.Cell, tally: Tally) -> tuple[Number, Rate]:
        if count.hidden:
            return Number(None, 1), Rate(None)
        return (
            Number(disclosure.safe_mean(tally.values(), threshold=m), 1),
            Rate(disclosure.safe_share(tally.yes, tally.total, threshold=m)),
        )

    rows = []
    for k in order:
        count = protected.row_totals[k]
        mean, share = figures(count, tallies[k])
        cells = tuple(protected.cell(k, r) for r in RATINGS)
        rows.append(Row(key=str(k), label=label(k), values=(count, mean, share, *cells)))
    whole = Tally(
        {r: sum(tallies[k].ratings[r] for k in order) for r in RATINGS}, sum(tallies[k].yes for k in order)
    )
    mean, share = figures(protected.total, whole)
    rows.append(
        Row(
            key="total",
            label=TOTAL,
            values=(protected.total, mean, share, *protected.column_total_cells),
            total=True,
        )
    )
    return Table(
        key=key,
        title=title,
        row_header=row_header,
        columns=COLUMNS,
        rows=tuple(rows),
        chart=Chart(kind="bar", column="mean", label=_("Mean rating (1–5)")),
    )


def _group_key(service_id: Any, programme_id: Any, unit_id: Any) -> tuple[str, Any]:
    if service_id is not None:
        return ("service", service_id)
    if programme_id is not None:
        return ("programme", programme_id)
    return ("unit", unit_id)


def comment_groups(answers: QuerySet[FeedbackAnswer], m: int) -> set[tuple[str, Any]]:
    """The groups (service, else programme, else unit) with at least ``m`` answers."""
    counts: dict[tuple[str, Any], int] = defaultdict(int)
    for service_id, programme_id, unit_id, n in (
        answers.order_by().values_list("service_id", "programme_id", "unit_id").annotate(n=Count("pk"))
    ):
        counts[_group_key(service_id, programme_id, unit_id)] += n
    return {key for key, n in counts.items() if n >= m}


@dataclass(frozen=True)
class Comment:
    answer_id: Any
    group: str
    text: str
    hidden: bool


def comments(answers: QuerySet[FeedbackAnswer], m: int, *, with_hidden: bool = False) -> list[Comment]:
    """The comments that may be shown: of groups with at least ``m`` answers, alphabetical, no dates."""
    groups = comment_groups(answers, m)
    if not groups:
        return []
    with_text = answers.exclude(text="").select_related("service", "programme", "unit")
    if not with_hidden:
        with_text = with_text.filter(text_hidden=False)
    found = []
    for answer in with_text:
        key = _group_key(answer.service_id, answer.programme_id, answer.unit_id)
        if key not in groups:
            continue
        owner = answer.service or answer.programme or answer.unit
        found.append(Comment(answer.pk, str(owner.name) if owner else "", answer.text, answer.text_hidden))
    return sorted(found, key=lambda c: (c.group, c.text))


def build(scope: Scope, f: ReportFilter) -> Report:
    m = disclosure.min_cell()
    answers = answers_in(scope, f)

    by_service = _tallies(answers, "service_id")
    services = {
        s.pk: str(s.name) for s in Service.objects.filter(pk__in=[k for k in by_service if k != NONE])
    }
    service_order = sorted((k for k in by_service if k != NONE), key=lambda k: (services.get(k, ""), str(k)))
    if NONE in by_service:
        service_order.append(NONE)

    by_programme = _tallies(answers, "programme_id")
    programmes = {
        p.pk: str(p.name) for p in Programme.objects.filter(pk__in=[k for k in by_programme if k != NONE])
    }
    programme_order = sorted(
        (k for k in by_programme if k != NONE), key=lambda k: (programmes.get(k, ""), str(k))
    )
    if NONE in by_programme:
        programme_order.append(NONE)

    by_about = _tallies(answers, "about")
    about_order = [k for k in FeedbackAnswer.About.values if k in by_about]
    about_labels = dict(FeedbackAnswer.About.choices)

    tables = [
        _table(
            "by_service",
            _("Feedback per service"),
            _("Service"),
            by_service,
            service_order,
            lambda k: _("Pathways (no service)") if k == NONE else services.get(k, ""),
            m,
        ),
        _table(
            "by_programme",
            _("Feedback per programme"),
            _("Programme"),
            by_programme,
            programme_order,
            lambda k: _("Groups and referrals (no programme)") if k == NONE else programmes.get(k, ""),
            m,
        ),
        _table(
            "by_kind",
            _("Feedback per occasion"),
            _("After"),
            by_about,
            about_order,
            lambda k: about_labels.get(k, k),
            m,
        ),
    ]
    shown = comments(answers, m)
    tables.append(
        Table(
            key="comments",
            title=_("Comments"),
            row_header=_("Comment"),
            columns=(Column("group", _("Service or programme")), Column("text", _("Comment"))),
            rows=tuple(
                Row(key=f"c{i}", label=str(i), values=(Text(c.group), Text(c.text)))
                for i, c in enumerate(shown, start=1)
            ),
            note=_(
                "Comments are listed only for services and programmes with at least %(min)d answers in the "
                "period, without dates, in alphabetical order. Comments hidden as abusive are left out."
            )
            % {"min": m},
        )
    )
    notes: list[str | Promise] = [
        _(
            "The answers are anonymous: they carry no client, no link to the pathway or referral, and "
            "only the day they came."
        )
    ]
    if f.municipality is not None:
        notes.append(_("The municipality filter does not apply: answers carry nothing about the client."))
    return make_report("feedback", TITLE, scope, f, tables, notes)
