"""Settings shared by every environment, read from environment variables.

A `.env` file at the project root (written by `make run` / `make test` when it
sets up local services) is read first; real environment variables win.
"""

from pathlib import Path
from typing import Any

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# --- Applications ---------------------------------------------------------------------------

DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.gis",
]
THIRD_PARTY_APPS = [
    "channels",
    "rest_framework",
    "drf_spectacular",
    "django_celery_beat",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
]
LOCAL_APPS = [
    "apps.ogc",
    "apps.accounts",
    "apps.workspaces",
    "apps.catalogue",
    "apps.processes",
    "apps.jobs",
    "apps.licenses",
    "apps.billing",
    "apps.notifications",
    "apps.analytics",
    "apps.webservices",
    "apps.portal",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "apps.accounts.middleware.CredentialsCookieMiddleware",
    "apps.accounts.middleware.ApprovalRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "apps.ogc.middleware.ProblemDetailsMiddleware",
]

ROOT_URLCONF = "marketplace.urls"
WSGI_APPLICATION = "marketplace.wsgi.application"
ASGI_APPLICATION = "marketplace.asgi.application"
SITE_ID = 1

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
                "apps.portal.context_processors.modes",
            ],
        },
    },
]

# --- Data -----------------------------------------------------------------------------------

DATABASES: dict[str, dict[str, Any]] = {
    "default": env.db("DATABASE_URL", default="postgis://postgres@127.0.0.1:5432/marketplace"),
}
DATABASES["default"]["ENGINE"] = "django.contrib.gis.db.backends.postgis"
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Under ASGI every request runs in a thread of its own, so persistent connections would
# never be reused: the web process keeps a pool instead. Celery workers, one task at a time
# per process, keep one persistent connection (marketplace/celery.py switches them over).
DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"]["OPTIONS"] = {
    # Requests run short queries: compiling them (JIT) or starting parallel workers costs
    # tens of milliseconds more than it saves.
    "options": env(
        "DATABASE_SESSION_OPTIONS", default="-c jit=off -c max_parallel_workers_per_gather=0"
    ),
    "pool": {
        "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=2),
        "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=16),
        "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
    },
}
# Threads per web process serving HTTP requests (each holds a pooled connection while busy).
WEB_THREADS = env.int("WEB_THREADS", default=12)
WORKER_CONN_MAX_AGE = env.int("WORKER_DATABASE_CONN_MAX_AGE", default=300)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")

CACHES: dict[str, dict[str, Any]] = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="tep"),
    }
}

CHANNEL_LAYERS: dict[str, dict[str, Any]] = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [REDIS_URL], "prefix": env("CHANNEL_PREFIX", default="tep")},
    }
}

STORAGE_ROOT = Path(env("STORAGE_ROOT", default=str(VAR_DIR / "storage")))
MEDIA_ROOT = STORAGE_ROOT
MEDIA_URL = "/media/"
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(VAR_DIR / "static")))
# Only the built parts of the npm packages: the pages use nothing else, and every static
# file is one more for WhiteNoise and collectstatic to index.
VENDOR_FOLDERS = ("bootstrap/dist", "bootstrap-icons/font", "leaflet/dist", "htmx.org/dist")
STATICFILES_DIRS = [
    BASE_DIR / "static",
    *((f"vendor/{folder}", BASE_DIR / "node_modules" / folder) for folder in VENDOR_FOLDERS),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- Identity -------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "apps.accounts.backends.AdministratorRoleBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"

ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env("ACCOUNT_DEFAULT_HTTP_PROTOCOL", default="http")
ACCOUNT_ADAPTER = "apps.accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "apps.accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_ONLY = False


def oidc_providers() -> dict[str, object]:
    """An OpenID Connect provider (e.g. Keycloak) when OIDC_SERVER_URL is set."""
    server_url = env("OIDC_SERVER_URL", default="")
    if not server_url:
        return {}
    return {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": env("OIDC_PROVIDER_ID", default="keycloak"),
                    "name": env("OIDC_PROVIDER_NAME", default="Keycloak"),
                    "client_id": env("OIDC_CLIENT_ID"),
                    "secret": env("OIDC_CLIENT_SECRET", default=""),
                    "settings": {"server_url": server_url},
                }
            ],
            "OAUTH_PKCE_ENABLED": True,
        }
    }


SOCIALACCOUNT_PROVIDERS = oidc_providers()

