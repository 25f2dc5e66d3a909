"""Client pathways: one shape for every programme (enrolment, plan with goals, contacts, measurements at
fixed points, outcomes, closure); the programmes themselves are rows (``Programme``), not code.

A pathway belongs to a providing unit; the unit's counsellors and link workers (``UnitRole.Role.RECEIVER``)
work on it. The client is the referrals context's ``Client`` (one person, one record, whether she came
by referral, walked in or used the self-referral form). Plans and pathways carry a ``version`` for
optimistic concurrency: a write names the version it read, and a stale one is refused (409).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from hyte.core.ids import new_id

MAX_TEXT = 4000


# The fields of a programme's configuration (the admin form and the API show the same ones).
PROGRAMME_FIELDS = [
    "code",
    "name",
    "description",
    "max_days",
    "warn_days",
    "extension_needs_reason",
    "measurement_months",
    "instruments",
    "outcome_kinds",
    "contact_kinds",
    "triage",
    "walk_in",
    "tracks",
]


class Programme(models.Model):
    """A programme's rules as data: how long a pathway may last, when to warn, measurement points (months
    from enrolment), which instruments and outcomes it uses, whether it triages."""

    code = models.SlugField(_("code"), primary_key=True, max_length=40)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    max_days = models.PositiveIntegerField(
        _("longest duration (days)"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    warn_days = models.PositiveIntegerField(
        _("warn after (days)"),
        null=True,
        blank=True,
        help_text=_("Show a warning on the caseload after this."),
    )
    extension_needs_reason = models.BooleanField(_("extension needs a reason"), default=True)
    measurement_months = models.JSONField(
        _("measurement points (months)"), default=list, blank=True, help_text=_("For example [0, 3, 6, 12].")
    )
    instruments = models.JSONField(_("instruments"), default=list, blank=True)
    outcome_kinds = models.JSONField(_("outcome kinds"), default=list, blank=True)
    contact_kinds = models.JSONField(_("contact kinds"), default=list, blank=True)
    triage = models.BooleanField(_("traffic-light triage"), default=False)
    walk_in = models.BooleanField(_("walk-in visits without a referral"), default=False)
    tracks = models.JSONField(
        _("tracks"), default=list, blank=True, help_text=_("Sub-paths, e.g. the topics of lifestyle care.")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Pathway(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    class Origin(models.TextChoices):
        REFERRAL = "referral", _("Referral")
        WALK_IN = "walk_in", _("Walk-in")
        SELF_REFERRAL = "self_referral", _("Self-referral")
        OTHER = "other", _("Other contact")

    class Triage(models.TextChoices):
        GREEN = "green", _("Green: self-care guidance and the service tray")
        YELLOW = "yellow", _("Yellow: counselling or walk-in")
        RED = "red", _("Red: professional assessment or referral")

    class ClosureReason(models.TextChoices):
        GOALS_MET = "goals_met", _("Goals met")
        PLAN_COMPLETED = "plan_completed", _("Plan completed")
        REFERRED_ON = "referred_on", _("Referred to another service")
        CLIENT_DECLINED = "client_declined", _("Client declined")
        NO_SHOW = "no_show", _("Client did not come")
        MOVED = "moved", _("Client moved")
        TIME_LIMIT = "time_limit", _("Time limit reached")
        OTHER = "other", _("Other")

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    programme = models.ForeignKey(Programme, verbose_name=_("programme"), on_delete=models.PROTECT)
    track = models.CharField(_("track"), max_length=40, blank=True)
    client = models.ForeignKey(
        "referrals.Client", verbose_name=_("client"), on_delete=models.PROTECT, related_name="pathways"
    )
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="pathways"
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("worker"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    referral = models.OneToOneField(
        "referrals.Referral",
        verbose_name=_("referral"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pathway",
    )
    origin = models.CharField(_("came by"), max_length=20, choices=Origin.choices)
    triage = models.CharField(_("triage"), max_length=10, choices=Triage.choices, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    enrolled_on = models.DateField(_("enrolled on"))
    agreement_on = models.DateField(
        _("collaboration agreement on"), null=True, blank=True, help_text=_("IPS: the agreement's date.")
    )
    ends_by = models.DateField(_("ends by"), null=True, blank=True)
    extension_reason = models.TextField(
        _("reason for extension"), blank=True, validators=[MaxLengthValidator(MAX_TEXT)]
    )
    next_contact_on = models.DateField(_("next contact"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closure_reason = models.CharField(
        _("closure reason"), max_length=20, choices=ClosureReason.choices, blank=True
    )
    closure_note = models.TextField(_("closure note"), blank=True, validators=[MaxLengthValidator(MAX_TEXT)])
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("pathway")
        verbose_name_plural = _("pathways")
        ordering = ["-enrolled_on"]
        indexes = [models.Index(fields=["unit", "status"]), models.Index(fields=["worker", "status"])]

    def __str__(self) -> str:
        return f"{self.programme_id} {self.enrolled_on}"

    def limit_warning_on(self) -> date | None:
        warn = self.programme.warn_days
        return self.enrolled_on + timedelta(days=warn) if warn else None


class Goal(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACHIEVED = "achieved", _("Achieved")
        PARTLY = "partly", _("Partly achieved")
        NOT_ACHIEVED = "not_achieved", _("Not achieved")
        DROPPED = "dropped", _("Dropped")

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    pathway = models.ForeignKey(
        Pathway, verbose_name=_("pathway"), on_delete=models.CASCADE, related_name="goals"
    )
    text = models.TextField(_("goal"), validators=[MaxLengthValidator(1000)])
    target_on = models.DateField(_("target date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.text[:60]


class Contact(models.Model):
    class Kind(models.TextChoices):
        MEETING = "meeting", _("Meeting")
        PHONE = "phone", _("Phone call")
        REMOTE = "remote", _("Remote meeting")
        GROUP = "group", _("Group session")
        WALK_IN = "walk_in", _("Walk-in visit")
        EMPLOYER = "employer", _("Employer contact")
        JOB_SEARCH = "job_search", _("Job search together")
        NO_SHOW = "no_show", _("Client did not come")

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    pathway = models.ForeignKey(
        Pathway, verbose_name=_("pathway"), on_delete=models.CASCADE, related_name="contacts"
    )
    on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    minutes = models.PositiveSmallIntegerField(
        _("duration (min)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    note = models.TextField(_("note"), blank=True, validators=[MaxLengthValidator(MAX_TEXT)])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["on", "created_at"]

    def __str__(self) -> str:
        return f"{self.on} {self.kind}"


class Measurement(models.Model):
    """Item-level answers of one instrument at one time (``hyte.pathways.instruments`` validates and
    scores them); the scores are derived and stored with the instrument's version."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    pathway = models.ForeignKey(
        Pathway, verbose_name=_("pathway"), on_delete=models.CASCADE, related_name="measurements"
    )
    instrument = models.CharField(_("instrument"), max_length=40)
    instrument_version = models.CharField(_("instrument version"), max_length=20)
    point_months = models.PositiveSmallIntegerField(_("measurement point (months)"), null=True, blank=True)
    on = models.DateField(_("date"))
    values = models.JSONField(_("answers"))
    scores = models.JSONField(_("scores"), default=dict)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["on", "created_at"]
        indexes = [models.Index(fields=["pathway", "instrument", "on"])]

    def __str__(self) -> str:
        return f"{self.instrument} {self.on}"


