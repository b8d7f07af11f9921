"""Settings for IMID-KB, driven by environment variables (see .env.example)."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    """Read a boolean environment variable ("1", "true", "yes", "on" are true)."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated environment variable into a list of strings."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item]


DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY.strip():  # blank counts as unset; weak keys: imidkb.checks
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off (see .env.example)."
        )
    SECRET_KEY = "insecure-local-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

INSTALLED_APPS = [
    "imidkb.apps.KBAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "corsheaders",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "simple_history",
    "kbframework",
    "diseases",
    "treatments",
    "epidemiology",
    "imidkb",
]

MIDDLEWARE = [
    # The header-setting middleware comes before whitenoise, which answers
    # static files itself: they carry the pages' security headers (CSP,
    # X-Frame-Options, nosniff, Referrer-Policy, COOP, HSTS on HTTPS).
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A view that cannot reach the database answers 503, not 500.
    "imidkb.outage.DatabaseUnavailableMiddleware",
    "imidkb.middleware.RejectNullBytesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every write of curated content is checked against its user's rights
    # (kbframework.curation), whatever view makes it.
    "kbframework.curation.CurationGuardMiddleware",
    "imidkb.response_cache.PublicResponseMarkMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it locks out repeated failed logins.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Login protection: after AXES_FAILURE_LIMIT failed logins for one username
# from one address, that pair is locked out for AXES_COOLOFF_TIME hours.
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("DJANGO_AXES_COOLOFF_HOURS", "1"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

ROOT_URLCONF = "imidkb.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    },
]

WSGI_APPLICATION = "imidkb.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=600,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database host that drops packets would otherwise hold a request
    # until gunicorn kills the worker; after this many seconds it is an
    # outage like a refused connection (a 503, or the cache served stale).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", int(os.environ.get("DJANGO_DB_CONNECT_TIMEOUT", "5"))
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers on SQLite: a transaction takes the write lock when it
    # begins (IMMEDIATE), so a second writer waits for it (up to `timeout`
    # seconds) instead of failing halfway with "database is locked" (a 500);
    # it then sees the first save and gets the stale-save message.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

VALIDATION = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{VALIDATION}.UserAttributeSimilarityValidator"},
    {"NAME": f"{VALIDATION}.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": f"{VALIDATION}.CommonPasswordValidator"},
    {"NAME": f"{VALIDATION}.NumericPasswordValidator"},
    # "aaaaaaaaaaaa" and passwords holding the username pass Django's four.
    {"NAME": "imidkb.password_validation.GuessablePasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where collectstatic puts the files whitenoise serves.
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Compressed files with content hashes in their names, from collectstatic
    # (make serve runs it); runserver with DEBUG on serves the plain files.
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Caches: Redis shared by every app process when REDIS_URL is set (Django's
# built-in backend), memory of each process otherwise. "default" holds the
# public response cache; throttle counters have a cache of their own, so a
# flood of distinct pages cannot evict them (and reset the limits).
if os.environ.get("REDIS_URL"):
    # A Redis outage reads as an empty cache, never a 500 (imidkb.cache);
    # half a second to connect or answer, then it counts as down.
    REDIS_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
    CACHES = {
        "default": {
            "BACKEND": "imidkb.cache.DegradingRedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": "imidkb",
            "OPTIONS": REDIS_OPTIONS,
        },
        "throttle": {
            "BACKEND": "imidkb.cache.DegradingRedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": "imidkb-throttle",
            "OPTIONS": REDIS_OPTIONS,
        },
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        # One counter per client address: room for that many clients.
        "throttle": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "throttle",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        },
    }

# HTTPS ends at a proxy in front, which sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Off only for plain HTTP on loopback (benchmarks, local checks).
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = 0 if DEBUG else 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Every repeatable API parameter takes up to 500 values (a batch lookup:
# kbframework.filters.MAX_VALUES), and a list has up to nine of them: a
# schema-valid request must not be refused for its number of fields
# (tests/test_schema.py checks the sum over every operation).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Logs go to stderr (gunicorn's and the container's convention). Every 5xx
# is logged by Django ("django.request", with the traceback of an unhandled
# exception); Django's default sends them nowhere when debug is off. Each line
# names the request id (imidkb.middleware.RequestId, around the whole WSGI
# application), which is also in the X-Request-ID response header and in
# gunicorn's access log (make serve).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "imidkb.middleware.RequestIdLogFilter"}},
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
        }
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "filters": ["request_id"],
            "formatter": "plain",
        }
    },
    "loggers": {
        "django": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        # Errors only: the 4xx that Django logs as warnings are the client's
        # and already in the access log.
        "django.request": {
            "handlers": ["stderr"],
            "level": "ERROR",
            "propagate": False,
        },
        "imidkb": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "kbframework": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
    },
}

