"""The buddy URLs: ``web_urlpatterns`` go inside the pages' ``web`` namespace (language-prefixed,
translated paths), ``api_urlpatterns`` inside the API's (``/api/v1/buddies/...``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path
from django.utils.translation import gettext_lazy as _

from hyte.buddies import api, views

web_urlpatterns: list[URLPattern | URLResolver] = [
    path(_("buddies/"), views.buddies_page, name="buddies"),
    path(_("buddies/new/"), views.buddy_new_page, name="buddy-new"),
    path(_("buddies/pairings/new/"), views.pairing_new_page, name="buddy-pairing-new"),
    path(_("buddies/pairings/<uuid:pairing_id>/"), views.pairing_page, name="buddy-pairing"),
    path(_("buddies/<uuid:buddy_id>/"), views.buddy_edit_page, name="buddy"),
    path(_("buddies/<uuid:buddy_id>/active/"), views.buddy_active, name="buddy-active"),
    path(_("my-buddy-pairings/"), views.my_pairings_page, name="my-buddy"),
    path(
        _("my-buddy-pairings/meetings/<uuid:meeting_id>/"), views.meeting_edit_page, name="my-buddy-meeting"
    ),
    path(
        _("my-buddy-pairings/meetings/<uuid:meeting_id>/delete/"),
        views.meeting_delete,
        name="my-buddy-meeting-delete",
    ),
]

api_urlpatterns: list[URLPattern | URLResolver] = [
    path("buddies/", api.BuddyListView.as_view(), name="buddy-list"),
    path("buddies/matches/", api.MatchView.as_view(), name="buddy-matches"),
    path("buddies/pairings/", api.PairingListView.as_view(), name="buddy-pairing-list"),
    path("buddies/pairings/<str:pk>/", api.PairingDetailView.as_view(), name="buddy-pairing-detail"),
    path("buddies/pairings/<str:pk>/end/", api.PairingEndView.as_view(), name="buddy-pairing-end"),
    path("buddies/mine/", api.MyPairingListView.as_view(), name="buddy-mine"),
    path("buddies/mine/<str:pk>/meetings/", api.MyMeetingListView.as_view(), name="buddy-mine-meetings"),
    path("buddies/meetings/<str:pk>/", api.MyMeetingDetailView.as_view(), name="buddy-meeting-detail"),
    path("buddies/<str:pk>/", api.BuddyDetailView.as_view(), name="buddy-detail"),
    path("buddies/<str:pk>/deactivate/", api.BuddyDeactivateView.as_view(), name="buddy-deactivate"),
]
