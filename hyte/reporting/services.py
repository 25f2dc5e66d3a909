"""Writes of the reporting context: service-use extracts imported by a coordinator, and programme costs
entered by one. Only a coordinator of the organization may write (``NotInUnit`` otherwise).

**Service-use import.** A CSV file with the header ``pseudonym,month,visit_type,count`` (``;`` also
works, and a UTF-8 byte order mark, as Finnish Excel writes them; other columns are ignored and never
stored). ``pseudonym`` is ``Client.pseudonym``, ``month`` is ``YYYY-MM``, ``visit_type`` a short code
(``psychiatric``), ``count`` a whole number 0 … 10 000. The whole file is checked first: one bad row
refuses the file, and the error lists the first bad rows by line number without repeating any value.
Rows whose pseudonym is not a client of the organization (a pathway in one of its units, or a referral
sent from or to one of them) are counted as unmatched and not stored: so an import cannot be used to
find out whether a pseudonym exists elsewhere. A later import of the same client, month and type
replaces the count. The file's SHA-256 is kept; the import is one entry in the personal data log.

**Costs** are audited (``AuditEvent``, which holds no personal data) when added or deleted."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from hyte.accounts.models import UnitRole
from hyte.catalog.models import Organization
from hyte.core.audit import audit_record
from hyte.core.errors import InvalidParameter, NotFoundForUser
from hyte.core.personal_log import log_personal_data
from hyte.pathways.models import Pathway, Programme
from hyte.referrals.errors import NotInUnit
from hyte.referrals.models import Client, Referral
from hyte.referrals.selectors import User
from hyte.reporting.filters import MAX_DAYS
from hyte.reporting.models import ProgrammeCost, ServiceUse, ServiceUseImport

PURPOSE = "service_use"

# Limits of one extract (settings may change them): 16 MB and 250,000 rows is about a year of monthly
# counts of five visit types for 4,000 clients.
MAX_BYTES = 16 * 1024 * 1024
MAX_ROWS = 250_000
MAX_COUNT = 10_000
ERRORS_SHOWN = 10
COLUMNS = ("pseudonym", "month", "visit_type", "count")
_SLUG = re.compile(r"[a-z0-9_-]{1,40}")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_COUNT = re.compile(r"\d{1,6}")
_BATCH = 2000

MAX_AMOUNT = Decimal("99999999.99")
MAX_DESCRIPTION = 200


class CostNotFound(NotFoundForUser):
    code = "cost_not_found"
    default_message = gettext_lazy("The cost was not found.")


def max_bytes() -> int:
    return int(getattr(settings, "HYTE_SERVICE_USE_MAX_BYTES", MAX_BYTES))


def max_rows() -> int:
    return int(getattr(settings, "HYTE_SERVICE_USE_MAX_ROWS", MAX_ROWS))


# --- who may write ---


def coordinator_organization_ids(actor: User) -> frozenset[Any]:
    """The organizations in whose units the actor is a coordinator (none for anyone inactive)."""
    if not (actor.is_authenticated and actor.is_active):
        return frozenset()
    return frozenset(
        UnitRole.objects.filter(user__pk=actor.pk, role=UnitRole.Role.COORDINATOR).values_list(  # type: ignore[misc]
            "unit__organization_id", flat=True
        )
    )


def _coordinated_organization(actor: User, organization_id: Any) -> Organization:
    """The organization, when the actor coordinates one of its units; otherwise ``NotInUnit`` (the same
    answer for an organization that does not exist)."""
    try:
        pk = organization_id if isinstance(organization_id, uuid.UUID) else uuid.UUID(str(organization_id))
    except (ValueError, AttributeError, TypeError):
        raise NotInUnit() from None
    if pk not in coordinator_organization_ids(actor):
        raise NotInUnit()
    return Organization.objects.get(pk=pk)


def _plain_text(value: str | None, field: str, limit: int) -> str:
    value = (value or "").strip()
    if "\x00" in value:
        raise InvalidParameter(
            _("The text contains characters that are not allowed."), details={"field": field}
        )
    if len(value) > limit:
        raise InvalidParameter(
            _("The text is too long (at most %(limit)d characters).") % {"limit": limit},
            details={"field": field, "max_length": limit},
        )
    return value


# --- service-use extracts ---


@dataclass(frozen=True)
class ExtractRow:
    line: int
    pseudonym: uuid.UUID
    month: date
    visit_type: str
    count: int


@dataclass(frozen=True)
class RowError:
    line: int
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "message": self.message}


def _header(first_line: str) -> tuple[str, list[str]]:
    """The delimiter and the column names, from the header line."""
    seen_delimiter = False
    missing: list[str] = []
    for delimiter in (",", ";"):
        if delimiter not in first_line:
            continue
        seen_delimiter = True
        names = [n.strip().lower() for n in next(csv.reader([first_line], delimiter=delimiter))]
        missing = [c for c in COLUMNS if c not in names]
        if not missing:
            duplicated = sorted({n for n in names if n in COLUMNS and names.count(n) > 1})
            if duplicated:
                raise InvalidParameter(
                    _("A column appears twice in the header: %(columns)s.")
                    % {"columns": ", ".join(duplicated)},
                    code="invalid_header",
                    details={"field": "file", "columns": duplicated},
                )
            return delimiter, names
    if not seen_delimiter:
        raise InvalidParameter(
            _(
                "The columns must be separated by commas or semicolons, with the header "
                "pseudonym, month, visit_type, count on the first line."
            ),
            code="unknown_delimiter",
            details={"field": "file"},
        )
    raise InvalidParameter(
        _("The header lacks these columns: %(columns)s.") % {"columns": ", ".join(missing)},
        code="missing_columns",
        details={"field": "file", "missing": missing, "required": list(COLUMNS)},
    )


def _parse_row(
    line: int, values: dict[str, str], this_month: date
) -> tuple[ExtractRow | None, list[RowError]]:
    errors: list[RowError] = []
    pseudonym: uuid.UUID | None = None
    raw = values["pseudonym"].strip()
    try:
        pseudonym = uuid.UUID(raw) if 0 < len(raw) <= 45 else None
    except ValueError:
        pseudonym = None
    if pseudonym is None:
        errors.append(RowError(line, "pseudonym", _("the pseudonym is not a client pseudonym (a UUID)")))
    month: date | None = None
    if m := _MONTH.fullmatch(values["month"].strip()):
        year, number = int(m.group(1)), int(m.group(2))
        if year >= 2000 and 1 <= number <= 12 and date(year, number, 1) <= this_month:
            month = date(year, number, 1)
    if month is None:
        errors.append(
            RowError(line, "month", _("the month must be YYYY-MM, from 2000-01 to the current month"))
        )
    visit_type = values["visit_type"].strip().lower()
    if not _SLUG.fullmatch(visit_type):
        errors.append(
            RowError(
                line,
                "visit_type",
                _("the visit type must be a code of 1–40 letters a–z, digits, hyphens or underscores"),
            )
        )
    count: int | None = None
    raw = values["count"].strip()
    if _COUNT.fullmatch(raw) and int(raw) <= MAX_COUNT:
        count = int(raw)
    if count is None:
        errors.append(
            RowError(
                line, "count", _("the count must be a whole number from 0 to %(max)d") % {"max": MAX_COUNT}
            )
        )
    if errors or pseudonym is None or month is None or count is None:
        return None, errors
    return ExtractRow(line, pseudonym, month, visit_type, count), []


def parse_extract(data: bytes) -> list[ExtractRow]:
    """Every row of the file, or ``InvalidParameter`` for the whole file."""
    if len(data) > max_bytes():
        raise InvalidParameter(
            _("The file is too big (at most %(mb)d MB).") % {"mb": max_bytes() // (1024 * 1024) or 1},
            code="file_too_large",
            details={"field": "file", "max_bytes": max_bytes()},
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidParameter(
            _("The file is not UTF-8 text. Save it as “CSV UTF-8”."),
            code="invalid_encoding",
            details={"field": "file"},
        ) from None
    lines = io.StringIO(text, newline="")
    first = ""
    header_line = 0
    for header_line, candidate in enumerate(lines, start=1):  # noqa: B007 (the number is used below)
        if candidate.strip():
            first = candidate
            break
    if not first:
        raise InvalidParameter(_("The file is empty."), code="empty_file", details={"field": "file"})
    delimiter, names = _header(first.rstrip("\r\n"))
    positions = {c: names.index(c) for c in COLUMNS}
    reader = csv.reader(lines, delimiter=delimiter)
    this_month = timezone.localdate().replace(day=1)
    rows: list[ExtractRow] = []
    errors: list[RowError] = []
    error_count = 0
    seen: dict[tuple[uuid.UUID, date, str], int] = {}
    limit = max_rows()
    try:
        for record in reader:
            line = header_line + reader.line_num
            if not any(v.strip() for v in record):
                continue
            if len(rows) + error_count >= limit:
                raise InvalidParameter(
                    _("The file has too many rows (at most %(max)d).") % {"max": limit},
                    code="too_many_rows",
                    details={"field": "file", "max_rows": limit},
                )
            if len(record) < len(names) or any(v.strip() for v in record[len(names) :]):
                row_errors = [RowError(line, "file", _("the row does not have the header's columns"))]
                row = None
            else:
                row, row_errors = _parse_row(line, {c: record[i] for c, i in positions.items()}, this_month)
            if row is not None:
                key = (row.pseudonym, row.month, row.visit_type)
                if key in seen:
                    row_errors = [
                        RowError(
                            line,
                            "file",
                            _("the same client, month and visit type are on line %(line)d already")
                            % {"line": seen[key]},
                        )
                    ]
                else:
                    seen[key] = line
                    rows.append(row)
                    continue
            error_count += 1
            if len(errors) < ERRORS_SHOWN:
                errors.extend(row_errors[: ERRORS_SHOWN - len(errors)])
    except csv.Error:
        raise InvalidParameter(
            _("The file is not valid CSV (line %(line)d).") % {"line": header_line + reader.line_num},
            code="invalid_csv",
            details={"field": "file", "line": header_line + reader.line_num},
        ) from None
    if error_count:
        listed = "; ".join(
            _("line %(line)d: %(problem)s") % {"line": e.line, "problem": e.message} for e in errors
        )
        summary = ngettext(
            "Nothing was imported: %(count)d row has errors.",
            "Nothing was imported: %(count)d rows have errors.",
            error_count,
        ) % {"count": error_count}
        raise InvalidParameter(
            f"{summary} {listed[:1].upper()}{listed[1:]}.",
            code="invalid_rows",
            details={
                "field": "file",
                "rows_with_errors": error_count,
                "errors": [e.as_dict() for e in errors],
            },
        )
    if not rows:
        raise InvalidParameter(
            _("The file has no rows under the header."), code="empty_file", details={"field": "file"}
        )
    return rows


def _organization_clients(organization_id: Any, pseudonyms: Iterable[uuid.UUID]) -> dict[uuid.UUID, Any]:
    """Pseudonym → client id, for the clients of the organization among these pseudonyms."""
    ours = Q(
        Exists(Pathway.objects.filter(client=OuterRef("pk"), unit__organization_id=organization_id))
    ) | Q(
        Exists(
            Referral.objects.filter(client=OuterRef("pk")).filter(
                Q(receiving_unit__organization_id=organization_id)
                | Q(referring_unit__organization_id=organization_id)
            )
        )
    )
    found: dict[uuid.UUID, Any] = {}
    wanted = list(pseudonyms)
    for start in range(0, len(wanted), _BATCH):
        chunk = wanted[start : start + _BATCH]
        found.update(Client.objects.filter(ours, pseudonym__in=chunk).values_list("pseudonym", "pk"))
    return found


@transaction.atomic
def service_use_import(
    *, actor: User, organization_id: Any, source_name: str, data: bytes
) -> ServiceUseImport:
    """Import a health record extract of monthly visit counts for the organization's clients."""
    organization = _coordinated_organization(actor, organization_id)
    source_name = (source_name or "").replace("\x00", "").strip()[:200] or "extract.csv"
    rows = parse_extract(data)
    clients = _organization_clients(organization.pk, {row.pseudonym for row in rows})
    matched = [row for row in rows if row.pseudonym in clients]
    record = ServiceUseImport.objects.create(
        organization=organization,
        source_name=source_name,
        source_sha256=hashlib.sha256(data).hexdigest(),
        rows_read=len(rows),
        rows_stored=len(matched),
        rows_unmatched=len(rows) - len(matched),
        imported_by_id=actor.pk,  # type: ignore[misc]
    )
    ServiceUse.objects.bulk_create(
        (
            ServiceUse(
                organization=organization,
                client_id=clients[row.pseudonym],
                month=row.month,
                visit_type=row.visit_type,
                count=row.count,
                source=record,
            )
            for row in matched
        ),
        batch_size=_BATCH,
        update_conflicts=True,
        unique_fields=["organization", "client", "month", "visit_type"],
        update_fields=["count", "source"],
    )
    log_personal_data(actor=actor, action="import", obj=record, purpose=PURPOSE)
    return record


