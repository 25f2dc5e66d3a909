"""Capacity and waiting time of a service (catalog) or a receiving unit (accounts).

Both ``catalog.ServiceCapacity`` and ``accounts.UnitCapacity`` inherit the abstract ``CapacityBase``:
whether new clients are taken (yes / no / not stated), the waiting time in weeks (0–104), the free
places (0–9999, optional), a short translated note, and when and by whom it was last updated. The rules
for the values are here once (``clean_capacity``) for the services, the pages and the API; the database
has the same limits as check constraints. HSDS 3.1 ``service_capacity`` is made from it in
``hsds_capacities``.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hyte.catalog.errors import CapacityInconsistent, CapacityNotANumber, CapacityOutOfRange

_WHOLE = re.compile(r"-?[0-9]{1,12}")
MAX_WAITING_WEEKS = 104
MAX_FREE_PLACES = 9999
NOTE_MAX = 200
# A capacity not updated for this long is shown with its date so readers can judge it.
CAPACITY_STALE_AFTER_DAYS = 90


class TakesNewClients(models.TextChoices):
    YES = "yes", gettext_lazy("Takes new clients")
    NO = "no", gettext_lazy("Takes no new clients")
    NOT_STATED = "not_stated", gettext_lazy("Not stated")


class CapacityBase(models.Model):
    takes_new_clients = models.CharField(
        gettext_lazy("takes new clients"),
        max_length=10,
        choices=TakesNewClients.choices,
        default=TakesNewClients.NOT_STATED,
    )
    waiting_weeks = models.PositiveSmallIntegerField(
        gettext_lazy("waiting time in weeks"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_WAITING_WEEKS)],
        help_text=gettext_lazy("About how many weeks a new client waits to start (0–104)."),
    )
    free_places = models.PositiveSmallIntegerField(
        gettext_lazy("free places"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_FREE_PLACES)],
        help_text=gettext_lazy("How many new clients fit in now (0–9999). Leave empty if not counted."),
    )
    note = models.CharField(
        gettext_lazy("note on capacity"),
        max_length=NOTE_MAX,
        blank=True,
        help_text=gettext_lazy("For example: “Groups start again in January.”"),
    )
    updated_at = models.DateTimeField(gettext_lazy("capacity updated"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("capacity updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        abstract = True

    @staticmethod
    def check_constraints(prefix: str) -> list[models.BaseConstraint]:
        return [
            models.CheckConstraint(
                condition=models.Q(waiting_weeks__isnull=True)
                | models.Q(waiting_weeks__gte=0, waiting_weeks__lte=MAX_WAITING_WEEKS),
                name=f"{prefix}_waiting_weeks_range",
            ),
            models.CheckConstraint(
                condition=models.Q(free_places__isnull=True)
                | models.Q(free_places__gte=0, free_places__lte=MAX_FREE_PLACES),
                name=f"{prefix}_free_places_range",
            ),
            models.CheckConstraint(
                condition=~models.Q(takes_new_clients=TakesNewClients.NO, free_places__gt=0),
                name=f"{prefix}_no_new_clients_no_places",
            ),
            models.CheckConstraint(
                condition=models.Q(takes_new_clients__in=TakesNewClients.values),
                name=f"{prefix}_takes_new_clients_valid",
            ),
        ]

    @property
    def is_full(self) -> bool:
        """Says it takes no new clients, or has counted its free places and has none."""
        return self.takes_new_clients == TakesNewClients.NO or self.free_places == 0

    @property
    def is_stated(self) -> bool:
        return (
            self.takes_new_clients != TakesNewClients.NOT_STATED
            or self.waiting_weeks is not None
            or self.free_places is not None
        )

    @property
    def is_stale(self) -> bool:
        return self.updated_at < timezone.now() - timedelta(days=CAPACITY_STALE_AFTER_DAYS)

    def as_dict(self) -> dict[str, Any]:
        """The values for an API error's details or a warning."""
        return {
            "takes_new_clients": self.takes_new_clients,
            "waiting_weeks": self.waiting_weeks,
            "free_places": self.free_places,
            "updated": self.updated_at.isoformat(),
        }


@dataclass(frozen=True)
class CapacityValues:
    takes_new_clients: str
    waiting_weeks: int | None
    free_places: int | None
    note: dict[str, str]  # language code -> text


