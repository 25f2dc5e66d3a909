"""Likely duplicate listings: the same organization, a similar name and the same address.

- **Name**: the name in the first language both have is normalised (lowercase, harmless diacritics
  folded as in search, keeping å ä ö; punctuation dropped; whitespace collapsed) and compared with
  rapidfuzz's ``token_sort_ratio`` (word order does not matter) and ``ratio`` without spaces
  (compounds written apart); different numbers in the names mean different services. At least
  ``NAME_THRESHOLD`` (0–100) is similar.
- **Address**: a location of each with the same normalised street address and postal code, or both
  without any location.

Used when staff enter a service in the admin (a warning), by the PTV and HSDS imports (imported services
against the organization's local ones, recorded as ``DuplicateCandidate`` rows, never blocking), and
by the staff page of candidate pairs. A pair staff marked "not a duplicate" is never proposed again.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from rapidfuzz import fuzz, process

from hyte.catalog.models import DuplicateCandidate, Location, Service, ServiceAtLocation
from hyte.catalog.search.analyzer import fold

NAME_THRESHOLD = 85.0
LANGS = ("fi", "sv", "en")
CHUNK = 500
_PUNCT = re.compile(r"[^\w\s]+")
_SPACE = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+")

Address = tuple[str, str]


def normalise_name(text: str) -> str:
    return _SPACE.sub(" ", _PUNCT.sub(" ", fold(text or ""))).strip()


def normalise_address(street: str, postal_code: str) -> Address | None:
    """(street, postal code) folded and with punctuation and spaces dropped; None when there is no street."""
    street = _SPACE.sub("", _PUNCT.sub("", fold(street or "")))
    if not street:
        return None
    return street, (postal_code or "").strip()


@dataclass(frozen=True)
class Listing:
    """What duplicate detection looks at in one service."""

    pk: Any
    organization_id: Any
    names: tuple[str, ...]  # normalised, one per language ("" when empty)
    addresses: frozenset[Address]


def name_similarity(a: Listing, b: Listing) -> float:
    """Similarity of the names in the first language both have (Finnish, Swedish, English). Names with
    different numbers in them ("Ryhmä 1", "Ryhmä 2") are different services."""
    for x, y in zip(a.names, b.names, strict=True):
        if x and y:
            if _DIGITS.findall(x) != _DIGITS.findall(y):
                return 0.0
            joined = fuzz.ratio(x.replace(" ", ""), y.replace(" ", ""))  # "puhelin-neuvonta"
            return float(max(fuzz.token_sort_ratio(x, y), joined))
    return 0.0


def same_address(a: Listing, b: Listing) -> bool:
    if not a.addresses and not b.addresses:
        return True
    return bool(a.addresses & b.addresses)


def likely_duplicate(a: Listing, b: Listing) -> float | None:
    """The name similarity when the two look like the same service, else None."""
    if a.pk is not None and a.pk == b.pk:
        return None
    if a.organization_id != b.organization_id or not same_address(a, b):
        return None
    score = name_similarity(a, b)
    return score if score >= NAME_THRESHOLD else None


def _addresses(service_ids: Sequence[Any]) -> dict[Any, set[Address]]:
    found: dict[Any, set[Address]] = defaultdict(set)
    for start in range(0, len(service_ids), CHUNK):
        rows = ServiceAtLocation.objects.filter(
            service_id__in=service_ids[start : start + CHUNK]
        ).values_list(
            "service_id", *(f"location__street_address_{lang}" for lang in LANGS), "location__postal_code"
        )
        for service_id, fi, sv, en, postal in rows:
            if address := normalise_address(fi or sv or en, postal):
                found[service_id].add(address)
    return found


def listings(queryset: QuerySet[Service]) -> list[Listing]:
    """Listings of a queryset of services (two queries per 500 services, no model instances)."""
    rows = list(queryset.values_list("pk", "organization_id", *(f"name_{lang}" for lang in LANGS)))
    addresses = _addresses([row[0] for row in rows])
    return [
        Listing(
            pk=row[0],
            organization_id=row[1],
            names=tuple(normalise_name(n) for n in row[2:]),
            addresses=frozenset(addresses.get(row[0], ())),
        )
        for row in rows
    ]


def listing_of(
    *, organization_id: Any, names: dict[str, str], locations: Iterable[Location], pk: Any = None
) -> Listing:
    """A listing of a service being entered (not saved yet, or with changes not saved yet)."""
    return Listing(
        pk=pk,
        organization_id=organization_id,
        names=tuple(normalise_name(names.get(lang, "")) for lang in LANGS),
        addresses=frozenset(
            a for loc in locations if (a := normalise_address(_street(loc), loc.postal_code))
        ),
    )


def _street(location: Location) -> str:
    """The address in Finnish (the base of comparison), else Swedish or English."""
    texts = (getattr(location, f"street_address_{lang}", "") for lang in LANGS)
    return next((t for t in texts if t), "")


def dismissed_pairs(pks: Iterable[Any]) -> set[tuple[Any, Any]]:
    ids = list(pks)
    return {
        (first, second)
        for first, second in DuplicateCandidate.objects.filter(
            Q(first_id__in=ids) | Q(second_id__in=ids), status=DuplicateCandidate.Status.DISMISSED
        ).values_list("first_id", "second_id")
    }


def ordered(a: Any, b: Any) -> tuple[Any, Any]:
    return (a, b) if a < b else (b, a)


def duplicates_of(listing: Listing, *, among: Any = None) -> list[tuple[Service, float]]:
    """Active or inactive (not merged) services of the listing's organization that look like it,
    most similar first; pairs marked "not a duplicate" are left out."""
    qs = among if among is not None else Service.objects.all()
    qs = qs.filter(organization_id=listing.organization_id, merged_into__isnull=True).exclude(
        status=Service.Status.DEFUNCT
    )
    if listing.pk is not None:
        qs = qs.exclude(pk=listing.pk)
    scored = [(other.pk, s) for other in listings(qs) if (s := likely_duplicate(listing, other)) is not None]
    if listing.pk is not None:
        dismissed = dismissed_pairs([listing.pk])
        scored = [(pk, s) for pk, s in scored if ordered(listing.pk, pk) not in dismissed]
    services = Service.objects.select_related("organization").in_bulk([pk for pk, _ in scored])
    return sorted(((services[pk], s) for pk, s in scored), key=lambda item: (-item[1], str(item[0].name)))


def _buckets(group: Iterable[Listing]) -> dict[tuple[Any, Address | None], list[Listing]]:
    """Listings by (organization, address); a listing without a location under (organization, None)."""
    buckets: dict[tuple[Any, Address | None], list[Listing]] = defaultdict(list)
    for listing in group:
        for address in listing.addresses or {None}:
            buckets[(listing.organization_id, address)].append(listing)
    return buckets


def pairs_between(new: Sequence[Listing], existing: Sequence[Listing]) -> list[tuple[Any, Any, float]]:
    """Likely duplicate pairs (ordered pks, score) between two groups; only listings sharing an
    organization and an address (or both without one) are compared. Within a bucket, rapidfuzz's
    ``cdist`` (C, no Python loop) picks the pairs whose Finnish names could be similar, and only those
    are checked in full, so a large import against many local listings stays fast."""
    existing_buckets = _buckets(existing)
    new_buckets = _buckets(new)
    pairs: dict[tuple[Any, Any], float] = {}

    def check(a: Listing, b: Listing) -> None:
        key = ordered(a.pk, b.pk)
        if key not in pairs and (score := likely_duplicate(a, b)) is not None:
            pairs[key] = score

    for bucket, news in new_buckets.items():
        olds = existing_buckets.get(bucket)
        if not olds:
            continue
        named_new = [a for a in news if a.names[0]]
        named_old = [b for b in olds if b.names[0]]
        for a in news:  # without a Finnish name: compared one by one (rare)
            for b in olds if not a.names[0] else [b for b in olds if not b.names[0]]:
                check(a, b)
        if not named_new or not named_old:
            continue
        left = [a.names[0] for a in named_new]
        right = [b.names[0] for b in named_old]
        near = process.cdist(left, right, scorer=fuzz.token_sort_ratio, score_cutoff=NAME_THRESHOLD) > 0
        joined = process.cdist(
            [x.replace(" ", "") for x in left],
            [y.replace(" ", "") for y in right],
            scorer=fuzz.ratio,
            score_cutoff=NAME_THRESHOLD,
        )
        for i, j in zip(*(near | (joined > 0)).nonzero(), strict=True):
            check(named_new[int(i)], named_old[int(j)])
    return [(first, second, score) for (first, second), score in pairs.items()]


def record_candidates(
    pairs: Iterable[tuple[Any, Any, float]],
    *,
    found_by: str,
    import_run: int | None = None,
    status: str = DuplicateCandidate.Status.OPEN,
    decided_by: Any = None,
) -> int:
    """Store pairs not stored before (a dismissed or merged pair stays as it is). Returns how many are new."""
    from django.utils import timezone

    pairs = list(pairs)
    if not pairs:
        return 0
    known: set[tuple[Any, Any]] = set()
    firsts = list({p[0] for p in pairs})
    for start in range(0, len(firsts), CHUNK):
        known |= set(
            DuplicateCandidate.objects.filter(first_id__in=firsts[start : start + CHUNK]).values_list(
                "first_id", "second_id"
            )
        )
    orgs = dict(Service.objects.filter(pk__in=firsts).values_list("pk", "organization_id"))
    decided = status != DuplicateCandidate.Status.OPEN
    new = [
        DuplicateCandidate(
            organization_id=orgs[first],
            first_id=first,
            second_id=second,
            similarity=round(score, 1),
            found_by=found_by,
            import_run=import_run,
            status=status,
            decided_by=decided_by if decided else None,
            decided_at=timezone.now() if decided else None,
        )
        for first, second, score in pairs
        if (first, second) not in known
    ]
    DuplicateCandidate.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def record_import_duplicates(
    *, service_ids: Iterable[Any], source_prefix: str, import_run: int | None
) -> int:
    """After an import: imported services (active, just written) against the local services of the same
    organizations (without this source's prefix). A few queries, whatever the size of the run: local
    services are loaded first, and only the imported services of organizations that have some are
    compared."""
    changed = set(service_ids)
    if not changed:
        return 0
    local_qs = (
        Service.objects.filter(merged_into__isnull=True)
        .exclude(status=Service.Status.DEFUNCT)
        .filter(Q(external_id__isnull=True) | ~Q(external_id__startswith=source_prefix))
    )
    local = listings(local_qs)
    orgs = list({listing.organization_id for listing in local})
    imported: list[Listing] = []
    for start in range(0, len(orgs), CHUNK):
        candidates = Service.objects.filter(
            organization_id__in=orgs[start : start + CHUNK],
            external_id__startswith=source_prefix,
            status=Service.Status.ACTIVE,
        )
        imported += [listing for listing in listings(candidates) if listing.pk in changed]
    return record_candidates(pairs_between(imported, local), found_by="import", import_run=import_run)


def pairs_within(group: Sequence[Listing]) -> list[tuple[Any, Any, float]]:
    """Likely duplicate pairs inside one set of listings: only listings sharing an address (or both
    without one) in the same organization are compared, so a large organization stays cheap."""
    pairs: dict[tuple[Any, Any], float] = {}
    for members in _buckets(group).values():
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                key = ordered(a.pk, b.pk)
                if key not in pairs and (score := likely_duplicate(a, b)) is not None:
                    pairs[key] = score
    return [(first, second, score) for (first, second), score in pairs.items()]
