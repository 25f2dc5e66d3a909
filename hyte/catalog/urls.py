"""The staff pages of fresh listings and duplicates, inside the pages' ``web`` namespace (language-prefixed,
translated paths; included from ``hyte.web.urls``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path
from django.utils.translation import gettext_lazy as _

from hyte.catalog import views

web_urlpatterns: list[URLPattern | URLResolver] = [
    path(_("staff/stale/<uuid:service_id>/"), views.review_page, name="review"),
    path(_("staff/duplicates/"), views.duplicates_page, name="duplicates"),
    path(_("staff/duplicates/scan/"), views.duplicates_scan, name="duplicates-scan"),
    path(
        _("staff/duplicates/<uuid:candidate_id>/not-duplicate/"),
        views.duplicate_dismiss_view,
        name="duplicate-dismiss",
    ),
    path(_("staff/duplicates/<uuid:candidate_id>/merge/"), views.merge_page, name="duplicate-merge"),
    path(_("staff/freshness/"), views.freshness_page, name="freshness"),
    path(_("staff/freshness/export.csv"), views.freshness_csv, name="freshness-csv"),
]
