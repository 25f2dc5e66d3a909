from django.urls import path

from hyte.catalog import api
from hyte.referrals import api as referrals_api
from hyte.referrals import fhir_api as referrals_fhir_api

app_name = "api"

urlpatterns = [
    path("services/", api.ServiceListView.as_view(), name="service-list"),
    path("services/<str:pk>/", api.ServiceDetailView.as_view(), name="service-detail"),
    path("organizations/", api.OrganizationListView.as_view(), name="organization-list"),
    path("organizations/<str:pk>/", api.OrganizationDetailView.as_view(), name="organization-detail"),
    path("themes/", api.ThemeListView.as_view(), name="theme-list"),
    path("municipalities/", api.MunicipalityListView.as_view(), name="municipality-list"),
    path("referrals/", referrals_api.ReferralListView.as_view(), name="referral-list"),
    path("referrals/<str:pk>/", referrals_api.ReferralDetailView.as_view(), name="referral-detail"),
    path(
        "referrals/<str:pk>/transitions/",
        referrals_api.ReferralTransitionView.as_view(),
        name="referral-transition",
    ),
    path(
        "referrals/<str:pk>/appointment/",
        referrals_api.AppointmentView.as_view(),
        name="referral-appointment",
    ),
    path(
        "referrals/<str:pk>/consent-withdrawal/",
        referrals_api.ConsentWithdrawalView.as_view(),
        name="referral-consent-withdrawal",
    ),
    path(
        "fhir/ServiceRequest",
        referrals_fhir_api.ServiceRequestCreateView.as_view(),
        name="fhir-servicerequest",
    ),
    path(
        "fhir/ServiceRequest/<str:pk>",
        referrals_fhir_api.ServiceRequestDetailView.as_view(),
        name="fhir-servicerequest-detail",
    ),
]
