"""Settings for Yicang: one module, driven by environment variables (see .env.example).

YICANG_ENV=development (the default) gives a self-contained set-up: an SQLite file, an in-memory
cache and Celery tasks run in-process. DATABASE_URL and REDIS_URL switch to PostgreSQL and Redis.
YICANG_ENV=production insists on a real SECRET_KEY and ALLOWED_HOSTS and turns on every protection
that `manage.py check --deploy` looks for.
"""

import base64
import hashlib
from pathlib import Path

import dj_database_url
import django_stubs_ext
from celery.schedules import crontab
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from yicang.env import Env

# Lets annotations such as ModelAdmin[Household] work at run time, not only under mypy.
django_stubs_ext.monkeypatch()

env = Env()
BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.string("YICANG_VAR_DIR", str(BASE_DIR / "var")))

YICANG_ENV = env.choice("YICANG_ENV", ("development", "production"), "development")
PRODUCTION = YICANG_ENV == "production"
DEBUG = env.flag("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when YICANG_ENV=production.")

if PRODUCTION:
    SECRET_KEY = env.string("SECRET_KEY")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters with at least 5 distinct ones.")
    ALLOWED_HOSTS = env.items("ALLOWED_HOSTS")
else:
    # Only ever used on a developer's machine; production refuses to start without its own key.
    SECRET_KEY = env.string("SECRET_KEY", "development-only-key-never-used-in-production-yicang-0123456789")
    ALLOWED_HOSTS = env.items("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.items("CSRF_TRUSTED_ORIGINS", [])
# Where the public portal is reached: item labels and receipts print QR codes to YICANG_PUBLIC_URL/t/<code>.
YICANG_PUBLIC_URL = env.string("YICANG_PUBLIC_URL", None if PRODUCTION else "http://127.0.0.1:8000").rstrip("/")
if not YICANG_PUBLIC_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured(f"YICANG_PUBLIC_URL must start with https:// or http://, not {YICANG_PUBLIC_URL!r}.")

# --- Keys for personal data (yicang/core/crypto.py) -----------------------------------------
# YICANG_FIELD_KEYS: Fernet keys, newest first; older ones still decrypt, so keys can rotate.
# YICANG_HASH_KEY: the HMAC key of the duplicate-detection hashes (changing it needs a re-hash).
if PRODUCTION:
    YICANG_FIELD_KEYS = env.items("YICANG_FIELD_KEYS")
    YICANG_HASH_KEY = env.string("YICANG_HASH_KEY")
else:
    # Derived from the development key so that a checkout works at once; production sets its own.
    _derived = base64.urlsafe_b64encode(hashlib.sha256(f"fields:{SECRET_KEY}".encode()).digest()).decode()
    YICANG_FIELD_KEYS = env.items("YICANG_FIELD_KEYS", [_derived])
    YICANG_HASH_KEY = env.string("YICANG_HASH_KEY", hashlib.sha256(f"hash:{SECRET_KEY}".encode()).hexdigest())
for _key in YICANG_FIELD_KEYS:
    try:
        Fernet(_key)
    except ValueError:
        raise ImproperlyConfigured(
            "Each YICANG_FIELD_KEYS entry must be a Fernet key: "
            'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
        ) from None
if len(YICANG_HASH_KEY) < 32:
    raise ImproperlyConfigured("YICANG_HASH_KEY must be at least 32 characters.")

# The public log's Ed25519 key (yicang/ledger/log/signing.py): a base64 32-byte seed. Whoever holds it
# can sign checkpoints, so production sets its own and never changes it without announcing the new key.
if PRODUCTION:
    YICANG_LOG_SIGNING_KEY = env.string("YICANG_LOG_SIGNING_KEY")
else:
    _log_seed = base64.b64encode(hashlib.sha256(f"log:{SECRET_KEY}".encode()).digest()).decode()
    YICANG_LOG_SIGNING_KEY = env.string("YICANG_LOG_SIGNING_KEY", _log_seed)


def _is_32_bytes_of_base64(value: str) -> bool:
    try:
        return len(base64.b64decode(value, validate=True)) == 32
    except ValueError:
        return False


if not _is_32_bytes_of_base64(YICANG_LOG_SIGNING_KEY):
    raise ImproperlyConfigured(
        "YICANG_LOG_SIGNING_KEY must be 32 random bytes in base64: "
        'python -c "import base64, secrets; print(base64.b64encode(secrets.token_bytes(32)).decode())"'
    )
# The public halves of the log's earlier keys, newest first, after a rotation: still served, so that
# checkpoints signed before it verify. Never list a key that leaked: whatever it signs would verify.
YICANG_LOG_RETIRED_KEYS = env.items("YICANG_LOG_RETIRED_KEYS", [])
for _retired in YICANG_LOG_RETIRED_KEYS:
    if not _is_32_bytes_of_base64(_retired):
        raise ImproperlyConfigured(
            "Each YICANG_LOG_RETIRED_KEYS entry must be a public key as /api/v1/log/key/ served it "
            f"(32 bytes in base64), not {_retired!r}."
        )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Lowest layer first: an app may import only the ones above it in this list.
    "yicang.core",
    "yicang.community",
    "yicang.ledger",
    "donors",
    "recipients",
    "volunteers",
    "volunteers.market",
    "volunteers.programme",
    "stores",
    "forums",
    "markets",
    "yicang.privacy",
    "yicang.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "yicang.core.clients.PageRateLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "yicang.urls"
WSGI_APPLICATION = "yicang.wsgi.application"
ASGI_APPLICATION = "yicang.asgi.application"
AUTH_USER_MODEL = "community.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "reports:my-household"
LOGOUT_REDIRECT_URL = "reports:home"

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
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env.string("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env.integer("DATABASE_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # SQLite makes the file but not its folder
    # A file, not memory, so that a worker process started by a test sees the test's data.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
    # The covering indexes are for PostgreSQL; SQLite builds them without the extra columns.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Clients and rate limits ---------------------------------------------------------------
# How many reverse proxies in front of the app each append to X-Forwarded-For. 0 believes only the
# socket's address, so nobody chooses their own address (and rate-limit bucket) by sending a header.
TRUSTED_PROXIES = env.integer("YICANG_TRUSTED_PROXIES", 0, minimum=0)
RATELIMIT_IP_META_KEY = "yicang.core.clients.client_ip"
# Anonymous requests for pages, per client address; the API's rates are REST_FRAMEWORK's below.
PAGE_RATE = env.rate("YICANG_PAGE_RATE", "120/m")
# The public trace, page and API: a donor looks up a few codes; walking the codes is what this stops.
TRACE_RATE = env.rate("API_THROTTLE_TRACE", "60/minute")

# --- Redis: broker, cache and rate limits ---------------------------------------------------
REDIS_URL = env.optional_string("REDIS_URL")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"REDIS_URL must be a redis://, rediss:// or unix:// URL, not {REDIS_URL!r}.")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.string("REDIS_CACHE_URL", REDIS_URL),
            "KEY_PREFIX": "yicang",
            "TIMEOUT": 300,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "yicang"}}

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"  # in-process: a host named, so kombu does not warn
# Without Redis there is no worker: tasks run in-process, right after the transaction commits.
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
# Tasks keep their results and progress in rows; nothing reads a result backend.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "stores.render_label*": {"queue": "labels"},
    "reports.*": {"queue": "reports"},
}
CELERY_TASK_TIME_LIMIT = env.integer("CELERY_TASK_TIME_LIMIT", 600, minimum=1)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30 if CELERY_TASK_TIME_LIMIT > 60 else None
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "core.record_heartbeat": {"task": "core.record_heartbeat", "schedule": 60.0},
    # The publicising page and the statistics read these counts; an hour old is fresh enough.
    "stores.refresh_monthly_counts": {"task": "stores.refresh_monthly_counts", "schedule": 3600.0},
    # Hourly too, reading the store's counts as they stand; the public statistics page reads only these.
    "reports.refresh_statistics": {"task": "reports.refresh_statistics", "schedule": crontab(minute=30)},
    # Before the store opens (CELERY_TIMEZONE): the day's checks are waiting, and managers read the alerts.
    "stores.open_due_checks": {"task": "stores.open_due_checks", "schedule": crontab(hour=5, minute=0)},
    "stores.raise_expiry_alerts": {"task": "stores.raise_expiry_alerts", "schedule": crontab(hour=6, minute=30)},
    # The public log: new events are appended every minute (a nightly sweep finds any that committed late),
    # and a checkpoint is signed every ten minutes if any came.
    "ledger.extend_public_log": {"task": "ledger.extend_public_log", "schedule": 60.0},
    "ledger.sweep_public_log": {
        "task": "ledger.extend_public_log",
        "schedule": crontab(hour=4, minute=15),
        "kwargs": {"full": True},
    },
    "ledger.sign_checkpoint": {"task": "ledger.sign_checkpoint", "schedule": 600.0},
}

