"""The report URLs: ``web_urlpatterns`` go inside the pages' ``web`` namespace (language-prefixed,
translated paths), ``api_urlpatterns`` inside the API's. The data-entry pages of
``hyte.reporting.data_urls`` (programme costs, service-use import) come first, so that
``reports/<key>/`` never reads their paths as a report key."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path
from django.utils.translation import gettext_lazy as _

from hyte.reporting import api, data_urls, views

web_urlpatterns: list[URLPattern | URLResolver] = [
    *data_urls.web_urlpatterns,
    path(_("reports/"), views.index_page, name="reports"),
    # Before "reports/<key>/": "board" is not a report.
    path(_("reports/board/"), views.board_page, name="report-board"),
    path(_("reports/<slug:key>/"), views.report_page, name="report"),
    path(_("reports/<slug:key>/export.csv"), views.report_csv, name="report-csv"),
    path(_("reports/<slug:key>/export.xlsx"), views.report_xlsx, name="report-xlsx"),
]

api_urlpatterns: list[URLPattern | URLResolver] = [
    *data_urls.api_urlpatterns,
    path("reports/", api.ReportListView.as_view(), name="report-list"),
    path("reports/<slug:key>/", api.ReportDetailView.as_view(), name="report-detail"),
]
