"""Writes to the service tray: keyword-only, atomic, validated, audited."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hyte.accounts.selectors import User
from hyte.catalog.capacity import apply_capacity, clean_capacity
from hyte.catalog.errors import CandidateNotFound, MergeRefused, ServiceNotFound
from hyte.catalog.models import (
    Contact,
    DuplicateCandidate,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceCapacity,
)
from hyte.catalog.search.index import index_services, unindex_services
from hyte.catalog.selectors import parse_uuid, services_capacity_editable_by, services_editable_by
from hyte.core.audit import audit_record
from hyte.core.personal_log import log_personal_data


@transaction.atomic
def service_mark_verified(*, actor: User, service_id: object) -> Service:
    """The editor confirms the listing is still correct: resets the 12-month staleness clock."""
    pk = parse_uuid(service_id)
    service = services_editable_by(actor).select_for_update().filter(pk=pk).first()
    if service is None:
        raise ServiceNotFound()
    service.last_verified_at = timezone.now()
    service.full_clean()
    service.save(update_fields=["last_verified_at", "updated_at"])
    audit_record(actor=actor, action="service.verify", obj=service)
    return service


def _affected_services(obj: models.Model) -> list[object]:
    """Services whose search entry depends on this object."""
    if isinstance(obj, Service):
        return [obj.pk]
    if isinstance(obj, Organization):
        return list(Service.objects.filter(organization=obj).values_list("pk", flat=True))
    if isinstance(obj, Location):
        return list(obj.services.values_list("pk", flat=True))
    service_id = getattr(obj, "service_id", None)
    return [service_id] if service_id else []


def search_index_refresh(*, service_ids: list[object]) -> None:
    """Bring the search entries of these services up to date once the current transaction commits
    (so many-to-many changes saved later in the same request are included)."""
    if service_ids:
        transaction.on_commit(lambda: index_services(service_ids))


@transaction.atomic
def catalog_object_save(*, actor: User, obj: models.Model, created: bool, changed_fields: list[str]) -> None:
    """Save an object edited in the staff admin (scoped and validated by its form), with an audit entry."""
    obj.full_clean()
    obj.save()
    search_index_refresh(service_ids=_affected_services(obj))
    audit_record(
        actor=actor,
        action=f"{obj._meta.model_name}.{'create' if created else 'update'}",
        obj=obj,
        details={"fields": sorted(changed_fields)},
    )


@transaction.atomic
def catalog_object_delete(*, actor: User, obj: models.Model) -> None:
    audit_record(actor=actor, action=f"{obj._meta.model_name}.delete", obj=obj)
    affected = _affected_services(obj)
    if isinstance(obj, Service | Organization):  # the services themselves go: take them out first
        unindex_services(affected)
        affected = []
    obj.delete()
    search_index_refresh(service_ids=affected)


@transaction.atomic
def service_capacity_set(
    *,
    actor: User,
    service_id: object,
    takes_new_clients: Any,
    waiting_weeks: Any = None,
    free_places: Any = None,
    note: dict[str, Any] | None = None,
) -> ServiceCapacity:
    """A service editor of the organization states the service's capacity (audited). Values are
    checked by ``capacity.clean_capacity``: out of range, not whole numbers or contradicting each other
    are coded 400s; another organization's service is not found."""
    pk = parse_uuid(service_id)
    service = services_capacity_editable_by(actor).select_for_update().filter(pk=pk).first()
    if service is None:
        raise ServiceNotFound()
    values = clean_capacity(
        takes_new_clients=takes_new_clients, waiting_weeks=waiting_weeks, free_places=free_places, note=note
    )
    record = ServiceCapacity.objects.filter(service=service).first()
    created = record is None
    record = record or ServiceCapacity(service=service)
    changed = apply_capacity(record, values, actor=actor)
    record.full_clean()
    record.save()
    audit_record(
        actor=actor,
        action="service_capacity.create" if created else "service_capacity.update",
        obj=record,
        details={
            "service": str(service.pk),
            "fields": sorted(changed),
            "takes_new_clients": values.takes_new_clients,
            "waiting_weeks": values.waiting_weeks,
            "free_places": values.free_places,
        },
    )
    return record


# --- duplicates and merge ---