def _integer(value: Any, field: str, maximum: int) -> int | None:
    """An optional whole number from a form, JSON or Python value, within 0..maximum."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise CapacityNotANumber(details={"field": field})
    if isinstance(value, float):
        if not value.is_integer():
            raise CapacityNotANumber(details={"field": field})
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        if not _WHOLE.fullmatch(text):  # ASCII digits only: "²" or "٣" are not numbers here
            raise CapacityNotANumber(details={"field": field})
        value = int(text)
    if not isinstance(value, int):
        raise CapacityNotANumber(details={"field": field})
    if not 0 <= value <= maximum:
        raise CapacityOutOfRange(
            _("Give a whole number from 0 to %(max)s.") % {"max": maximum},
            details={"field": field, "min": 0, "max": maximum},
        )
    return value


def clean_capacity(
    *,
    takes_new_clients: Any,
    waiting_weeks: Any = None,
    free_places: Any = None,
    note: dict[str, Any] | None = None,
) -> CapacityValues:
    """Check capacity values from any source; a coded, translated error names the field at fault."""
    if takes_new_clients in (None, ""):
        takes_new_clients = TakesNewClients.NOT_STATED
    if not isinstance(takes_new_clients, str) or takes_new_clients not in TakesNewClients.values:
        raise CapacityOutOfRange(
            _("Choose whether the service takes new clients."), details={"field": "takes_new_clients"}
        )
    weeks = _integer(waiting_weeks, "waiting_weeks", MAX_WAITING_WEEKS)
    places = _integer(free_places, "free_places", MAX_FREE_PLACES)
    if takes_new_clients == TakesNewClients.NO and places:
        raise CapacityInconsistent(
            _("A service that takes no new clients cannot have free places. Set the free places to 0."),
            details={"field": "free_places"},
        )
    notes: dict[str, str] = {}
    for lang, text in (note or {}).items():
        if text is None:
            text = ""
        if not isinstance(text, str) or "\x00" in text:
            raise CapacityOutOfRange(details={"field": f"note_{lang}"})
        text = " ".join(text.split())
        if len(text) > NOTE_MAX:
            raise CapacityOutOfRange(
                _("The note can be at most %(max)s characters.") % {"max": NOTE_MAX},
                details={"field": f"note_{lang}", "max": NOTE_MAX},
            )
        notes[lang] = text
    return CapacityValues(takes_new_clients, weeks, places, notes)


def apply_capacity(record: CapacityBase, values: CapacityValues, *, actor: Any) -> list[str]:
    """Copy checked values onto the record, stamp it, and return the changed field names."""
    changed: list[str] = []
    for name in ("takes_new_clients", "waiting_weeks", "free_places"):
        new = getattr(values, name)
        if getattr(record, name) != new:
            setattr(record, name, new)
            changed.append(name)
    for lang, text in values.note.items():
        field = f"note_{lang}"
        if hasattr(record, field) and getattr(record, field) != text:
            setattr(record, field, text)
            changed.append(field)
    record.updated_at = timezone.now()
    record.updated_by_id = actor.pk if actor is not None and actor.is_authenticated else None  # type: ignore[attr-defined]
    return changed


# --- HSDS 3.1 service_capacity ---

# The HSDS ``unit`` objects we measure in; fixed ids so clients can match them across responses.
_NS = uuid.UUID("6f1c1f4e-6c55-4a43-9a5e-1a3f2d7c0b10")
PLACE_UNIT = {
    "id": str(uuid.uuid5(_NS, "place")),
    "scheme": "HYTE",
    "identifier": "place",
}
WEEK_UNIT = {
    "id": str(uuid.uuid5(_NS, "week")),
    "scheme": "UCUM",
    "identifier": "wk",
    "uri": "http://unitsofmeasure.org/ucum.html#para-31",
}


def hsds_capacities(capacity: CapacityBase | None, service_id: Any) -> list[dict[str, Any]]:
    """HSDS 3.1 ``service.capacities``: one entry for free places (unit "place": ``available`` free
    places; 0 when the service says it takes no new clients and gave no number) and one for the waiting
    time (unit "week", UCUM ``wk``: ``available`` is the waiting time in weeks). Nothing when not
    stated."""
    if capacity is None or not capacity.is_stated:
        return []
    updated = capacity.updated_at.isoformat()
    entries: list[dict[str, Any]] = []
    places = capacity.free_places
    if places is None and capacity.takes_new_clients == TakesNewClients.NO:
        places = 0
    if places is not None:
        entries.append(
            {
                "id": str(capacity.pk),
                "service_id": str(service_id),
                "unit": PLACE_UNIT | {"name": _("free place")},
                "available": places,
                "description": capacity.note or _("Free places for new clients"),
                "updated": updated,
            }
        )
    if capacity.waiting_weeks is not None:
        entries.append(
            {
                "id": str(uuid.uuid5(capacity.pk, "waiting_weeks")),  # type: ignore[arg-type]
                "service_id": str(service_id),
                "unit": WEEK_UNIT | {"name": _("week")},
                "available": capacity.waiting_weeks,
                "description": _("Waiting time for new clients, in weeks"),
                "updated": updated,
            }
        )
    return entries
