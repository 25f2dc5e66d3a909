"""The feedback pages inside the pages' ``web`` namespace (language-prefixed, translated paths). The
thank-you page comes before the token's page so that its path is never read as a token."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path
from django.utils.translation import gettext_lazy as _

from hyte.feedback import views

web_urlpatterns: list[URLPattern | URLResolver] = [
    path(_("feedback/thanks/"), views.thanks_page, name="feedback-thanks"),
    path(_("feedback/<str:token>/"), views.feedback_page, name="feedback"),
    path(_("feedback-links/new/"), views.link_new, name="feedback-link-new"),
    path(_("feedback-links/<uuid:link_id>/"), views.link_page, name="feedback-link"),
    path(_("staff/feedback-comments/"), views.comments_page, name="feedback-comments"),
]
