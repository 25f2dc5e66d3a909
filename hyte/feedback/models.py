"""Customer feedback: a short anonymous form (rating 1–5, would recommend, free text) that a client
answers by a link or a QR code after a completed pathway, a group meeting or a referral outcome.

A ``FeedbackLink`` carries an opaque random token (128 bits, like the pass token) and what it is about.
A single-use link is made for one client (a closed pathway, a completed referral); a multi-use link is a
group meeting's QR code shown on a screen (one answer per browser, up to a cap).

A ``FeedbackAnswer`` keeps only the grouping keys copied from its link (organization, unit, service,
programme), the answers, the language and the day it came. It has no link to the link, the client, the
pathway or the referral, and no address or browser details. When a single-use link is answered it is
detached from its pathway or referral (the keys stay, the subject goes) and marked answered, so nothing
records which client answered (docs/architecture.md, "Customer feedback").
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hyte.core.ids import new_id

MAX_TEXT = 1000


def new_token() -> str:
    """128 random bits, URL-safe (22 characters): nothing in it identifies the client."""
    import secrets

    return secrets.token_urlsafe(16)


class FeedbackLink(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("One client, one answer")
        MULTI = "multi", _("Shown to a group: one answer per device")

    class About(models.TextChoices):
        PATHWAY = "pathway", _("Completed pathway")
        MEETING = "meeting", _("Group meeting")
        REFERRAL = "referral", _("Referral outcome")

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    about = models.CharField(_("about"), max_length=10, choices=About.choices)
    # The subject: set while the link is open; a single-use link loses it when answered.
    pathway = models.OneToOneField(
        "pathways.Pathway", null=True, blank=True, on_delete=models.CASCADE, related_name="feedback_link"
    )
    referral = models.OneToOneField(
        "referrals.Referral", null=True, blank=True, on_delete=models.CASCADE, related_name="feedback_link"
    )
    meeting = models.OneToOneField(
        "attendance.Meeting", null=True, blank=True, on_delete=models.CASCADE, related_name="feedback_link"
    )
    # The grouping keys copied to each answer.
    organization = models.ForeignKey(
        "catalog.Organization", verbose_name=_("organization"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    service = models.ForeignKey(
        "catalog.Service",
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    programme = models.ForeignKey(
        "pathways.Programme",
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    language = models.CharField(_("language"), max_length=2, default="fi")
    max_answers = models.PositiveSmallIntegerField(
        _("answers at most"), default=1, validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    answer_count = models.PositiveSmallIntegerField(_("answers"), default=0, editable=False)
    expires_at = models.DateTimeField(_("expires"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("feedback link")
        verbose_name_plural = _("feedback links")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(answer_count__lte=models.F("max_answers")), name="feedback_within_cap"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="single") | models.Q(max_answers=1), name="feedback_single_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_about_display()} {self.created_at:%Y-%m-%d}" if self.created_at else self.about

    @property
    def answered(self) -> bool:
        return self.answer_count >= self.max_answers


class FeedbackReceipt(models.Model):
    """That a link has an answer from this device (a random nonce kept in a cookie) or, for a
    single-use link, at all (the nonce is empty). The unique constraint makes the same answer sent
    twice, even at the same moment, count once. No time, no answer: only that it happened."""

    id = models.BigAutoField(primary_key=True)
    link = models.ForeignKey(FeedbackLink, on_delete=models.CASCADE, related_name="receipts")
    nonce = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["link", "nonce"], name="one_answer_per_nonce")]

    def __str__(self) -> str:
        return str(self.pk)


class FeedbackAnswer(models.Model):
    """One anonymous answer: no client, no link, no address, no browser, and the day only."""

    class Recommend(models.TextChoices):
        YES = "yes", _("Yes")
        NO = "no", _("No")
        DONT_KNOW = "dont_know", _("I don't know")

    class About(models.TextChoices):
        PATHWAY = "pathway", _("Completed pathway")
        MEETING = "meeting", _("Group meeting")
        REFERRAL = "referral", _("Referral outcome")

    # Random, not time-ordered (unlike the project's UUID7 keys): the key must not tell the order.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    about = models.CharField(_("about"), max_length=10, choices=About.choices)
    organization = models.ForeignKey(
        "catalog.Organization", verbose_name=_("organization"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    service = models.ForeignKey(
        "catalog.Service",
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    programme = models.ForeignKey(
        "pathways.Programme",
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    recommend = models.CharField(_("would recommend"), max_length=10, choices=Recommend.choices)
    text = models.TextField(_("comment"), blank=True, validators=[MaxLengthValidator(MAX_TEXT)])
    text_hidden = models.BooleanField(pgettext_lazy("feedback comment", "hidden"), default=False)
    language = models.CharField(_("language"), max_length=2)
    submitted_on = models.DateField(_("submitted on"))

    class Meta:
        verbose_name = _("feedback answer")
        verbose_name_plural = _("feedback answers")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_5"
            )
        ]
        indexes = [models.Index(fields=["organization", "submitted_on"], name="feedback_org_day")]

    def __str__(self) -> str:
        return f"{self.rating}"
