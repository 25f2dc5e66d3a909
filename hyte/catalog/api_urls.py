from django.urls import path

from hyte.catalog import api

app_name = "api"

urlpatterns = [
    path("services/", api.ServiceListView.as_view(), name="service-list"),
    path("services/<str:pk>/", api.ServiceDetailView.as_view(), name="service-detail"),
    path("organizations/", api.OrganizationListView.as_view(), name="organization-list"),
    path("organizations/<str:pk>/", api.OrganizationDetailView.as_view(), name="organization-detail"),
    path("themes/", api.ThemeListView.as_view(), name="theme-list"),
    path("municipalities/", api.MunicipalityListView.as_view(), name="municipality-list"),
]