# How many proxies in front may set X-Forwarded-For: the client address used
# for throttling and login lockout is taken that many hops from the right.
TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "imidkb.middleware.client_ip"

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Seconds a rendered API response is kept for anonymous readers by the public
# response cache (imidkb.response_cache, keyed on the data version, so an edit
# shows on the next request); 0 turns it off.
# Off by default in debug mode (make run), where templates change under you.
API_CACHE_SECONDS = int(
    os.environ.get("DJANGO_API_CACHE_SECONDS", "0" if DEBUG else "300")
)

# Seconds an anonymous reader's page is kept (keyed on the data version);
# 0 turns page caching off.
PAGE_CACHE_SECONDS = int(
    os.environ.get("DJANGO_PAGE_CACHE_SECONDS", "0" if DEBUG else "300")
)

# The read model (kbframework.readmodel): each record's public API detail and
# page stored when first asked for, served in one read until a write changes
# what it shows. Off with the response cache (the "cache off" benchmark) and
# in debug mode, where templates change under you.
READ_MODEL = os.environ.get(
    "DJANGO_READ_MODEL", "0" if DEBUG or not API_CACHE_SECONDS else "1"
) not in ("0", "")

# While the database is unavailable, the public response cache serves what it
# holds for up to this many seconds after it was rendered (with an Age
# header); everything else is answered 503 with Retry-After (seconds).
STALE_IF_ERROR_SECONDS = int(os.environ.get("DJANGO_STALE_IF_ERROR_SECONDS", "86400"))
OUTAGE_RETRY_AFTER = int(os.environ.get("DJANGO_OUTAGE_RETRY_AFTER", "5"))

# Anonymous API reads per client address; empty turns throttling off (e.g. for
# benchmarks behind a trusted proxy that limits instead).
API_ANON_RATE = os.environ.get("DJANGO_API_ANON_RATE", "3000/hour")

