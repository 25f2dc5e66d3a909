"""Settings for the HYTE platform.

Zero-config by default (SQLite file under var/, debug off unless asked for); every
production setting comes from the environment and fails loudly when it is missing.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent  # the hyte package
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("HYTE_VAR_DIR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


DEBUG = env_bool("DEBUG", False)
PRODUCTION = env_bool("HYTE_PRODUCTION", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when HYTE_PRODUCTION=1")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105

# Personal data (henkilötunnus) is encrypted at rest and found through a keyed hash (hyte/core/crypto.py).
HYTE_PERSONAL_DATA_KEYS = [k for k in os.environ.get("HYTE_PERSONAL_DATA_KEYS", "").split(",") if k.strip()]
HYTE_LOOKUP_KEY = os.environ.get("HYTE_LOOKUP_KEY", "")
if PRODUCTION and not (HYTE_PERSONAL_DATA_KEYS and HYTE_LOOKUP_KEY):
    raise ImproperlyConfigured(
        "HYTE_PERSONAL_DATA_KEYS and HYTE_LOOKUP_KEY must be set when HYTE_PRODUCTION=1"
    )

# Notifications: e-mail through Django's mailers (console unless EMAIL_HOST is set), SMS through ours.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "hyte@localhost")
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": int(os.environ.get("EMAIL_PORT", "587")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
HYTE_SMS_BACKEND = os.environ.get("HYTE_SMS_BACKEND", "hyte.integrations.sms.ConsoleBackend")
HYTE_SITE_URL = os.environ.get("HYTE_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "modeltranslation",  # must come before django.contrib.admin
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "oauth2_provider",
    "hyte.core",
    "hyte.accounts",
    "hyte.catalog",
    "hyte.integrations",
    "hyte.referrals",
    "hyte.pathways",
    "hyte.attendance",
    "hyte.buddies",
    "hyte.plans",
    "hyte.reporting",
    "hyte.feedback",
    "hyte.privacy",
    "hyte.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "hyte.accounts.middleware.TwoFactorMiddleware",
    "hyte.core.personal_log.RequestOriginMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: answers a locked-out login
]

# Staff log in with a password and a TOTP code (django-otp); django-axes locks a username at one
# address out after repeated failures. OpenID Connect (mozilla-django-oidc) when OIDC_RP_CLIENT_ID is set.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("HYTE_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hour
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "hyte.core.origin.client_ip"
# The reverse proxies in front of the service (addresses or networks, comma-separated): from these,
# X-Forwarded-For names the client (hyte.core.origin). Empty: REMOTE_ADDR is the client.
HYTE_TRUSTED_PROXIES = [p for p in os.environ.get("HYTE_TRUSTED_PROXIES", "").split(",") if p.strip()]
# Rate limits (hyte/core/ratelimit.py, django-ratelimit) per client address, the login also per username:
# "requests/period" with period s, m, h or d. Over the limit the answer is 429.
HYTE_RATE_LIMITS = {
    "login": os.environ.get("HYTE_RATE_LOGIN", "10/m"),
    "self_referral": os.environ.get("HYTE_RATE_SELF_REFERRAL", "10/h"),
    "search": os.environ.get("HYTE_RATE_SEARCH", "60/m"),
    # Generous: a group meeting answers through one QR code, often from one network address.
    "feedback": os.environ.get("HYTE_RATE_FEEDBACK", "100/h"),
}
# The counters need a cache all gunicorn workers share: in production the database (a table made by
# `manage.py createcachetable`, run by `make serve-prod`); a per-process memory cache in development.
RATELIMIT_USE_CACHE = "ratelimit"
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "ratelimit": (
        {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "hyte_ratelimit"}
        if env_bool("HYTE_RATELIMIT_DATABASE_CACHE", PRODUCTION)
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ratelimit"}
    ),
}
OTP_TOTP_ISSUER = "HYTE"
OTP_LOGIN_URL = "web:login-verify"
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
if OIDC_RP_CLIENT_ID:
    AUTHENTICATION_BACKENDS.append("hyte.accounts.oidc.CountyOIDCBackend")
    OIDC_RP_CLIENT_SECRET = os.environ["OIDC_RP_CLIENT_SECRET"]
    OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ["OIDC_OP_AUTHORIZATION_ENDPOINT"]
    OIDC_OP_TOKEN_ENDPOINT = os.environ["OIDC_OP_TOKEN_ENDPOINT"]
    OIDC_OP_USER_ENDPOINT = os.environ["OIDC_OP_USER_ENDPOINT"]
    OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "")
    OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
    OIDC_RP_SCOPES = "openid email profile"
    LOGIN_REDIRECT_URL = "/"
HYTE_OIDC_REQUIRE_MFA = env_bool("HYTE_OIDC_REQUIRE_MFA", True)

ROOT_URLCONF = "hyte.config.urls"
WSGI_APPLICATION = "hyte.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "hyte.web.context_processors.site",
            ],
        },
    },
]

# Database: SQLite file under var/ by default; PostgreSQL (anything dj-database-url knows) via DATABASE_URL.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "hyte.sqlite3"),
            # WAL: readers do not wait for the writer; a 64 MB page cache (the default is 2 MB) keeps
            # the indexes a large import writes to in memory.
            # IMMEDIATE: a write transaction takes the write lock when it begins, so concurrent writers
            # (several gunicorn workers) wait up to `timeout` seconds instead of failing with
            # "database is locked" when a read transaction tries to become a write (measured with
            # bench/referral_load.py: thousands of 500s before, see docs/architecture.md).
            "OPTIONS": {
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"

# Languages: Finnish first, Swedish and English from day one.
LANGUAGE_CODE = "fi"
LANGUAGES = [("fi", _("Finnish")), ("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [PROJECT_DIR / "locale"]
TIME_ZONE = "Europe/Helsinki"
USE_I18N = True
USE_TZ = True
MODELTRANSLATION_DEFAULT_LANGUAGE = "fi"
MODELTRANSLATION_LANGUAGES = ("fi", "sv", "en")
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("fi",), "fi": ("sv", "en")}

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve from the apps' static folders without collectstatic

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "hyte.core.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PARSER_CLASSES": [
        "hyte.core.api.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Machine-to-machine: an electronic health record posts FHIR referrals with an OAuth 2.0 access token
# (client credentials grant, /o/token/). Each API client is an Application tied to a system user that
# holds the professional role in the units it sends for (manage.py create_api_client); the token works
# only on the FHIR endpoints, within the scopes asked for. Client secrets are stored hashed.
OAUTH2_PROVIDER = {
    "SCOPES": {
        "referrals:write": "Send referrals (FHIR ServiceRequest)",
        "referrals:read": "Read the referrals the client's units sent or received (FHIR)",
    },
    "DEFAULT_SCOPES": ["referrals:write"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": int(os.environ.get("HYTE_API_TOKEN_SECONDS", "900")),
    "PKCE_REQUIRED": True,
    # RFC 9700 (OAuth 2.0 Security Best Current Practice): no implicit or password grant, S256 PKCE only,
    # tokens only in the Authorization header, `iss` in authorization responses, tokens stored hashed,
    # a replayed refresh token revokes its family, https redirect URIs only. The API uses the client
    # credentials grant; nothing here needs the old behaviour.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "HYTE platform API",
    "DESCRIPTION": (
        "API of the HYTE platform: the service tray (palvelutarjotin, public, read-only) with the wellbeing "
        "services of the wellbeing services county, municipalities, associations and parishes in Finnish, "
        "Swedish and English; referrals (staff with two-factor login). "
        "Errors are JSON objects {code, message, details} in the requested language."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation documents its client errors ({code, message, details}); see hyte/core/openapi.py.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "hyte.core.openapi.add_error_responses",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",  # served from our static files, no CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ReferralStatusEnum": "hyte.referrals.models.Referral.Status",
        "ServiceStatusEnum": "hyte.catalog.models.Service.Status",
        "ReferralKindEnum": "hyte.referrals.models.Referral.Kind",
        "PathwayStatusEnum": "hyte.pathways.models.Pathway.Status",
        "GoalStatusEnum": "hyte.pathways.models.Goal.Status",
        "SelfReferralStatusEnum": "hyte.pathways.models.SelfReferral.Status",
        "ContactKindEnum": "hyte.pathways.models.Contact.Kind",
        "OutcomeKindEnum": "hyte.pathways.models.Outcome.Kind",
        "LanguageEnum": "hyte.referrals.models.Client.Language",
        "GivenByEnum": "hyte.referrals.models.Consent.GivenBy",
        "MethodEnum": "hyte.referrals.models.Consent.Method",
        "EndReasonEnum": "hyte.referrals.models.Referral.EndReason",
        "BuddyKindEnum": "hyte.buddies.models.Buddy.Kind",
        "PairingEndReasonEnum": "hyte.buddies.models.Pairing.EndReason",
        "BuddyMeetingActivityEnum": "hyte.buddies.models.BuddyMeeting.Activity",
        "ClientPlanStatusEnum": "hyte.plans.models.ClientPlan.Status",
        "PlanItemKindEnum": "hyte.plans.models.PlanItem.Kind",
        "PlanItemStatusEnum": "hyte.plans.models.PlanItem.Status",
        "IncomeSupportKindEnum": "hyte.plans.models.IncomeSupportGrant.Kind",
        "IncomeSupportPurposeEnum": "hyte.plans.models.IncomeSupportGrant.Purpose",
    },
}

# Map: tiles are optional; the pages work (markers, list, keyboard) without them.
HYTE_MAP_TILE_URL = os.environ.get("HYTE_MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
HYTE_MAP_ATTRIBUTION = os.environ.get(
    "HYTE_MAP_ATTRIBUTION", '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
)
# A listing is stale when it has not been verified for this many days.
HYTE_STALE_AFTER_DAYS = int(os.environ.get("HYTE_STALE_AFTER_DAYS", "365"))
# A listing not verified for this long gets a reminder e-mail to its editors (send_freshness_reminders).
HYTE_REMIND_AFTER_DAYS = int(os.environ.get("HYTE_REMIND_AFTER_DAYS", "335"))
# Feeds that staff enter (iCalendar) may not point into the platform's own network unless this is on.
HYTE_FETCH_ALLOW_PRIVATE_ADDRESSES = env_bool("HYTE_FETCH_ALLOW_PRIVATE_ADDRESSES", False)
# Licensed questionnaire wording (SWEMWBS, AUDIT-C) from the deploying organisation's own file, never
# from the repository (hyte/pathways/licensed.py). Empty: item numbers only.
HYTE_LICENSED_TEXTS_FILE = os.environ.get("HYTE_LICENSED_TEXTS_FILE", "")
# Customer feedback: how long a feedback link works, and the most answers a group meeting's QR code takes.
HYTE_FEEDBACK_LINK_DAYS = int(os.environ.get("HYTE_FEEDBACK_LINK_DAYS", "60"))
HYTE_FEEDBACK_MEETING_CAP = int(os.environ.get("HYTE_FEEDBACK_MEETING_CAP", "200"))
HYTE_SEARCH_PAGE_SIZE = 20
# Peer buddies: the longest pairing, and how long a buddy may correct a meeting she recorded.
HYTE_BUDDY_PAIRING_MAX_MONTHS = int(os.environ.get("HYTE_BUDDY_PAIRING_MAX_MONTHS", "6"))
HYTE_BUDDY_MEETING_EDIT_HOURS = int(os.environ.get("HYTE_BUDDY_MEETING_EDIT_HOURS", "48"))
HYTE_SEARCH_MAX_QUERY_LENGTH = 200

# Retention of client records (hyte/privacy/records.py, `manage.py apply_retention`): days from the day a
# record ended (closed, pass valid until, ...) until it is anonymised or deleted. Defaults follow the
# Finnish rules as we understand them (docs/operations.md, "Retention"); each county sets its own from
# its records management plan (tiedonohjaussuunnitelma).
HYTE_RETENTION = {
    # Social welfare client documents: 12 years from the end of the client relationship (Act 703/2023).
    "referral": int(os.environ.get("HYTE_RETENTION_REFERRAL", "4383")),
    "pathway": int(os.environ.get("HYTE_RETENTION_PATHWAY", "4383")),
    "client_plan": int(os.environ.get("HYTE_RETENTION_CLIENT_PLAN", "4383")),
    # Not statutory client documents: as long as the service and its yearly reporting need them.
    "self_referral": int(os.environ.get("HYTE_RETENTION_SELF_REFERRAL", "365")),
    "pass": int(os.environ.get("HYTE_RETENTION_PASS", "730")),
    "buddy_pairing": int(os.environ.get("HYTE_RETENTION_BUDDY_PAIRING", "730")),
    "feedback_link": int(os.environ.get("HYTE_RETENTION_FEEDBACK_LINK", "30")),
    "service_use": int(os.environ.get("HYTE_RETENTION_SERVICE_USE", "1827")),
    # The client's own row: anonymised when none of her records is kept any more and it has not been
    # updated for this long (a client entered without any record).
    "client": int(os.environ.get("HYTE_RETENTION_CLIENT", "365")),
}

# Security headers (docs/operations.md). The Content-Security-Policy allows no inline scripts, no
# inline styles and no event-handler attributes: scripts and styles come from our static files only.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
_map_tile_origin = urlsplit(HYTE_MAP_TILE_URL)
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"]
    + (
        # Leaflet's "{s}" subdomain placeholder becomes a CSP wildcard.
        [f"{_map_tile_origin.scheme}://{_map_tile_origin.netloc.replace('{s}', '*')}"]
        if _map_tile_origin.scheme in {"http", "https"} and _map_tile_origin.netloc
        else []
    ),
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    # Behind the reverse proxy, which terminates TLS and sets (overwrites) X-Forwarded-Proto; it also
    # redirects http to https (docs/operations.md).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The platform's own host name serves nothing but the platform, so its subdomains can promise https
    # too. Preloading is left to the owner of the domain (it binds every subdomain, and leaving the
    # browsers' list takes months): security.W021 is silenced for that reason.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HYTE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("HYTE_HSTS_PRELOAD", False)
    # The proxy redirects http to https already; Django does too, in case a proxy is set up without it.
    # The health check is exempt: load balancers probe it over plain http on the private network.
    SECURE_SSL_REDIRECT = env_bool("HYTE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
