"""Settings for the partner portal.

Everything comes from the environment (a ``.env`` file beside ``manage.py`` is read when present).
The defaults are the embedded ones ``make run`` uses: SQLite, local files, eager Celery, console
email. With ``DJANGO_DEBUG`` off the site refuses to start without a real secret key and hosts.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=True)

_INSECURE_KEY = "django-insecure-embedded-default-for-local-development-only"
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=_INSECURE_KEY if DEBUG else "")
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)

if not DEBUG:
    if not SECRET_KEY or SECRET_KEY == _INSECURE_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set to a random value of at least 50 characters "
            "when DJANGO_DEBUG is off."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is off.")


def _served_at() -> str:
    """Where ``make run`` serves (its HOST and PORT, passed on as PORTAL_HOST / PORTAL_PORT), so
    every emailed and printed link follows them unless SITE_URL says otherwise."""
    host = env.str("PORTAL_HOST", default="") or "127.0.0.1"
    port = env.str("PORTAL_PORT", default="") or "8000"
    if host in ("0.0.0.0", "::", "[::]"):  # noqa: S104 - comparing, not binding
        host = "127.0.0.1"  # listening everywhere: link to this machine
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


SITE_URL = (env.str("SITE_URL", default="") or _served_at()).rstrip("/")
SEGMENT_APP_URL = env.str("SEGMENT_APP_URL", default="https://app.segment.com").rstrip("/")
PLATFORM_TIME_ZONE = env.str("PLATFORM_TIME_ZONE", default="America/Los_Angeles")
# Who has the ball (catalog.ball): staff decide within this many business days (weekends and the
# holidays kept in the admin excluded); the Wednesday train leaves at this local time.
STAFF_REVIEW_BUSINESS_DAYS = env.int("STAFF_REVIEW_BUSINESS_DAYS", default=2)
RELEASE_TRAIN_DEPLOY_TIME = env.str("RELEASE_TRAIN_DEPLOY_TIME", default="10:00")
PARTNER_IDLE_REMINDER_DAYS = env.int("PARTNER_IDLE_REMINDER_DAYS", default=7)
DESTINATIONS_REPOSITORY = env.str(
    "DESTINATIONS_REPOSITORY", default="https://github.com/segmentio/action-destinations"
).rstrip("/")
DOCS_REPOSITORY = env.str(
    "DOCS_REPOSITORY", default="https://github.com/segmentio/segment-docs"
).rstrip("/")

INSTALLED_APPS = [
    "catalog.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "catalog",
]

MIDDLEWARE = [
    "catalog.middleware.health_probes",
    "django.middleware.security.SecurityMiddleware",
    # Early, so every response gets the headers, the size guard's refusals included.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before anything can read a body: refuses one larger than its route accepts, unread.
    "catalog.middleware.request_size_guard",
    "catalog.middleware.api_head",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "catalog.middleware.SecondFactorSessionMiddleware",
    "catalog.middleware.second_factor_required",
    "django.contrib.messages.middleware.MessageMiddleware",
    "catalog.middleware.platform_time_zone",
    "catalog.views.refusals.RefusalMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "csp.context_processors.nonce",
                "catalog.context_processors.staff_nav",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default: write-ahead log so readers never wait for a writer, commits that
    # don't wait for the disk on every request, and write transactions that take the lock up
    # front instead of failing with "database is locked" when two requests write at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )

AUTH_USER_MODEL = "catalog.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))

AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    _file_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _file_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _file_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# A backend class can be named directly (the real-worker tests use one that can be made slow).
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default=EMAIL_CONFIG["EMAIL_BACKEND"])
# Bounded SMTP waits keep a send well inside the outbox task's time limit (see OUTBOX_* below).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Partner Portal <partners@localhost>")
STAFF_NOTIFICATION_EMAILS = env.list("STAFF_NOTIFICATION_EMAILS", default=[])


def _cache(url: str, location: str, **extra) -> dict:
    """A cache from a URL; Redis through the degrading backend (an outage is a miss, never an
    error: ``catalog/cache_backends.py``); an in-process cache of ``location`` without a URL."""
    if not url:
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": location,
            "OPTIONS": {"MAX_ENTRIES": 100_000 if location.endswith("throttle") else 300},
            **extra,
        }
    config = env.cache_url_config(url)
    if config["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
        config["BACKEND"] = "catalog.cache_backends.DegradingRedisCache"
    return {**config, **extra}


_CACHE_URL = env.str("CACHE_URL", default="")
# "default" holds pages and lookups, which may be evicted; "throttle" holds the abuse counters
# (log-in, reset email, beta tokens), which page caching must never push out: its own in-process
# store under ``make run``, its own Redis database (or the same server) in production.
CACHES = {
    "default": _cache(_CACHE_URL, "portal"),
    "throttle": _cache(
        env.str("THROTTLE_CACHE_URL", default="") or _CACHE_URL,
        "portal-throttle",
        KEY_PREFIX="throttle",
    ),
}
# Every web process must count the same attempts: production refuses to start with throttles in
# a per-process store, unless one web process is all there is (ALLOW_PROCESS_LOCAL_THROTTLES).
if (
    not DEBUG
    and CACHES["throttle"]["BACKEND"] != "catalog.cache_backends.DegradingRedisCache"
    and not env.bool("ALLOW_PROCESS_LOCAL_THROTTLES", default=False)
):
    raise ImproperlyConfigured(
        "Throttles need a store every web process shares: set THROTTLE_CACHE_URL or CACHE_URL "
        "to redis://… when DJANGO_DEBUG is off (or ALLOW_PROCESS_LOCAL_THROTTLES=true for a "
        "single web process)."
    )

# Celery: without a broker every task runs eagerly inside the request, so `make run` needs nothing.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A publish while the broker is down fails fast; the outbox sweep re-queues what was not queued.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# Redis hands an unacknowledged task to another worker after this many seconds. It must stay
# above the outbox task's hard time limit and its longest retry countdown (checked below).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "socket_connect_timeout": 3,
}

# Outbox delivery (catalog.services.outbox): retries with exponential backoff up to a cap, then
# "failed"; the beat sweep re-queues pending rows nobody picked up and rows whose claim expired.
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=6)
OUTBOX_RETRY_BASE_SECONDS = env.float("OUTBOX_RETRY_BASE_SECONDS", default=30)
OUTBOX_RETRY_MAX_SECONDS = env.float("OUTBOX_RETRY_MAX_SECONDS", default=1800)
OUTBOX_SEND_TIME_LIMIT = env.int("OUTBOX_SEND_TIME_LIMIT", default=EMAIL_TIMEOUT * 2 + 30)
OUTBOX_CLAIM_TIMEOUT = env.float("OUTBOX_CLAIM_TIMEOUT", default=300)
OUTBOX_SWEEP_INTERVAL = env.float("OUTBOX_SWEEP_INTERVAL", default=60)
OUTBOX_SWEEP_GRACE = env.float("OUTBOX_SWEEP_GRACE", default=60)
OUTBOX_REQUEUE_AFTER = env.float("OUTBOX_REQUEUE_AFTER", default=300)
# The storage audit: a quick pass (new references, known missing files) and a full listing.
STORAGE_AUDIT_QUICK_INTERVAL = env.int("STORAGE_AUDIT_QUICK_INTERVAL", default=15 * 60)
STORAGE_AUDIT_FULL_INTERVAL = env.int("STORAGE_AUDIT_FULL_INTERVAL", default=24 * 60 * 60)
# Beta page opens: with Redis (the broker's, unless BETA_OPENS_REDIS_URL names another) an open
# is counted there and beat adds the counts to the links every BETA_OPENS_FOLD_SECONDS, so the
# invites panel lags by that much at most; without Redis each open is one UPDATE in the request.
BETA_OPENS_REDIS_URL = env.str(
    "BETA_OPENS_REDIS_URL",
    default=CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else "",
)
BETA_OPENS_FOLD_SECONDS = env.float("BETA_OPENS_FOLD_SECONDS", default=10)
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {
        "task": "catalog.tasks.outbox.sweep_outbox",
        "schedule": OUTBOX_SWEEP_INTERVAL,
        "options": {"expires": max(OUTBOX_SWEEP_INTERVAL, 1)},
    },
    "storage-audit-quick": {
        "task": "catalog.tasks.storage.audit_storage",
        "schedule": STORAGE_AUDIT_QUICK_INTERVAL,
        "kwargs": {"full": False},
        "options": {"expires": STORAGE_AUDIT_QUICK_INTERVAL},
    },
    "storage-audit-full": {
        "task": "catalog.tasks.storage.audit_storage",
        "schedule": STORAGE_AUDIT_FULL_INTERVAL,
        "kwargs": {"full": True},
        "options": {"expires": STORAGE_AUDIT_FULL_INTERVAL},
    },
    "beta-opens-fold": {
        "task": "catalog.tasks.beta.fold_beta_opens",
        "schedule": BETA_OPENS_FOLD_SECONDS,
        "options": {"expires": max(BETA_OPENS_FOLD_SECONDS, 1)},
    },
    # Each of these is idempotent: a run that is late or repeated sends and marks nothing twice.
    "deploy-merged-pull-requests": {
        "task": "catalog.tasks.process.deploy_merged_pull_requests",
        "schedule": crontab(minute="*/15"),
    },
    # Beat keeps UTC (CELERY_TIMEZONE); 15:00 UTC is early morning in the default platform zone.
    "partner-idle-reminders": {
        "task": "catalog.tasks.process.send_partner_reminders",
        "schedule": crontab(hour=16, minute=0),
    },
    "staff-overdue-digest": {
        "task": "catalog.tasks.process.send_staff_digest",
        "schedule": crontab(hour=15, minute=0),
    },
}
if not DEBUG:
    _visibility = CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    if not (OUTBOX_SEND_TIME_LIMIT < OUTBOX_CLAIM_TIMEOUT and OUTBOX_SEND_TIME_LIMIT < _visibility):
        raise ImproperlyConfigured(
            "OUTBOX_SEND_TIME_LIMIT must be below OUTBOX_CLAIM_TIMEOUT and "
            "CELERY_VISIBILITY_TIMEOUT, or a slow send could be delivered twice."
        )
    if OUTBOX_RETRY_MAX_SECONDS >= _visibility:
        raise ImproperlyConfigured(
            "OUTBOX_RETRY_MAX_SECONDS must be below CELERY_VISIBILITY_TIMEOUT."
        )

# Security headers. The CSP is strict: no inline script or style, nothing from other origins.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
# /healthz and /readyz answer plain HTTP from loopback and these addresses or networks (the load
# balancer's or orchestrator's probes) instead of redirecting them to https.
HEALTH_PROBE_ADDRESSES = env.list("HEALTH_PROBE_ADDRESSES", default=[])
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "https:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'", SEGMENT_APP_URL],
    },
}

# Uploads. Bodies larger than their route accepts are refused unread from Content-Length
# (catalog.request_limits, middleware ``request_size_guard``); these bound what Django reads of
# the rest. Form fields other than files: at most the spec editor's 1 MB. Files above 1 MB go
# to a temporary file rather than memory. The largest form has four files (logo, mark, two
# screenshots).
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
DATA_UPLOAD_MAX_NUMBER_FILES = 4

# Partner API: requests per token per window; bad tokens per address per window.
API_TOKEN_RATE = env.int("API_TOKEN_RATE", default=120)
API_TOKEN_RATE_WINDOW = env.int("API_TOKEN_RATE_WINDOW", default=60)
API_BAD_TOKEN_LIMIT = env.int("API_BAD_TOKEN_LIMIT", default=30)
# Where an integration's public documentation lives: <DOCS_SITE_URL>/connections/destinations/
# catalog/<slug>/ (the path of the docs skeleton in the docs repository).
DOCS_SITE_URL = env.str("DOCS_SITE_URL", default="https://segment.com/docs").rstrip("/")

EMAIL_CONFIRMATION_MAX_AGE = 60 * 60 * 24 * 3
TEAM_INVITE_MAX_AGE_DAYS = env.int("TEAM_INVITE_MAX_AGE_DAYS", default=7)
# Invitations a partner can send in 24 hours (catalog/services/quotas.py): team invitations per
# partner, beta invitations per integration (staff are not capped).
TEAM_INVITES_PER_DAY = env.int("TEAM_INVITES_PER_DAY", default=20)
BETA_INVITES_PER_DAY = env.int("BETA_INVITES_PER_DAY", default=50)

# Second factor (django-otp): staff must verify a TOTP device or a recovery code before any staff
# page or the admin; partners may opt in. Wrong codes are throttled per device by django-otp and
# per user in the cache (catalog.services.second_factor).
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Partner Portal")
BETA_LINK_DEFAULT_DAYS = 30

# Every handler scrubs tokens (beta, confirmation and reset links) from what it prints, the
# development server's request lines and error tracebacks included (catalog/log_filters.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "scrub_secrets": {"()": "catalog.log_filters.ScrubSecrets"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["scrub_secrets"],
        },
        "server": {
            "class": "logging.StreamHandler",
            "formatter": "server",
            "filters": ["scrub_secrets"],
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "scrub_secrets"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.server": {"handlers": ["server"], "level": "INFO", "propagate": False},
        # replaces Django's own handlers for "django", which would print without the filter
        "django": {"handlers": ["console", "mail_admins"], "level": "INFO", "propagate": False},
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
