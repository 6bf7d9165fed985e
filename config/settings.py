"""Settings for the Oncology Massage Directory.

Every value that differs between a laptop and production comes from an
environment variable (see the README). Production is the default: with
DEBUG off the site insists on a real SECRET_KEY and turns on every
transport-security setting.
"""

from pathlib import Path

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.env import (
    cache_from_url,
    database_from_url,
    env_bool,
    env_int,
    env_list,
    env_str,
    running_command,
    statement_timeout_seconds,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

_DEV_SECRET_KEY = "dev-only-insecure-key-7c1f0d9e4b2a4f5e8d6c3b1a0f9e8d7c6b5a4f3e2d1c0b9a"  # noqa: S105 - used only with DEBUG on
SECRET_KEY = env_str("SECRET_KEY")
if SECRET_KEY is None:
    if not DEBUG:
        raise ImproperlyConfigured("The environment variable SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "accounts",
    "directory",
    "guides",
]
# Demo data and the benchmark: a development-only app, never part of a
# production site unless asked for (the load test seeds through it).
DEVTOOLS = env_bool("DEVTOOLS", DEBUG)
if DEVTOOLS:
    INSTALLED_APPS.append("devtools")

MIDDLEWARE = [
    # First, so that every database wait of a request shares one deadline (config/db.py).
    "config.db.DatabaseDeadlineMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.RequestBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "config.middleware.NoStoreForSignedInMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {"default": database_from_url("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# PostgreSQL waits are bounded on the client too (config/db.py): a web request's
# queries together, /healthz's own check, and any one wait of a command.
DATABASE_REQUEST_DEADLINE_SECONDS = env_int("DATABASE_REQUEST_DEADLINE", statement_timeout_seconds() + 2)
DATABASE_HEALTH_CHECK_SECONDS = 2
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    from config.db import install as _install_database_deadline

    _install_database_deadline(
        default_seconds=statement_timeout_seconds() + 30 if running_command() else DATABASE_REQUEST_DEADLINE_SECONDS
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": cache_from_url("CACHE_URL"),
    # Search pages and API answers (directory/search/cache.py) are kept in each
    # process's own memory, a bounded number of them: a flood of different
    # searches can only push out other pages, never the rate-limit counters and
    # sessions in the shared cache. Every process reads the edition from the
    # database, so none serves a page made before a change.
    "search_pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "search-pages",
        "OPTIONS": {"MAX_ENTRIES": env_int("SEARCH_PAGE_CACHE_ENTRIES", 500)},
    },
    # Result cards, rendered (directory/search/cards.py), and the guides' list
    # for the search edition, in each process's own memory too: a card is about
    # 2 KB, so the default holds a hundred pages' worth in some 4 MB.
    "cards": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "result-cards",
        "OPTIONS": {"MAX_ENTRIES": env_int("SEARCH_CARD_CACHE_ENTRIES", 2000)},
    },
}
# How long a search page or API answer for someone not signed in is kept
# (directory/search/cache.py); any change to the data replaces it at once. 0: never cached.
SEARCH_PAGE_CACHE_SECONDS = env_int("SEARCH_PAGE_CACHE_SECONDS", 600)
# How long a rendered result card is kept, for signed-in people too: it is
# filed under the search edition and the day, so a change shows at once. 0: never kept.
SEARCH_CARD_CACHE_SECONDS = env_int("SEARCH_CARD_CACHE_SECONDS", 600)
# While Redis is away each process counts rate limits alone; each hit then
# counts this many times (config/cache.py). Set it to the number of web processes.
CACHE_FALLBACK_RATE_LIMIT_WEIGHT = env_int("CACHE_FALLBACK_RATE_LIMIT_WEIGHT", env_int("WEB_CONCURRENCY", 4))
# Sessions live in the database only: signed-in people stay signed in while
# Redis is away, and a signed-out session cannot come back from a stale cache.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"

# django-allauth: email is the login; it must be verified before any
# therapist page opens. Its rate limiter, kept in the cache, is the one
# limiter of the whole site (uploads and enquiries use it too).
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
# One site, whatever the request's Host header says: allauth keys its
# failed-sign-in lockout on the current site, and without the sites framework
# that is the Host (port included), so a new port would start a new count.
SITE_ID = 1
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# One address per account. A new one is confirmed with a code sent to it and
# then replaces the old: until then it lives only in the session, so an address
# nobody has confirmed never reserves or captures another person's sign-up.
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_MAX_EMAIL_ADDRESSES = 2
# Changes to sign-in details (password, address, second factor) are told to
# the account's address.
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Oncology Massage Directory] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ACCOUNT_RATE_LIMITS = {
    # allauth's defaults, made stricter for sign-in: a wrong password counts
    # toward "login_failed" (a form error), every attempt toward "login" (429).
    "login": "10/m/ip,60/h/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "5/m/ip,20/h/ip",
    "reset_password": "5/m/ip,5/h/key",
    "upload": "30/h/user",
    "enquiry": "5/h/ip,3/d/key",
    "concern": "5/h/ip,20/d/ip",
}
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Oncology Massage Directory"
# A code is also accepted for one 30-second step either side of now, so a
# code typed slowly, or sent just as it changes, is not refused. allauth
# still refuses a code that has been used once.
MFA_TOTP_TOLERANCE = 1

LANGUAGE_CODE = "en-us"
# One date format on every page: "5 December 2026" (config/formats/en/formats.py
# sets it for English pages, as the locale's own format would otherwise win).
DATE_FORMAT = "j F Y"
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = env_str("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True
# Dates read "5 December 2026" everywhere (config/formats/en/formats.py for the locale).
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Evidence documents live outside MEDIA_ROOT and are only ever served by a
# view that checks who is asking.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "private_media")))
if PRIVATE_MEDIA_ROOT.resolve() == MEDIA_ROOT.resolve() or MEDIA_ROOT.resolve() in PRIVATE_MEDIA_ROOT.resolve().parents:
    raise ImproperlyConfigured("PRIVATE_MEDIA_ROOT must not be inside MEDIA_ROOT.")
STORAGES = {
    # Writes whole files or none (a full disk leaves no partial file).
    "default": {"BACKEND": "directory.storage.AllOrNothingStorage"},
    # Evidence documents (directory/storage.py): resolved by this alias.
    "private": {"BACKEND": "directory.storage.PrivateStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# ---------------------------------------------------------------------------
# Scaling out: media in object storage and a read replica of the database.
# Without these variables: local folders and one database, as on a laptop.
# ---------------------------------------------------------------------------
# Photos and evidence in two S3-compatible buckets (AWS S3, MinIO, …), so that
# any replica of the app can serve what another stored. Credentials come from
# AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or the machine's IAM role).
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
AWS_PRIVATE_STORAGE_BUCKET_NAME = env_str("AWS_PRIVATE_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME or AWS_PRIVATE_STORAGE_BUCKET_NAME:
    if not (AWS_STORAGE_BUCKET_NAME and AWS_PRIVATE_STORAGE_BUCKET_NAME):
        raise ImproperlyConfigured(
            "Set both AWS_STORAGE_BUCKET_NAME (photos) and AWS_PRIVATE_STORAGE_BUCKET_NAME (evidence), or neither."
        )
    if AWS_STORAGE_BUCKET_NAME == AWS_PRIVATE_STORAGE_BUCKET_NAME:
        raise ImproperlyConfigured("Evidence needs a bucket of its own: AWS_PRIVATE_STORAGE_BUCKET_NAME.")
    AWS_S3_ENDPOINT_URL = env_str("AWS_S3_ENDPOINT_URL")
    AWS_S3_REGION_NAME = env_str("AWS_S3_REGION_NAME", "us-east-1")
    # S3-compatible services on a host name of their own (MinIO) need path-style addresses.
    AWS_S3_ADDRESSING_STYLE = env_str("AWS_S3_ADDRESSING_STYLE", "path" if AWS_S3_ENDPOINT_URL else "auto")
    AWS_S3_SIGNATURE_VERSION = "s3v4"
    # Names are random already; never replace an object that happens to share one.
    AWS_S3_FILE_OVERWRITE = False
    STORAGES["default"] = {
        # Photos are public: addressed under MEDIA_URL, which nginx passes to this bucket.
        "BACKEND": "directory.storage.PublicS3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "querystring_auth": False,
            "object_parameters": {"CacheControl": "public, max-age=604800"},
        },
    }
    STORAGES["private"] = {
        # Evidence is never public: a private bucket, read only by the evidence view after
        # its permission check; any signed address it made would last 60 seconds at most.
        "BACKEND": "directory.storage.PrivateS3Storage",
        "OPTIONS": {
            "bucket_name": AWS_PRIVATE_STORAGE_BUCKET_NAME,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 60,
        },
    }

# A PostgreSQL read replica: anonymous searches, profiles, the API and guides
# read from it; writes, signed-in pages and reads after a write use the primary
# (config/db_routing.py).
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
# After a visitor sends a form, their pages read the primary for this long.
DATABASE_REPLICA_PIN_SECONDS = env_int("DATABASE_REPLICA_PIN_SECONDS", 15)
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = database_from_url("DATABASE_REPLICA_URL", DATABASE_REPLICA_URL)
    # Tests make no copy of their own for the replica: it mirrors the test database.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["config.db_routing.PrimaryReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
        "config.db_routing.ReplicaReadsMiddleware",
    )
# ---------------------------------------------------------------------------

FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
PHOTO_MAX_BYTES = 10 * 1024 * 1024
UPLOAD_MAX_BYTES = max(EVIDENCE_MAX_BYTES, PHOTO_MAX_BYTES)
# The largest upload and the rest of its form: a bigger body is refused before
# it is read (config.middleware.RequestBodyLimitMiddleware), as nginx does with
# client_max_body_size 12m (deploy/nginx.conf).
REQUEST_BODY_MAX_BYTES = UPLOAD_MAX_BYTES + 2 * 1024 * 1024

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# A stalled mail server must not hold a request (an enquiry, a decision) for long.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Oncology Massage Directory <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Every email leaves through a task row committed with the change that caused
# it; `manage.py db_worker` sends them (directory/mail.py).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# The directory's own settings.
SITE_NAME = "Oncology Massage Directory"
# The public address, for links in emails sent outside a request (decisions, reminders).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

# A map of approximate areas beside the results and on profiles: the URL template
# of a tile server ("https://tiles.example.org/{z}/{x}/{y}.png") and the credit its
# licence asks for. Unset (the default), no page loads any map code; set, the pages
# with a map allow exactly that origin in their Content-Security-Policy.
MAP_TILE_URL = env_str("MAP_TILE_URL", "")
MAP_ATTRIBUTION = env_str("MAP_ATTRIBUTION", "")
if MAP_TILE_URL and not (
    MAP_TILE_URL.startswith(("https://", "http://")) and all(part in MAP_TILE_URL for part in ("{z}", "{x}", "{y}"))
):
    raise ImproperlyConfigured("MAP_TILE_URL must be an http(s) URL template with {z}, {x} and {y}.")
ENQUIRY_RETENTION_DAYS = env_int("ENQUIRY_RETENTION_DAYS", 90)
# A verified licence or registration is checked at its source again after this many months (or at expiry).
CREDENTIAL_RECHECK_MONTHS = env_int("CREDENTIAL_RECHECK_MONTHS", 12)
GEOCODER = env_str("GEOCODER", "directory.geo.offline.OfflineGeocoder")
# directory.geo.online.OnlineGeocoder adds UK (and, with a service, Canadian)
# postcode look-ups over HTTP on top of the offline data.
GEOCODER_UK_POSTCODE_URL = env_str("GEOCODER_UK_POSTCODE_URL", "https://api.postcodes.io")
GEOCODER_CA_POSTCODE_URL = env_str("GEOCODER_CA_POSTCODE_URL")
GEOCODER_TIMEOUT = env_int("GEOCODER_TIMEOUT", 3)
# Load the geocoder's data when a web process starts (set by `make run` and gunicorn.conf.py).
GEOCODER_WARM_UP = env_bool("GEOCODER_WARM_UP", False)

# Security. Production is the default; DEBUG relaxes only what a laptop
# without TLS needs.
# X-Forwarded-Proto is believed only behind a proxy that sets it (TRUSTED_PROXY_COUNT
# above 0); reached directly, anyone could send it.
if ALLAUTH_TRUSTED_PROXY_COUNT > 0:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        # Search filters travel in query strings; access logs keep the path only.
        "strip_query_strings": {"()": "config.logging.StripQueryStringFilter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["strip_query_strings"]},
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}

# Error reports, when SENTRY_DSN is set: no personal data, and query strings,
# form bodies and cookies removed before anything leaves (config/sentry.py).
SENTRY_DSN = env_str("SENTRY_DSN")
if SENTRY_DSN:
    from config.sentry import init_sentry

    init_sentry(SENTRY_DSN, environment=env_str("SENTRY_ENVIRONMENT", "production"))