# Services with an id from these sources are re-created by the next import: they survive a merge,
# they are never merged away.
IMPORT_PREFIXES = ("ptv:", "hsds:")

# Every relation that points at a service, and what a merge does with it. ``tests/catalog/test_merge.py``
# fails when a relation to Service is added without an entry here (and the handling in service_merge).
MERGE_RELATIONS: dict[str, str] = {
    "referrals.Referral.service": "moved to the survivor",
    "attendance.PassProgramme.services": "the survivor is covered where the duplicate was",
    "attendance.Visit.service": "moved; the same pass on the same day at both: one visit kept, the pass "
    "count lowered when both were counted",
    "attendance.Meeting.service": "moved; a meeting at the same time at both: the survivor's kept",
    "attendance.GroupYear.service": "moved; the same year at both: the survivor's kept",
    "catalog.Event.service": "moved",
    "catalog.ICalFeed.service": "moved (the feed now feeds the survivor)",
    "catalog.ServiceAtLocation.service": "moved when chosen, unless the survivor is at the location",
    "catalog.Schedule.service": "moved when chosen, unless the survivor has the same time",
    "catalog.Phone.service": "moved when chosen, unless the survivor has the number",
    "catalog.Contact.service": "moved when chosen, unless the survivor has the person",
    "catalog.Service.merged_into": "services merged into the duplicate earlier point at the survivor",
    "catalog.FreshnessReminder.service": "kept with the duplicate (history)",
    "catalog.DuplicateCandidate.first": "the pair becomes merged; other open pairs of the duplicate go",
    "catalog.DuplicateCandidate.second": "as first",
    "catalog.SearchPosting.service": "the duplicate leaves the search index",
    "catalog.ServiceCapacity.service": "moved when the survivor states none; otherwise the survivor's stands",
    "plans.PlanItem.service": "moved (the client's plan now names the survivor)",
    "feedback.FeedbackLink.service": "moved (open links count for the survivor)",
    "feedback.FeedbackAnswer.service": "moved (the answers count for the survivor)",
}


@dataclass(frozen=True)
class MergeChoices:
    """Which of the duplicate's details move to the survivor (everything else always moves)."""

    locations: bool = True
    schedules: bool = True
    phones: bool = True
    contacts: bool = True


@dataclass
class MergeResult:
    survivor: Service
    duplicate: Service
    moved: Counter[str] = field(default_factory=Counter)


def _lock_pair(actor: User, survivor_id: object, duplicate_id: object) -> tuple[Service, Service]:
    survivor_pk, duplicate_pk = parse_uuid(survivor_id), parse_uuid(duplicate_id)
    if survivor_pk == duplicate_pk:
        raise MergeRefused(_("A service cannot be merged into itself."), code="merge_into_itself")
    found = {
        s.pk: s
        for s in services_editable_by(actor)
        .select_for_update()
        .filter(pk__in=[survivor_pk, duplicate_pk])
        .order_by("pk")
    }
    if survivor_pk not in found or duplicate_pk not in found:
        raise ServiceNotFound()
    survivor, duplicate = found[survivor_pk], found[duplicate_pk]
    if survivor.organization_id != duplicate.organization_id:
        raise MergeRefused(
            _("Only listings of the same organization can be merged."), code="merge_other_organization"
        )
    if duplicate.merged_into_id is not None:
        raise MergeRefused(_("This listing has already been merged into another."), code="already_merged")
    if survivor.merged_into_id is not None:
        raise MergeRefused(
            _("The listing to keep has itself been merged into another."), code="survivor_merged"
        )
    if (duplicate.external_id or "").startswith(IMPORT_PREFIXES):
        raise MergeRefused(
            _(
                "A listing imported from PTV or another source cannot be merged away: the next import "
                "would bring it back. Keep it and merge the other listing into it."
            ),
            code="merge_imported_duplicate",
        )
    return survivor, duplicate