class Outcome(models.Model):
    class Kind(models.TextChoices):
        COMPETITIVE_EMPLOYMENT = "competitive_employment", _("Competitive employment")
        STUDY = "study", _("Studies")
        VOLUNTEERING = "volunteering", _("Volunteering")
        WORK_TRIAL = "work_trial", _("Work trial")
        OTHER_PROGRESS = "other_progress", _("Other step forward")
        DEBT_ARRANGEMENT = "debt_arrangement", _("Debt arrangement or settlement")
        BENEFIT_GRANTED = "benefit_granted", _("Benefit or support granted")
        QUIT_NICOTINE = "quit_nicotine", _("Stopped using nicotine")
        GROUP_JOINED = "group_joined", _("Joined a group or activity")

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    pathway = models.ForeignKey(
        Pathway, verbose_name=_("pathway"), on_delete=models.CASCADE, related_name="outcomes"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    started_on = models.DateField(_("start date"))
    ended_on = models.DateField(_("end date"), null=True, blank=True)
    hours_per_week = models.DecimalField(
        _("hours per week"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(80)],
    )
    note = models.TextField(_("note"), blank=True, validators=[MaxLengthValidator(MAX_TEXT)])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        ordering = ["started_on"]

    def __str__(self) -> str:
        return f"{self.kind} {self.started_on}"


class PathwayEvent(models.Model):
    """What happened to the pathway itself: enrolled, extended, closed, reopened with a reason, edited
    after closure with a reason."""

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=30)
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.action


class FidelityReview(models.Model):
    """The IPS team's fidelity review: 25 items scored 1-5 (total 25-125), the band, and the scale version
    whose anchors were used."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("team"), on_delete=models.PROTECT, related_name="fidelity_reviews"
    )
    reviewed_on = models.DateField(_("review date"))
    scale_version = models.CharField(_("scale version"), max_length=40)
    items = models.JSONField(_("item scores"))
    total = models.PositiveSmallIntegerField(_("total"))
    band = models.CharField(_("band"), max_length=20)
    reviewers = models.CharField(_("reviewers"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("IPS fidelity review")
        verbose_name_plural = _("IPS fidelity reviews")
        ordering = ["-reviewed_on"]

    def __str__(self) -> str:
        return f"{self.reviewed_on} {self.total}"


class SelfReferral(models.Model):
    """A resident's own contact request from the public form ("Kunto-nappi"): lands in the unit's queue
    for triage, then becomes a pathway or a referral, or is closed."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        TRIAGED = "triaged", _("Triaged")
        ENROLLED = "enrolled", _("Became a pathway")
        REFERRED = "referred", _("Referred onward")
        CLOSED = "closed", _("Closed")

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="self_referrals"
    )
    name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    municipality = models.ForeignKey(
        "catalog.Municipality",
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    message = models.TextField(_("what would you like help with"), validators=[MaxLengthValidator(2000)])
    preferred_language = models.CharField(_("preferred language"), max_length=2, default="fi")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW)
    triage = models.CharField(_("triage"), max_length=10, choices=Pathway.Triage.choices, blank=True)
    pathway = models.OneToOneField(
        Pathway, null=True, blank=True, on_delete=models.SET_NULL, related_name="self_referral"
    )
    referral = models.OneToOneField(
        "referrals.Referral", null=True, blank=True, on_delete=models.SET_NULL, related_name="self_referral"
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closing_note = models.TextField(_("what was done"), blank=True, validators=[MaxLengthValidator(1000)])
    source_hash = models.CharField(max_length=64, editable=False, db_index=True)
    created_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        verbose_name = _("self-referral")
        verbose_name_plural = _("self-referrals")
        ordering = ["created_at"]
        indexes = [models.Index(fields=["unit", "status"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d} {self.status}"
