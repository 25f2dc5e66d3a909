"""A test URLconf: the project's URLs with the reporting data pages and API included, for tests that
must not depend on where the project's URL files include them."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import LocalePrefixPattern, include, path

from hyte.catalog import api_urls
from hyte.config import urls as project
from hyte.reporting import data_urls
from hyte.web import urls as web_urls

urlpatterns = [
    path("api/v1/", include(([*data_urls.api_urlpatterns, *api_urls.urlpatterns], "api"))),
    *(p for p in project.urlpatterns[1:] if not isinstance(p.pattern, LocalePrefixPattern)),
]
urlpatterns += i18n_patterns(
    path("", include(([*data_urls.web_urlpatterns, *web_urls.urlpatterns], "web"))),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)