# Signed credentials cookie (§8.2): an Ed25519 key in PEM, inline or from a file.
CREDENTIALS_PRIVATE_KEY = env("CREDENTIALS_PRIVATE_KEY", default="")
CREDENTIALS_PRIVATE_KEY_FILE = env(
    "CREDENTIALS_PRIVATE_KEY_FILE", default=str(VAR_DIR / "keys" / "credentials-ed25519.pem")
)
CREDENTIALS_EXTRA_PUBLIC_KEYS = env.list("CREDENTIALS_EXTRA_PUBLIC_KEYS", default=[])
CREDENTIALS_DOMAIN = env("CREDENTIALS_DOMAIN", default="")
CREDENTIALS_LIFETIME_SECONDS = env.int("CREDENTIALS_LIFETIME_SECONDS", default=12 * 3600)
CREDENTIALS_COOKIE_SECURE = env.bool("CREDENTIALS_COOKIE_SECURE", default=False)
CREDENTIALS_ALLOWED_CALLBACK_HOSTS = env.list("CREDENTIALS_ALLOWED_CALLBACK_HOSTS", default=[])
LOGIN_MAX_FAILURES_PER_USER = env.int("LOGIN_MAX_FAILURES_PER_USER", default=5)
LOGIN_MAX_FAILURES_PER_ADDRESS = env.int("LOGIN_MAX_FAILURES_PER_ADDRESS", default=20)
LOGIN_FAILURE_WINDOW_SECONDS = env.int("LOGIN_FAILURE_WINDOW_SECONDS", default=15 * 60)

WORKSPACE_DEFAULT_QUOTA_BYTES = env.int("WORKSPACE_DEFAULT_QUOTA_BYTES", default=10 * 1024**3)

# Platform storage (§9.1, §22): TEP-holdings, workspaces and job outputs, under STORAGE_ROOT
# ("filesystem") or in one S3 bucket ("s3", through django-storages and boto3).
STORAGE_BACKEND = env("STORAGE_BACKEND", default="filesystem")
STORAGE_S3_BUCKET = env("STORAGE_S3_BUCKET", default="tep")
STORAGE_S3_ENDPOINT_URL = env("STORAGE_S3_ENDPOINT_URL", default="")
STORAGE_S3_REGION = env("STORAGE_S3_REGION", default="us-east-1")
STORAGE_S3_ACCESS_KEY_ID = env("STORAGE_S3_ACCESS_KEY_ID", default="")
STORAGE_S3_SECRET_ACCESS_KEY = env("STORAGE_S3_SECRET_ACCESS_KEY", default="")
# "path" for MinIO and other S3-compatible stores; "auto" or "virtual" for AWS.
STORAGE_S3_ADDRESSING_STYLE = env("STORAGE_S3_ADDRESSING_STYLE", default="auto")

# --- E-mail and SMS -------------------------------------------------------------------------

EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="TEP Marketplace <noreply@localhost>")

# --- API ------------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.accounts.authentication.ApiTokenAuthentication",
        "apps.accounts.authentication.ThrottledBasicAuthentication",
        "apps.accounts.authentication.CredentialsCookieAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["apps.accounts.permissions.IsApprovedUser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "apps.ogc.exceptions.ogc_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "apps.ogc.negotiation.LenientContentNegotiation",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "TEP Marketplace API",
    "DESCRIPTION": (
        "Earth-observation applications and data: OGC API - Processes, OGC API - Records, "
        "workspaces, credentials and administration."
    ),
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
}

# --- Background work ------------------------------------------------------------------------

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
# Task outcomes live in the database (jobs, deliveries); nothing reads Celery results.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
CELERY_TASK_TIME_LIMIT = 6 * 3600
CELERY_TASK_SOFT_TIME_LIMIT = 6 * 3600 - 60
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE = {
    "recover-lost-jobs": {"task": "jobs.recover_lost", "schedule": 15.0},
    "reconcile-workspace-usage": {"task": "workspaces.reconcile_usage", "schedule": 3600.0},
}

# --- Localisation ---------------------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# Debian 12 ships GDAL 3.6; the warning asks for 3.9+, which only adds protection for
# untrusted spatial-reference strings (we never pass user input to GDAL's SRS parser).
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# --- Jobs -----------------------------------------------------------------------------------

JOBS_QUEUE = env("JOBS_QUEUE", default="jobs")
JOB_DEFAULT_TIMEOUT_SECONDS = env.int("JOB_DEFAULT_TIMEOUT_SECONDS", default=3600)
JOB_HEARTBEAT_SECONDS = env.float("JOB_HEARTBEAT_SECONDS", default=5.0)
JOB_LOST_AFTER_SECONDS = env.int("JOB_LOST_AFTER_SECONDS", default=60)
JOB_MAX_RESTARTS = env.int("JOB_MAX_RESTARTS", default=1)
SYNC_EXECUTE_WAIT_SECONDS = env.int("SYNC_EXECUTE_WAIT_SECONDS", default=60)
# Jobs of quick built-ins (Add, Mul, echo) run in the request that accepted them.
INLINE_JOBS = env.bool("INLINE_JOBS", default=True)

