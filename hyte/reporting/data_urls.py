"""URL patterns of the coordinators' data pages and API, for ``hyte/reporting/urls.py`` (or the
project's URL files) to include: ``web_urlpatterns`` under the ``web`` namespace (language-prefixed
pages with translated paths), ``api_urlpatterns`` under the API's namespace (``/api/v1/``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path
from django.utils.translation import gettext_lazy as _

from hyte.reporting import data_api, data_views

web_urlpatterns: list[URLPattern | URLResolver] = [
    path(_("reports/costs/edit/"), data_views.costs_edit_page, name="report-costs-edit"),
    path(
        _("reports/service-use/import/"), data_views.service_use_import_page, name="report-service-use-import"
    ),
]

api_urlpatterns: list[URLPattern | URLResolver] = [
    path("report-costs/", data_api.ReportCostListView.as_view(), name="report-cost-list"),
    path("report-costs/<str:pk>/", data_api.ReportCostDetailView.as_view(), name="report-cost-detail"),
    path("service-use-imports/", data_api.ServiceUseImportListView.as_view(), name="service-use-import-list"),
]