def _merge_visits(actor: User, survivor: Service, duplicate: Service, moved: Counter[str]) -> None:
    visit_model = apps.get_model("attendance", "Visit")
    pass_model = apps.get_model("attendance", "Pass")
    pass_ids = set(visit_model.objects.filter(service=duplicate).values_list("pass_card_id", flat=True))
    if not pass_ids:
        return
    # The pass rows are locked as when a visit is counted (attendance.services), so counts cannot race.
    cards = {p.pk: p for p in pass_model.objects.select_for_update().filter(pk__in=pass_ids).order_by("pk")}
    kept = {
        (v.pass_card_id, v.on): v
        for v in visit_model.objects.filter(service=survivor, pass_card_id__in=pass_ids)
    }
    lower: Counter[Any] = Counter()
    drop: list[Any] = []
    for visit in visit_model.objects.filter(service=duplicate):
        other = kept.get((visit.pass_card_id, visit.on))
        if other is None:
            continue
        moved["visits_joined"] += 1
        if other.confirmed or not visit.confirmed:
            drop.append(visit.pk)  # the survivor's visit stays
            if visit.confirmed:
                lower[visit.pass_card_id] += 1  # both were counted; now one visit is
        else:
            drop.append(other.pk)  # only the duplicate's visit was confirmed: it stays
    visit_model.objects.filter(pk__in=drop).delete()
    moved["visits"] += visit_model.objects.filter(service=duplicate).update(service=survivor)
    for card_id, n in lower.items():
        pass_model.objects.filter(pk=card_id).update(visit_count=F("visit_count") - n)
    for card in cards.values():
        log_personal_data(actor=actor, action="visit_merge", obj=card, purpose="catalog_merge")


def _merge_unique(
    model: type[models.Model], key: str, survivor: Service, duplicate: Service, moved: Counter[str], name: str
) -> None:
    """Move rows unique per (service, key); a row whose key the survivor has already is dropped."""
    taken = set(model._default_manager.filter(service=survivor).values_list(key, flat=True))
    clash = model._default_manager.filter(service=duplicate, **{f"{key}__in": taken})
    moved[f"{name}_dropped"] += len(clash.values_list("pk", flat=True))
    clash.delete()
    moved[name] += model._default_manager.filter(service=duplicate).update(service=survivor)


def _merge_details(survivor: Service, duplicate: Service, choices: MergeChoices, moved: Counter[str]) -> None:
    if choices.locations:
        here = set(ServiceAtLocation.objects.filter(service=survivor).values_list("location_id", flat=True))
        moved["locations"] += (
            ServiceAtLocation.objects.filter(service=duplicate)
            .exclude(location_id__in=here)
            .update(service=survivor)
        )
    if choices.schedules:

        def slot(s: Schedule) -> tuple[Any, ...]:
            return (s.weekday, s.opens_at, s.closes_at, s.location_id, s.valid_from, s.valid_to)

        times = {slot(s) for s in Schedule.objects.filter(service=survivor)}
        ids = [s.pk for s in Schedule.objects.filter(service=duplicate) if slot(s) not in times]
        moved["schedules"] += Schedule.objects.filter(pk__in=ids).update(service=survivor)
    if choices.phones:
        numbers = {
            n.replace(" ", "")
            for n in Phone.objects.filter(service=survivor).values_list("number", flat=True)
        }
        ids = [
            p.pk for p in Phone.objects.filter(service=duplicate) if p.number.replace(" ", "") not in numbers
        ]
        moved["phones"] += Phone.objects.filter(pk__in=ids).update(service=survivor)
    if choices.contacts:
        people = {(c.name.casefold(), c.email.casefold()) for c in Contact.objects.filter(service=survivor)}
        ids = [
            c.pk
            for c in Contact.objects.filter(service=duplicate)
            if (c.name.casefold(), c.email.casefold()) not in people
        ]
        moved["contacts"] += Contact.objects.filter(pk__in=ids).update(service=survivor)


