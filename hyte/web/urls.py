from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from hyte.accounts import views as account_views
from hyte.attendance import checkin_views
from hyte.attendance import views as attendance_views
from hyte.buddies import urls as buddies_urls
from hyte.catalog import capacity_views
from hyte.catalog import urls as catalog_urls
from hyte.feedback import urls as feedback_urls
from hyte.integrations.ical import views as ical_views
from hyte.pathways import views as pathway_views
from hyte.plans import views as plan_views
from hyte.privacy import urls as privacy_urls
from hyte.referrals import views as referral_views
from hyte.reporting import urls as reporting_urls
from hyte.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path(_("login/"), account_views.LoginView.as_view(), name="login"),
    path(_("login/verify/"), account_views.verify_view, name="login-verify"),
    path(_("logout/"), auth_views.LogoutView.as_view(next_page="/"), name="logout"),
    path(_("services/"), views.service_search_page, name="search"),
    path(_("services/<uuid:service_id>/"), views.service_detail_page, name="service"),
    path(_("services/<uuid:service_id>/calendar.ics"), ical_views.service_ics, name="service-ics"),
    path(_("organizations/<uuid:organization_id>/"), views.organization_page, name="organization"),
    path(_("staff/stale/"), views.stale_listings_page, name="stale"),
    path(_("staff/stale/<uuid:service_id>/verify/"), views.verify_service, name="verify"),
    path(_("staff/imports/"), views.import_runs_page, name="imports"),
    path(_("staff/capacity/"), capacity_views.capacity_overview_page, name="capacity"),
    path(
        _("staff/capacity/services/<uuid:service_id>/"),
        capacity_views.service_capacity_page,
        name="service-capacity",
    ),
    path(_("staff/capacity/units/<uuid:unit_id>/"), capacity_views.unit_capacity_page, name="unit-capacity"),
    path("", include(catalog_urls.web_urlpatterns)),
    path(_("referrals/"), referral_views.referral_list_page, name="referrals"),
    path(_("referrals/new/"), referral_views.referral_new_page, name="referral-new"),
    path(_("referrals/capacity/"), referral_views.receiver_capacity_fragment, name="referral-capacity"),
    path(_("referrals/figures/"), referral_views.referral_figures_page, name="referral-figures"),
    path(_("referrals/<uuid:referral_id>/"), referral_views.referral_page, name="referral"),
    path(_("referrals/<uuid:referral_id>/action/"), referral_views.referral_action, name="referral-action"),
    path(_("pathways/"), pathway_views.caseload_page, name="caseload"),
    path(_("pathways/new/"), pathway_views.enrol_page, name="pathway-new"),
    path(_("pathways/<uuid:pathway_id>/"), pathway_views.pathway_page, name="pathway"),
    path(_("pathways/<uuid:pathway_id>/action/"), pathway_views.pathway_action, name="pathway-action"),
    path(_("contact-requests/"), pathway_views.self_referral_queue_page, name="self-referral-queue"),
    path(
        _("contact-requests/<uuid:self_referral_id>/action/"),
        pathway_views.self_referral_action,
        name="self-referral-action",
    ),
    path(_("contact-us/"), pathway_views.self_referral_form_page, name="self-referral"),
    path(_("checkin/"), checkin_views.checkin_page, name="checkin"),
    path(_("passes/"), attendance_views.passes_page, name="passes"),
    path(_("passes/export.csv"), attendance_views.passes_csv, name="passes-csv"),
    path(_("passes/<uuid:pass_id>/"), attendance_views.pass_card_page, name="pass-card"),
    path(_("passes/<uuid:pass_id>/withdraw/"), attendance_views.pass_withdraw, name="pass-withdraw"),
    path(_("pass/<str:token>/"), attendance_views.holder_pass_page, name="holder-pass"),
    path(_("rewards/<int:reward_id>/hand-out/"), attendance_views.reward_hand_out, name="reward-hand-out"),
    path(_("checkin/to-confirm/"), attendance_views.unconfirmed_page, name="visits-unconfirmed"),
    path(_("groups/"), attendance_views.groups_page, name="groups"),
    path(_("groups/export.csv"), attendance_views.meetings_csv, name="meetings-csv"),
    path(_("client-plans/"), plan_views.plan_list_page, name="plans"),
    path(_("client-plans/new/"), plan_views.plan_new_page, name="plan-new"),
    path(_("client-plans/<uuid:plan_id>/"), plan_views.plan_page, name="plan"),
    path(_("client-plans/<uuid:plan_id>/action/"), plan_views.plan_action, name="plan-action"),
    path(_("client-plans/<uuid:plan_id>/tray/"), plan_views.tray_search, name="plan-tray"),
    path(_("client-plans/<uuid:plan_id>/print/"), plan_views.plan_print_page, name="plan-print"),
    path(_("staff/personal-data-log/"), views.personal_data_log_page, name="personal-data-log"),
    path("", include(reporting_urls.web_urlpatterns)),
    path("", include(buddies_urls.web_urlpatterns)),
    path("", include(feedback_urls.web_urlpatterns)),
    path("", include(privacy_urls.web_urlpatterns)),
]
