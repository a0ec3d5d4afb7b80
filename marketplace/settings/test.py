"""Test runs: fast hashing, e-mail kept in memory, isolated cache and channel prefixes."""

from .base import *  # noqa: F403
from .base import CACHES, CHANNEL_LAYERS, STORAGES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES["default"]["KEY_PREFIX"] = "tep-test"
CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = "tep-test"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
WHITENOISE_AUTOREFRESH = True
ACCOUNT_RATE_LIMITS = False
