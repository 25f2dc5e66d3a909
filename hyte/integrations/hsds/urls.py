"""URLs of the HSDS 3.0 API, mounted at /hsds/. Paths as in the official openapi.json (no trailing
slash); a trailing slash is accepted too, so clients written either way work."""

from django.urls import URLPattern, path
from rest_framework.views import APIView

from hyte.integrations.hsds import api

app_name = "hsds"


def _list_and_detail(
    prefix: str, name: str, list_view: type[APIView], detail_view: type[APIView]
) -> list[URLPattern]:
    """The documented paths, and the same with a trailing slash (left out of the OpenAPI schema)."""
    return [
        path(prefix, list_view.as_view(), name=f"{name}-list"),
        path(f"{prefix}/<str:id>", detail_view.as_view(), name=f"{name}-detail"),
        path(f"{prefix}/", list_view.as_view(schema=None)),
        path(f"{prefix}/<str:id>/", detail_view.as_view(schema=None)),
    ]


urlpatterns = [
    path("", api.RootView.as_view(), name="root"),
    *_list_and_detail("services", "service", api.ServiceListView, api.ServiceDetailView),
    *_list_and_detail("organizations", "organization", api.OrganizationListView, api.OrganizationDetailView),
    *_list_and_detail("taxonomies", "taxonomy", api.TaxonomyListView, api.TaxonomyDetailView),
    *_list_and_detail(
        "taxonomy_terms", "taxonomy-term", api.TaxonomyTermListView, api.TaxonomyTermDetailView
    ),
    *_list_and_detail(
        "service_at_locations",
        "service-at-location",
        api.ServiceAtLocationListView,
        api.ServiceAtLocationDetailView,
    ),
]
