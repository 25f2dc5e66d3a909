"""The service tray (palvelutarjotin), aligned with Open Referral HSDS 3.0.

HSDS object -> model: organization -> Organization, service -> Service, location (+ address,
accessibility) -> Location, service_at_location -> ServiceAtLocation, schedule -> Schedule,
phone/contact -> Phone/Contact, language -> ServiceLanguage, taxonomy_term -> Theme, ServiceClass,
TargetGroup; service_area -> Service.municipalities; cost_option -> Service.free + cost_description.
Translatable fields (name, summary, ...) get _fi/_sv/_en columns from django-modeltranslation
(see translation.py).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hyte.catalog.capacity import CapacityBase
from hyte.core.ids import new_id


class WellbeingServicesCounty(models.Model):
    code = models.CharField(_("code"), max_length=2, primary_key=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("wellbeing services county")
        verbose_name_plural = _("wellbeing services counties")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    code = models.CharField(_("code"), max_length=3, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    county = models.ForeignKey(
        WellbeingServicesCounty,
        verbose_name=_("wellbeing services county"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="municipalities",
    )

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name_fi"]

    def __str__(self) -> str:
        return self.name


class ServiceClass(models.Model):
    """PTV service class (ptvserclass2), e.g. P27.1 Sports and exercise."""

    code = models.CharField(_("code"), max_length=16, primary_key=True)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )

    class Meta:
        verbose_name = _("service class")
        verbose_name_plural = _("service classes")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class TargetGroup(models.Model):
    """PTV target group (ptvkohderyhmat), e.g. KR1.1 Seniors."""

    code = models.CharField(_("code"), max_length=16, primary_key=True)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )

    class Meta:
        verbose_name = _("target group")
        verbose_name_plural = _("target groups")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Theme(models.Model):
    """The eight user-facing themes (Tarmoa style), each mapped to PTV service classes."""

    slug = models.SlugField(_("identifier"), max_length=40, primary_key=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    icon = models.CharField(_("icon"), max_length=8, blank=True, help_text=_("An emoji or short symbol."))
    service_classes = models.ManyToManyField(
        ServiceClass, verbose_name=_("service classes"), blank=True, related_name="themes"
    )

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["order", "slug"]

    def __str__(self) -> str:
        return self.name


class ServiceLanguage(models.Model):
    """A language a service is given in: ISO 639-1 or 639-3 code (fi, sv, en, se, fse, ...)."""

    code = models.CharField(_("code"), max_length=8, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("language of service")
        verbose_name_plural = _("languages of service")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class Organization(models.Model):
    class Type(models.TextChoices):
        COUNTY = "county", _("Wellbeing services county")
        MUNICIPALITY = "municipality", _("Municipality")
        ASSOCIATION = "association", _("Association")
        PARISH = "parish", _("Parish")
        COMPANY = "company", _("Company")

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    external_id = models.CharField(
        _("external id"),
        max_length=100,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Identifier in the source system with its prefix, e.g. ptv:3668d250-…"),
    )
    org_type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    municipality = models.ForeignKey(
        Municipality, verbose_name=_("home municipality"), null=True, blank=True, on_delete=models.PROTECT
    )
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    source_hash = models.CharField(_("source fingerprint"), max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name_fi"]

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    """A physical place (HSDS location + address + accessibility), coordinates in WGS84."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    external_id = models.CharField(_("external id"), max_length=100, unique=True, null=True, blank=True)
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.CASCADE, related_name="locations"
    )
    name = models.CharField(_("name"), max_length=200)
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    post_office = models.CharField(_("post office"), max_length=100, blank=True)
    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.PROTECT, related_name="locations"
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    accessibility = models.TextField(
        _("accessibility"), blank=True, help_text=_("Accessibility sentences, one per line.")
    )
    step_free_access = models.BooleanField(
        _("step-free access"),
        default=False,
        help_text=_("The entrance can be used without steps (wheelchair)."),
    )
    source_hash = models.CharField(_("source fingerprint"), max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["name_fi"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(latitude__isnull=True) & models.Q(longitude__isnull=True))
                | (models.Q(latitude__isnull=False) & models.Q(longitude__isnull=False)),
                name="location_lat_lon_together",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def accessibility_sentences(self) -> list[str]:
        return [line.strip() for line in (self.accessibility or "").splitlines() if line.strip()]


class Service(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")
        DEFUNCT = "defunct", _("Defunct")

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    external_id = models.CharField(
        _("external id"),
        max_length=100,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Identifier in the source system with its prefix, e.g. ptv:3668d250-…"),
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.CASCADE, related_name="services"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    name = models.CharField(_("name"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    plain_summary_fi = models.TextField(
        _("plain-language summary (selkokieli)"),
        blank=True,
        help_text=_("A short summary in plain Finnish (selkokieli)."),
    )
    keywords = models.CharField(_("keywords"), max_length=500, blank=True, help_text=_("Comma-separated."))
    url = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    free = models.BooleanField(_("free of charge"), default=False)
    cost_description = models.TextField(_("cost"), blank=True)
    themes = models.ManyToManyField(Theme, verbose_name=_("themes"), blank=True, related_name="services")
    service_classes = models.ManyToManyField(
        ServiceClass, verbose_name=_("service classes"), blank=True, related_name="services"
    )
    target_groups = models.ManyToManyField(
        TargetGroup, verbose_name=_("target groups"), blank=True, related_name="services"
    )
    municipalities = models.ManyToManyField(
        Municipality, verbose_name=_("service area"), blank=True, related_name="services"
    )
    languages = models.ManyToManyField(
        ServiceLanguage, verbose_name=_("languages of service"), blank=True, related_name="services"
    )
    locations = models.ManyToManyField(
        Location,
        verbose_name=_("locations"),
        through="ServiceAtLocation",
        blank=True,
        related_name="services",
    )
    last_verified_at = models.DateTimeField(_("last verified"), default=timezone.now)
    withdrawn_at = models.DateTimeField(
        _("withdrawn from source"),
        null=True,
        blank=True,
        help_text=_("When the source system (e.g. PTV) stopped publishing this service."),
    )
    source_hash = models.CharField(_("source fingerprint"), max_length=64, blank=True, editable=False)
    source_modified = models.DateTimeField(_("modified in source"), null=True, blank=True, editable=False)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="merged_from",
        help_text=_("This listing was a duplicate; its links lead to the service it was merged into."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name_fi"]
        indexes = [models.Index(fields=["status", "last_verified_at"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_stale(self) -> bool:
        return self.last_verified_at < timezone.now() - timedelta(days=settings.HYTE_STALE_AFTER_DAYS)

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in (self.keywords or "").split(",") if k.strip()]


class ServiceAtLocation(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_at_locations")
    location = models.ForeignKey(
        Location, verbose_name=_("location"), on_delete=models.CASCADE, related_name="service_at_locations"
    )

    class Meta:
        verbose_name = _("service at location")
        verbose_name_plural = _("services at locations")
        constraints = [
            models.UniqueConstraint(fields=["service", "location"], name="unique_service_location")
        ]

    def __str__(self) -> str:
        return f"{self.service} @ {self.location}"


class Weekday(models.IntegerChoices):
    MONDAY = 1, _("Monday")
    TUESDAY = 2, _("Tuesday")
    WEDNESDAY = 3, _("Wednesday")
    THURSDAY = 4, _("Thursday")
    FRIDAY = 5, _("Friday")
    SATURDAY = 6, _("Saturday")
    SUNDAY = 7, _("Sunday")


class Schedule(models.Model):
    """A weekly opening or meeting time (HSDS schedule with freq=WEEKLY and one byday)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="schedules")
    location = models.ForeignKey(
        Location,
        verbose_name=_("location"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="schedules",
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens_at = models.TimeField(_("opens at"))
    closes_at = models.TimeField(_("closes at"))
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")
        ordering = ["weekday", "opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens_at__lt=models.F("closes_at")), name="schedule_opens_before_closes"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_from__isnull=True)
                | models.Q(valid_to__isnull=True)
                | models.Q(valid_from__lte=models.F("valid_to")),
                name="schedule_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"


class Phone(models.Model):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(_("number"), max_length=40)
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("phone")
        verbose_name_plural = _("phones")

    def __str__(self) -> str:
        return self.number


class Contact(models.Model):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")

    def __str__(self) -> str:
        return self.name


class SearchPosting(models.Model):
    """One term of one service in the search index, with its best field weight (see catalog.search)."""

    term = models.CharField(max_length=80)
    # No database constraint: the index is derived data, rebuilt in bulk; the ORM still cascades deletes.
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    weight = models.FloatField()

    class Meta:
        # Named, so a bulk rebuild can drop and recreate them around the load.
        indexes = [
            models.Index(fields=["term", "service", "weight"], name="search_term_service"),
            models.Index(fields=["service"], name="search_service"),
        ]

    def __str__(self) -> str:
        return f"{self.term} {self.service_id} {self.weight}"


class SearchTerm(models.Model):
    """Document frequency of a term: how many services have it (for ranking and typo candidates)."""

    term = models.CharField(max_length=80, primary_key=True)
    df = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.term} ({self.df})"


class SearchIndexState(models.Model):
    """A single row: bumped on every index change so each process knows when its caches are stale."""

    version = models.PositiveBigIntegerField(default=0)
    token = models.CharField(max_length=32, blank=True, help_text="Changes with every index change.")
    analyzer = models.CharField(max_length=40, blank=True)
    services = models.PositiveIntegerField(default=0)
    rebuilt_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"search index v{self.version} ({self.services} services, {self.analyzer})"


class ICalFeed(models.Model):
    """An iCalendar (RFC 5545) feed an organization publishes its events in; imported by
    ``integrations.ical`` (``manage.py import_ical``)."""

    class Language(models.TextChoices):
        FINNISH = "fi", _("Finnish")
        SWEDISH = "sv", _("Swedish")
        ENGLISH = "en", _("English")

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.CASCADE, related_name="ical_feeds"
    )
    service = models.ForeignKey(
        Service,
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ical_feeds",
        help_text=_(
            "The service the feed's events belong to. Its simple weekly meetings then become the "
            "service's weekly times."
        ),
    )
    url = models.URLField(
        _("address"),
        max_length=1000,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("An http or https address of an .ics file."),
    )
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=Language.choices,
        default=Language.FINNISH,
        help_text=_("The language of texts in the feed that do not say their language."),
    )
    active = models.BooleanField(_("active"), default=True, help_text=_("Imported by the scheduled import."))
    last_fetched_at = models.DateTimeField(_("last fetched"), null=True, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        ordering = ["organization", "url"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "url"], name="unique_ical_feed_per_organization")
        ]

    def __str__(self) -> str:
        return self.url


class Event(models.Model):
    """A one-off or recurring event or group meeting that is not a plain weekly time (those are
    Schedule rows), e.g. from an organization's iCalendar feed. Times are aware (Europe/Helsinki);
    a recurring event keeps its rule as written in the feed (``rrule``, e.g. ``FREQ=MONTHLY;BYDAY=1WE``)."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    external_id = models.CharField(
        _("external id"),
        max_length=400,
        unique=True,
        help_text=_("Identifier in the source with its prefix, e.g. ical:<feed>:<UID>."),
    )
    uid = models.CharField(_("UID"), max_length=255, help_text=_("The iCalendar UID of the event."))
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.CASCADE, related_name="events"
    )
    service = models.ForeignKey(
        Service,
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    feed = models.ForeignKey(
        ICalFeed,
        verbose_name=_("calendar feed"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
    )
    title = models.CharField(pgettext_lazy("event", "title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    location_text = models.CharField(_("place"), max_length=500, blank=True)
    location = models.ForeignKey(
        Location,
        verbose_name=_("location"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    all_day = models.BooleanField(_("all day"), default=False)
    rrule = models.CharField(
        _("recurrence rule"), max_length=500, blank=True, help_text=_("An RFC 5545 RRULE value.")
    )
    recurrence_end = models.DateTimeField(
        _("recurrence ends"),
        null=True,
        blank=True,
        help_text=_("No occurrence starts after this. Empty for a one-off event or an endless series."),
    )
    exdates = models.JSONField(
        _("excluded occurrences"), default=list, blank=True, help_text=_("Start times (ISO 8601).")
    )
    rdates = models.JSONField(
        _("additional occurrences"), default=list, blank=True, help_text=_("Start times (ISO 8601).")
    )
    cancelled = models.BooleanField(_("cancelled"), default=False)
    schedules = models.ManyToManyField(
        Schedule,
        verbose_name=_("weekly times"),
        blank=True,
        related_name="events",
        help_text=_("The service's weekly times this event is published as (kept up to date by the import)."),
    )
    source_hash = models.CharField(_("source fingerprint"), max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["organization", "starts_at"]),
            models.Index(fields=["service", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gte=models.F("starts_at")), name="event_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.starts_at:%Y-%m-%d %H:%M}"


class ServiceCapacity(CapacityBase):
    """HSDS 3.1 ``service_capacity`` of one service: takes new clients, waiting time, free places.
    A row of its own (not fields on Service) so imports that write services in bulk never touch it and
    "not stated" is simply no row; see ``catalog.capacity``."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    service = models.OneToOneField(
        Service, verbose_name=_("service"), on_delete=models.CASCADE, related_name="capacity"
    )

    class Meta:
        verbose_name = _("capacity of a service")
        verbose_name_plural = _("capacities of services")
        constraints = CapacityBase.check_constraints("service_capacity")

    def __str__(self) -> str:
        return f"{self.service} ({self.get_takes_new_clients_display()})"


class FreshnessReminder(models.Model):
    """A reminder e-mail about one listing for one verification: the listing's ``last_verified_at``
    when the reminder went out. A listing verified again has a new value, so it can be reminded of
    again; the same value is never reminded of twice (``manage.py send_freshness_reminders``)."""

    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.CASCADE, related_name="freshness_reminders"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.CASCADE, related_name="+"
    )
    verified_at = models.DateTimeField(_("verification reminded of"))
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    recipients = models.PositiveSmallIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("freshness reminder")
        verbose_name_plural = _("freshness reminders")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["service", "verified_at"], name="one_reminder_per_verification")
        ]
        indexes = [models.Index(fields=["organization", "sent_at"], name="reminder_org_sent")]

    def __str__(self) -> str:
        return f"{self.service_id} {self.sent_at:%Y-%m-%d}"


class DuplicateCandidate(models.Model):
    """Two listings of the same organization that look like the same service (``catalog.duplicates``).
    The pair is stored in a fixed order (``first_id < second_id``) so it is found once; "not a
    duplicate" is remembered (``dismissed``) and the pair is never proposed again."""

    class Status(models.TextChoices):
        OPEN = "open", _("To check")
        DISMISSED = "dismissed", _("Not a duplicate")
        MERGED = "merged", _("Merged")

    class FoundBy(models.TextChoices):
        ENTRY = "entry", _("Entered by staff")
        IMPORT = "import", _("Import")
        SCAN = "scan", _("Scan")

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.CASCADE, related_name="+"
    )
    first = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    similarity = models.FloatField(_("name similarity"))
    found_by = models.CharField(_("found by"), max_length=10, choices=FoundBy.choices)
    import_run = models.PositiveBigIntegerField(_("import run"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    created_at = models.DateTimeField(_("found"), auto_now_add=True)

    class Meta:
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="one_candidate_per_pair"),
            models.CheckConstraint(
                condition=models.Q(first__lt=models.F("second")), name="candidate_pair_ordered"
            ),
        ]
        indexes = [models.Index(fields=["organization", "status"], name="candidate_org_status")]

    def __str__(self) -> str:
        return f"{self.first_id} ~ {self.second_id}"
