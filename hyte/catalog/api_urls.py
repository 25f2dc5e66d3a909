from django.urls import include, path

from hyte.attendance import api as attendance_api
from hyte.buddies import urls as buddies_urls
from hyte.catalog import api
from hyte.pathways import api as pathways_api
from hyte.plans import api as plans_api
from hyte.referrals import api as referrals_api
from hyte.referrals import fhir_api as referrals_fhir_api
from hyte.referrals.figures import ReferralFiguresView
from hyte.reporting import urls as reporting_urls

app_name = "api"

urlpatterns = [
    path("services/", api.ServiceListView.as_view(), name="service-list"),
    path("services/<str:pk>/", api.ServiceDetailView.as_view(), name="service-detail"),
    path("organizations/", api.OrganizationListView.as_view(), name="organization-list"),
    path("organizations/<str:pk>/", api.OrganizationDetailView.as_view(), name="organization-detail"),
    path("themes/", api.ThemeListView.as_view(), name="theme-list"),
    path("municipalities/", api.MunicipalityListView.as_view(), name="municipality-list"),
    path("referrals/", referrals_api.ReferralListView.as_view(), name="referral-list"),
    # Before "referrals/<pk>/": otherwise "figures" would be read as a referral id.
    path("referrals/figures/", ReferralFiguresView.as_view(), name="referral-figures"),
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
    path("programmes/", pathways_api.ProgrammeListView.as_view(), name="programme-list"),
    path("instruments/", pathways_api.InstrumentListView.as_view(), name="instrument-list"),
    path("pathways/", pathways_api.PathwayListView.as_view(), name="pathway-list"),
    path("pathways/<str:pk>/", pathways_api.PathwayDetailView.as_view(), name="pathway-detail"),
    path("pathways/<str:pk>/extend/", pathways_api.ExtendView.as_view(), name="pathway-extend"),
    path("pathways/<str:pk>/close/", pathways_api.CloseView.as_view(), name="pathway-close"),
    path("pathways/<str:pk>/goals/", pathways_api.GoalListView.as_view(), name="pathway-goals"),
    path(
        "pathways/<str:pk>/goals/<str:goal_id>/",
        pathways_api.GoalDetailView.as_view(),
        name="pathway-goal",
    ),
    path("pathways/<str:pk>/contacts/", pathways_api.ContactListView.as_view(), name="pathway-contacts"),
    path(
        "pathways/<str:pk>/measurements/",
        pathways_api.MeasurementListView.as_view(),
        name="pathway-measurements",
    ),
    path("pathways/<str:pk>/outcomes/", pathways_api.OutcomeListView.as_view(), name="pathway-outcomes"),
    path("fidelity-reviews/", pathways_api.FidelityReviewListView.as_view(), name="fidelity-review-list"),
    path("self-referrals/", pathways_api.SelfReferralListView.as_view(), name="self-referral-list"),
    path(
        "self-referrals/<str:pk>/triage/",
        pathways_api.SelfReferralTriageView.as_view(),
        name="self-referral-triage",
    ),
    path(
        "self-referrals/<str:pk>/enrol/",
        pathways_api.SelfReferralEnrolView.as_view(),
        name="self-referral-enrol",
    ),
    path(
        "self-referrals/<str:pk>/refer/",
        pathways_api.SelfReferralReferView.as_view(),
        name="self-referral-refer",
    ),
    path(
        "self-referrals/<str:pk>/close/",
        pathways_api.SelfReferralCloseView.as_view(),
        name="self-referral-close",
    ),
    path("passes/", attendance_api.PassListView.as_view(), name="pass-list"),
    path("passes/<str:pk>/withdraw/", attendance_api.PassWithdrawView.as_view(), name="pass-withdraw"),
    path("checkins/", attendance_api.CheckinView.as_view(), name="checkin"),
    path("checkins/batch/", attendance_api.CheckinBatchView.as_view(), name="checkin-batch"),
    path("visits/unconfirmed/", attendance_api.UnconfirmedVisitsView.as_view(), name="visits-unconfirmed"),
    path("visits/<str:pk>/confirm/", attendance_api.VisitConfirmView.as_view(), name="visit-confirm"),
    path("rewards/<str:pk>/hand-out/", attendance_api.RewardHandOutView.as_view(), name="reward-hand-out"),
    path("pass/<str:token>/", attendance_api.HolderPassView.as_view(), name="holder-pass"),
    path("pass/<str:token>/visits/", attendance_api.HolderVisitView.as_view(), name="holder-visits"),
    path("meetings/", attendance_api.MeetingListView.as_view(), name="meeting-list"),
    path("group-years/", attendance_api.GroupYearView.as_view(), name="group-year"),
    path("plans/", plans_api.PlanListView.as_view(), name="plan-list"),
    path("plans/<str:pk>/", plans_api.PlanDetailView.as_view(), name="plan-detail"),
    path("plans/<str:pk>/status/", plans_api.PlanStatusView.as_view(), name="plan-status"),
    path("plans/<str:pk>/activity/", plans_api.ActivityView.as_view(), name="plan-activity"),
    path("plans/<str:pk>/steps/", plans_api.StepListView.as_view(), name="plan-steps"),
    path("plans/<str:pk>/steps/<str:step_id>/", plans_api.StepDetailView.as_view(), name="plan-step"),
    path("plans/<str:pk>/items/", plans_api.ItemListView.as_view(), name="plan-items"),
    path("plans/<str:pk>/items/<str:item_id>/", plans_api.ItemDetailView.as_view(), name="plan-item"),
    path("plans/<str:pk>/grants/", plans_api.GrantListView.as_view(), name="plan-grants"),
    path("", include(reporting_urls.api_urlpatterns)),
    path("", include(buddies_urls.api_urlpatterns)),
]
