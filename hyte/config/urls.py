from typing import cast

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from django.views.i18n import set_language
from django_otp.admin import OTPAdminSite
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from oauth2_provider import views as oauth2_views

from hyte.web import views as web_views

# The admin asks for the TOTP code too (django-otp's documented way to protect the default site).
admin.site.__class__ = OTPAdminSite

# Swagger UI adds <style> elements of its own: on that one page (no personal data, no forms of ours)
# the policy allows inline styles; its script is a file of its own (the split view), not inline.
SWAGGER_UI_CSP: dict[str, list[str]] = {
    **cast(dict[str, list[str]], settings.SECURE_CSP),
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
}

urlpatterns = [
    path("api/v1/", include("hyte.catalog.api_urls", namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        csp_override(SWAGGER_UI_CSP)(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    path("i18n/setlang/", set_language, name="set_language"),
    path("healthz", web_views.healthz, name="healthz"),
    path("hsds/", include("hyte.integrations.hsds.urls")),
    # OAuth 2.0 for API clients (client credentials): only the token and revocation endpoints; no
    # authorization pages and no self-service application registration.
    path("o/token/", oauth2_views.TokenView.as_view(), name="oauth2-token"),
    path("o/revoke_token/", oauth2_views.RevokeTokenView.as_view(), name="oauth2-revoke"),
]
if settings.OIDC_RP_CLIENT_ID:
    urlpatterns.append(path("oidc/", include("mozilla_django_oidc.urls")))

urlpatterns += i18n_patterns(
    path("", include("hyte.web.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)

handler400 = "hyte.web.views.bad_request"
handler403 = "hyte.web.views.permission_denied"
handler404 = "hyte.web.views.page_not_found"
handler500 = "hyte.web.views.server_error"