# The classes every API view uses (kbframework.api); no view overrides them.
REST_FRAMEWORK = {
    # CSV only for lists of records (KBReadOnlyViewSet.csv_lists).
    "DEFAULT_RENDERER_CLASSES": [
        "kbframework.api.renderers.SafeJSONRenderer",
        "kbframework.api.renderers.CSVRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "kbframework.api.filters.StrictOrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "kbframework.api.pagination.StrictPagination",
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticatedOrReadOnly",
    ],
    "DEFAULT_THROTTLE_CLASSES": (
        ["imidkb.throttling.KBAnonRateThrottle"] if API_ANON_RATE else []
    ),
    "DEFAULT_THROTTLE_RATES": {"anon": API_ANON_RATE or None},
    "EXCEPTION_HANDLER": "kbframework.api.exceptions.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "kbframework.api.schema.KBAutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "IMID-KB API",
    "DESCRIPTION": (
        "Read-only API of IMID-KB, a curated knowledge base of immune-mediated "
        "inflammatory diseases. Every statement carries citations (source and "
        "section); figures keep their exact values, bounds and qualifiers as "
        "decimal strings. Lists are paginated (page, page_size up to 500) and "
        "also served as CSV (?format=csv or Accept: text/csv). Unknown "
        "parameters, unknown slugs, empty or malformed values, a parameter that "
        "takes one value given twice, and a NUL character anywhere are "
        "answered with 400, in one error shape. "
        "Responses carry ETag and Last-Modified (send If-None-Match for a 304) "
        "and name the data release they reflect in the X-KB-Release header: "
        "'3' is exactly release 3, '3+' is release 3 with later edits. Pin a "
        "release by downloading it from /api/v1/releases/ and checking its "
        "SHA-256. Information, not medical advice.\n\n"
        "One shape for each kind of thing: a reference to another record is a "
        "link {slug, name, url} everywhere (a figure's disease and study, a "
        "citation's source); an identifier is {curie, system, code, label, "
        "match (exact or loose), preferred, lookup_url, note} everywhere (a "
        "symptom's HPO term and a drug's ATC codes included); `url` is always "
        "an address in this API; what a source does not state is null, never "
        "an empty string; every moment is ISO 8601 in UTC ending in Z. In CSV "
        "a link is its slug, an identifier its CURIE.\n\n"
        "Whole tables: every list also answers /api/v1/<resource>/download.csv/ "
        "and /api/v1/<resource>/download.jsonl/, the whole filtered table in "
        "one streamed file (not paginated), with each row's citations and, for "
        "diseases, symptoms, drugs and drug classes, identifiers. CSV files can start "
        "with a byte-order mark for spreadsheet programs (bom=true). A CSV or "
        "download's file name names the resource and the release.\n\n"
        "Fields: every list, detail and download takes fields=slug,name,... "
        "(the top-level fields to answer; in CSV, the columns). The key (url, "
        "slug, id) is answered only when named; an unknown name is a 400 "
        "naming the allowed ones, which each operation's fields parameter "
        "lists. With fields, a record has only the fields named: no field is "
        "marked required.\n\n"
        "Licence: the data are released under CC BY-SA 4.0. Three of the five "
        "texts the knowledge base is curated from are published under CC BY-SA "
        "(the copies held state no version), and share-alike carries their "
        "terms over to what is derived from them; the other two texts and the "
        "reference sets the identifiers come from state no licence in the "
        "knowledge base (/api/v1/sources/ gives each source's licence as "
        'stated). Downloads carry a Link header with rel="license". When you '
        "reuse the data, attribute IMID-KB and the sources each record cites.\n\n"
        "How to cite: name IMID-KB and the data release you used, for example "
        '"IMID-KB, a curated knowledge base of immune-mediated inflammatory '
        'diseases, data release 3 (cut on 2026-12-01), CC BY-SA 4.0"; each '
        "release gives its own text (how_to_cite in /api/v1/releases/<n>/ and "
        "in its release.json). The API root (/api/v1/) gives the licence, the "
        "newest release (number, cut_at, url) and its how_to_cite; so does the "
        "about page (/about/), with the licence each source states.\n\n"
        "Inherited facts: a disease's detail gives what the sources state for "
        "every group above it (stated_for_groups: each group with the path up "
        "to it), a drug's and a drug class's what they state for its classes "
        "(stated_for_classes); never mixed into the record's own fields."
    ),
    # The data's licence: downloads and releases read it from here
    # (kbframework.api.downloads.data_licence).
    "LICENSE": {
        "name": "CC BY-SA 4.0",
        "url": "https://creativecommons.org/licenses/by-sa/4.0/",
    },
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema reads the database (the slugs each relation filter takes),
    # which `manage.py check` may run without: tests/test_schema.py generates
    # and validates it instead, failing on any warning.
    "ENABLE_DJANGO_DEPLOY_CHECK": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "kbframework.api.schema.describe_format_parameter",
        "kbframework.api.schema.describe_field_selection",
    ],
    "ENUM_NAME_OVERRIDES": {
        "DiseaseKindEnum": "diseases.models.Disease.Kind",
        "MechanismKindEnum": "diseases.models.Mechanism.Kind",
        "SourceKindEnum": "kbframework.models.Source.Kind",
        "RecordStatusEnum": "kbframework.choices.Status",
        # Two choice sets of fields named `frequency` (null when not stated).
        "DiseaseSymptomFrequencyEnum": "diseases.models.DiseaseSymptom.Frequency",
        "AdverseEffectFrequencyEnum": "treatments.models.AdverseEffect.Frequency",
    },
}

# The API is open for reading from any origin (notebooks in a browser).
CORS_ALLOW_ALL_ORIGINS = True
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
# A browser client may revalidate (conditional requests) across origins.
CORS_ALLOW_HEADERS = [
    "accept",
    "accept-language",
    "content-type",
    "if-none-match",
    "if-modified-since",
    "if-match",
    "if-unmodified-since",
    "x-requested-with",
]
CORS_EXPOSE_HEADERS = [
    "RateLimit",
    "RateLimit-Policy",
    "Content-Disposition",
    "ETag",
    "Last-Modified",
    "Link",
    "Retry-After",
    "Age",
    "X-KB-Stale",
    "X-Request-ID",
    "X-KB-Release",
    "X-KB-Data-Version",
    "X-Total-Count",
    "X-Checksum-SHA256",
]

# Where the site is published, for the identifiers the exports give the
# knowledge base's own records (IMIDKB:diseases/psoriasis expands to
# <IMIDKB_PUBLIC_URL>/id/IMIDKB:diseases/psoriasis). Production sets it; the
# default is the address `make run` serves on.
IMIDKB_PUBLIC_URL = os.environ.get("IMIDKB_PUBLIC_URL", "http://127.0.0.1:8000")
IMIDKB_CURIE_PREFIX = "IMIDKB"
