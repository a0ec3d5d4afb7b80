"""Test runs: fast hashing, e-mail kept in memory, Redis and database apart from `make run`'s.

TEST_REDIS_URL and TEST_DATABASE_NAME let several test runs share one machine.
"""

from .base import *  # noqa: F403
from .base import CACHES, CHANNEL_LAYERS, DATABASES, STORAGES, VAR_DIR, env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(VAR_DIR / "test-mail"))

TEST_REDIS_URL = env("TEST_REDIS_URL", default="redis://127.0.0.1:6379/1")
CACHES["default"]["LOCATION"] = TEST_REDIS_URL
CHANNEL_LAYERS["default"]["CONFIG"]["hosts"] = [TEST_REDIS_URL]
CELERY_BROKER_URL = TEST_REDIS_URL
CELERY_RESULT_BACKEND = TEST_REDIS_URL
DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME", default="test_marketplace")}

STORAGE_ROOT = VAR_DIR / "test-storage"
MEDIA_ROOT = STORAGE_ROOT
CREDENTIALS_PRIVATE_KEY_FILE = str(VAR_DIR / "keys" / "test-credentials-ed25519.pem")
WHITENOISE_USE_FINDERS = True
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
ACCOUNT_RATE_LIMITS = False