# --- Email: expiry alerts to warehouse managers, forum notices to supporters ---------------------
# Without EMAIL_HOST mail is written to the log (console backend), in production too: the portal's own
# notices and the staff pages' alerts do not depend on it.
EMAIL_HOST = env.string("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env.integer("EMAIL_PORT", 465, minimum=1)
    EMAIL_HOST_USER = env.string("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env.string("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_SSL = env.flag("EMAIL_USE_SSL", default=EMAIL_PORT == 465)
    EMAIL_USE_TLS = env.flag("EMAIL_USE_TLS", default=EMAIL_PORT == 587)
    EMAIL_TIMEOUT = 20
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env.string("DEFAULT_FROM_EMAIL", "义仓 Yicang <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Passwords and sessions -----------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = 60 * 60 * 12

# --- Languages and time ---------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.string("STATIC_ROOT", str(VAR_DIR / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
if DEBUG:
    # WhiteNoise warns on every start when this folder is missing; in development it is simply empty.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
    WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(env.string("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["yicang.core.permissions.IsCommunityStaff"],
    "DEFAULT_FILTER_BACKENDS": ["yicang.community.filters.ScopedFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "yicang.core.api.exception_handler",
    "NUM_PROXIES": TRUSTED_PROXIES,
    "DEFAULT_THROTTLE_CLASSES": [
        "yicang.core.api.AnonThrottle",
        "yicang.core.api.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.rate("API_THROTTLE_ANON", "120/minute"),
        "user": env.rate("API_THROTTLE_USER", "1200/minute"),
        "trace": TRACE_RATE,
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Yicang API",
    "DESCRIPTION": "Staff and public API of the Yicang neighbourhood mutual-aid programme.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "kind"; name the ones that would otherwise collide.
    "ENUM_NAME_OVERRIDES": {"IssueKindEnum": "forums.models.Issue.Kind"},
}

# --- Security -------------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    # Off only for a local full-stack run without TLS (docker-compose.yml); never in a deployment.
    _tls = env.flag("YICANG_TLS", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = _tls
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = _tls
    CSRF_COOKIE_SECURE = _tls
    SECURE_HSTS_SECONDS = env.integer("SECURE_HSTS_SECONDS", 31536000 if _tls else 0, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.flag("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.flag("SECURE_HSTS_PRELOAD", default=_tls)

# --- Logging --------------------------------------------------------------------------------
LOG_LEVEL = env.choice("LOG_LEVEL", ("debug", "info", "warning", "error"), "info").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Replaces Django's own console handler, which would print every django.* line twice.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "INFO"},
    },
}