@transaction.atomic
def service_merge(
    *,
    actor: User,
    survivor_id: object,
    duplicate_id: object,
    choices: MergeChoices | None = None,
) -> MergeResult:
    """Merge a duplicate listing into the one kept: everything that points at the duplicate moves to the
    survivor (``MERGE_RELATIONS``), and the duplicate is withdrawn with a pointer to the survivor (its
    address then redirects there), never deleted. One transaction, audited on both services."""
    choices = choices or MergeChoices()
    survivor, duplicate = _lock_pair(actor, survivor_id, duplicate_id)
    result = MergeResult(survivor=survivor, duplicate=duplicate)
    moved = result.moved

    referral_model = apps.get_model("referrals", "Referral")
    moved["referrals"] += referral_model.objects.filter(service=duplicate).update(service=survivor)

    programme_links = apps.get_model("attendance", "PassProgramme").services.through
    programmes = list(
        programme_links.objects.filter(service_id=duplicate.pk).values_list("passprogramme_id", flat=True)
    )
    programme_links.objects.bulk_create(
        [programme_links(passprogramme_id=p, service_id=survivor.pk) for p in programmes],
        ignore_conflicts=True,
    )
    programme_links.objects.filter(service_id=duplicate.pk).delete()
    moved["pass_programmes"] += len(programmes)

    _merge_visits(actor, survivor, duplicate, moved)
    _merge_unique(
        apps.get_model("attendance", "Meeting"), "starts_at", survivor, duplicate, moved, "meetings"
    )
    _merge_unique(
        apps.get_model("attendance", "GroupYear"), "year", survivor, duplicate, moved, "group_years"
    )

    from hyte.catalog.models import Event, ICalFeed

    moved["events"] += Event.objects.filter(service=duplicate).update(service=survivor)
    moved["calendar_feeds"] += ICalFeed.objects.filter(service=duplicate).update(service=survivor)
    if not ServiceCapacity.objects.filter(service=survivor).exists():
        moved["capacity"] += ServiceCapacity.objects.filter(service=duplicate).update(service=survivor)
    for label, key in (
        ("plans.PlanItem", "plan_items"),
        ("feedback.FeedbackLink", "feedback_links"),
        ("feedback.FeedbackAnswer", "feedback_answers"),
    ):
        moved[key] += apps.get_model(label).objects.filter(service=duplicate).update(service=survivor)
    _merge_details(survivor, duplicate, choices, moved)
    moved["merged_earlier"] += Service.objects.filter(merged_into=duplicate).update(merged_into=survivor)

    now = timezone.now()
    first, second = sorted([survivor.pk, duplicate.pk])
    DuplicateCandidate.objects.filter(first_id=first, second_id=second).update(
        status=DuplicateCandidate.Status.MERGED, decided_by_id=actor.pk, decided_at=now
    )
    DuplicateCandidate.objects.filter(
        models.Q(first=duplicate) | models.Q(second=duplicate), status=DuplicateCandidate.Status.OPEN
    ).delete()

    duplicate.status = Service.Status.INACTIVE
    duplicate.merged_into = survivor
    duplicate.save(update_fields=["status", "merged_into", "updated_at"])
    search_index_refresh(service_ids=[survivor.pk, duplicate.pk])
    details = {"duplicate": str(duplicate.pk), "moved": {k: v for k, v in sorted(moved.items()) if v}}
    audit_record(actor=actor, action="service.merge", obj=survivor, details=details)
    audit_record(actor=actor, action="service.merged_away", obj=duplicate, details={"into": str(survivor.pk)})
    return result


@transaction.atomic
def duplicate_dismiss(*, actor: User, candidate_id: object) -> DuplicateCandidate:
    """Staff say the pair is not a duplicate: remembered, never proposed again."""
    pk = parse_uuid(candidate_id)
    editable = services_editable_by(actor)
    candidate = (
        DuplicateCandidate.objects.select_for_update()
        .filter(pk=pk, first__in=editable, second__in=editable)
        .first()
    )
    if candidate is None:
        raise CandidateNotFound()
    if candidate.status != DuplicateCandidate.Status.DISMISSED:
        candidate.status = DuplicateCandidate.Status.DISMISSED
        candidate.decided_by_id = actor.pk
        candidate.decided_at = timezone.now()
        candidate.save(update_fields=["status", "decided_by", "decided_at"])
        audit_record(actor=actor, action="duplicate.dismiss", obj=candidate)
    return candidate


def duplicate_scan(*, actor: User) -> int:
    """Look for likely duplicates among the listings of the organizations the user edits; new pairs
    are stored for review. Returns how many were new."""
    from hyte.catalog.duplicates import listings, pairs_within, record_candidates

    editable = (
        services_editable_by(actor).filter(merged_into__isnull=True).exclude(status=Service.Status.DEFUNCT)
    )
    found = record_candidates(pairs_within(listings(editable)), found_by=DuplicateCandidate.FoundBy.SCAN)
    return found