# Inputs by reference: hosts reachable even on private networks, and the size limit.
INPUT_ALLOWED_HOSTS = env.list("INPUT_ALLOWED_HOSTS", default=[])
HARVEST_TIMEOUT_SECONDS = env.float("HARVEST_TIMEOUT_SECONDS", default=20.0)
INPUT_MAX_BYTES = env.int("INPUT_MAX_BYTES", default=2 * 1024**3)

# --- Application packages and execution units ----------------------------------------------

# What a package may ask for (§17.2.1 config); the review checks against these.
PROCESS_MAX_CPU = env.float("PROCESS_MAX_CPU", default=8)
PROCESS_MAX_MEMORY_GB = env.float("PROCESS_MAX_MEMORY_GB", default=32)
PROCESS_MAX_STORAGE_GB = env.float("PROCESS_MAX_STORAGE_GB", default=100)
PROCESS_MAX_TIMEOUT_SECONDS = env.int("PROCESS_MAX_TIMEOUT_SECONDS", default=24 * 3600)
# Modules whose callables `python` execution units may name (module or module prefix).
PROCESS_PYTHON_MODULES = env.list("PROCESS_PYTHON_MODULES", default=["apps.processes.examples"])
# Where `docker` execution units run: "kubernetes" or "engine" (a local docker/podman CLI).
CONTAINER_RUNNER = env("CONTAINER_RUNNER", default="kubernetes")
CONTAINER_ENGINE = env("CONTAINER_ENGINE", default="docker")
# Kubernetes: the API (empty: in-cluster config, else ~/.kube/config), where Jobs go and how
# inputs and outputs reach the pod: "volume" (a PersistentVolumeClaim holding STORAGE_ROOT)
# or "s3" (the platform's object store, read and written by an init and a sidecar step).
KUBERNETES_API_URL = env("KUBERNETES_API_URL", default="")
KUBERNETES_API_TOKEN = env("KUBERNETES_API_TOKEN", default="")
KUBERNETES_VERIFY_SSL = env.bool("KUBERNETES_VERIFY_SSL", default=True)
KUBERNETES_NAMESPACE = env("KUBERNETES_NAMESPACE", default="tep-jobs")
KUBERNETES_SERVICE_ACCOUNT = env("KUBERNETES_SERVICE_ACCOUNT", default="")
KUBERNETES_IMAGE_PULL_SECRETS = env.list("KUBERNETES_IMAGE_PULL_SECRETS", default=[])
KUBERNETES_STAGING = env("KUBERNETES_STAGING", default="volume")
KUBERNETES_STORAGE_CLAIM = env("KUBERNETES_STORAGE_CLAIM", default="tep-storage")
KUBERNETES_POLL_SECONDS = env.float("KUBERNETES_POLL_SECONDS", default=2.0)
KUBERNETES_KEEP_JOBS = env.bool("KUBERNETES_KEEP_JOBS", default=False)
KUBERNETES_TTL_SECONDS_AFTER_FINISHED = env.int(
    "KUBERNETES_TTL_SECONDS_AFTER_FINISHED", default=600
)
KUBERNETES_STAGING_IMAGE = env("KUBERNETES_STAGING_IMAGE", default="amazon/aws-cli:2.17.0")
KUBERNETES_STORAGE_SECRET = env("KUBERNETES_STORAGE_SECRET", default="tep-storage-credentials")
CONTAINER_ENGINE_POLL_SECONDS = env.float("CONTAINER_ENGINE_POLL_SECONDS", default=1.0)
# Nested processes on trusted federated TEPs, and the parallel execution analyzer (§19.9).
REMOTE_PROCESS_TIMEOUT_SECONDS = env.int("REMOTE_PROCESS_TIMEOUT_SECONDS", default=300)
PARALLEL_MAX_BATCHES = env.int("PARALLEL_MAX_BATCHES", default=8)

# --- Notifications --------------------------------------------------------------------------

PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="http://127.0.0.1:8000")
WEBHOOK_SECRET = env("WEBHOOK_SECRET", default=SECRET_KEY)
WEBHOOK_ALLOWED_HOSTS = env.list("WEBHOOK_ALLOWED_HOSTS", default=[])
SMS_BACKEND = env("SMS_BACKEND", default="apps.notifications.sms.ConsoleSmsBackend")
SMS_HTTP_URL = env("SMS_HTTP_URL", default="")
SMS_HTTP_TOKEN = env("SMS_HTTP_TOKEN", default="")
SMS_SENDER = env("SMS_SENDER", default="TEP")
NOTIFICATIONS_QUEUE = env("NOTIFICATIONS_QUEUE", default="notifications")
NOTIFICATION_MAX_RETRIES = env.int("NOTIFICATION_MAX_RETRIES", default=5)
NOTIFICATION_RETRY_SECONDS = env.float("NOTIFICATION_RETRY_SECONDS", default=5.0)

# How many reverse proxies (each appending to X-Forwarded-For) stand before the platform;
# 0 means clients connect directly and REMOTE_ADDR is theirs.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