# --- programme costs ---


def _amount(value: Any) -> Decimal:
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        amount = Decimal("NaN")
    if (
        not amount.is_finite()
        or amount < 0
        or amount > MAX_AMOUNT
        or amount != amount.quantize(Decimal("0.01"))
    ):
        raise InvalidParameter(
            _("Give the amount in euros, from 0 to 99,999,999.99, with at most two decimals."),
            details={"field": "amount"},
        )
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def programme_cost_add(
    *,
    actor: User,
    organization_id: Any,
    programme: str,
    starts_on: date,
    ends_on: date,
    amount: Decimal | str | int,
    category: str = ProgrammeCost.Category.OTHER,
    description: str = "",
) -> ProgrammeCost:
    """A cost of a programme in the organization over a period (reports prorate it by days)."""
    organization = _coordinated_organization(actor, organization_id)
    found = Programme.objects.filter(pk=str(programme or "")[:40]).first() if programme else None
    if found is None:
        raise InvalidParameter(_("Unknown programme."), details={"field": "programme"})
    if not isinstance(starts_on, date) or not isinstance(ends_on, date):
        raise InvalidParameter(_("Give the start and the end of the period."), details={"field": "starts_on"})
    if ends_on < starts_on:
        raise InvalidParameter(_("The start date is after the end date."), details={"field": "ends_on"})
    if (ends_on - starts_on).days >= MAX_DAYS:
        raise InvalidParameter(
            _("A cost covers at most ten years."), details={"field": "ends_on", "max_days": MAX_DAYS}
        )
    if category not in ProgrammeCost.Category.values:
        raise InvalidParameter(_("Unknown category."), details={"field": "category"})
    cost = ProgrammeCost(
        organization=organization,
        programme=found,
        starts_on=starts_on,
        ends_on=ends_on,
        amount=_amount(amount),
        category=category,
        description=_plain_text(description, "description", MAX_DESCRIPTION),
        entered_by_id=actor.pk,  # type: ignore[misc]
    )
    cost.full_clean(exclude=["organization", "programme", "entered_by"])
    cost.save()
    audit_record(actor=actor, action="programme_cost.create", obj=cost, details=_cost_details(cost))
    return cost


@transaction.atomic
def programme_cost_delete(*, actor: User, cost_id: Any) -> None:
    try:
        pk = cost_id if isinstance(cost_id, uuid.UUID) else uuid.UUID(str(cost_id))
    except (ValueError, AttributeError, TypeError):
        pk = None
    organization_ids = coordinator_organization_ids(actor)
    if not organization_ids:
        raise NotInUnit()
    if pk is None:
        raise CostNotFound()
    cost = (
        ProgrammeCost.objects.select_for_update().filter(pk=pk, organization_id__in=organization_ids).first()
    )
    if cost is None:
        raise CostNotFound()
    audit_record(actor=actor, action="programme_cost.delete", obj=cost, details=_cost_details(cost))
    cost.delete()


def _cost_details(cost: ProgrammeCost) -> dict[str, Any]:
    return {
        "organization": str(cost.organization_id),
        "programme": cost.programme_id,
        "starts_on": cost.starts_on.isoformat(),
        "ends_on": cost.ends_on.isoformat(),
        "amount": str(cost.amount),
        "category": cost.category,
    }
