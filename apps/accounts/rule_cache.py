"""The active access rules, kept in each process and read again only when they change.

Every request that touches a process or a dataset checks the rules (§8.4); reading them
from the database each time was a query per request for a table that changes a few times a
month. Each process keeps the active rules in memory with the version they were read at. The
version is a token in the shared cache (Redis) that every change replaces, right away and
again once the change is committed (another process reading in between may have read the
old rules with the new token). A request then costs one cache read: a process whose token
is not the current one reads the rules again. When the token is missing (the cache was
flushed) a new one is made, so every process reads the rules again.

Rules change through the model (admin pages, services), so signals see those changes; a
migration writes through a historical model, which sends none, so every `migrate` (data
migrations add default rules) replaces the token too.
Expiry is checked at each use: a rule read before it expired is still dropped on time.
"""

import uuid
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from apps.accounts.models import AccessRule

VERSION_KEY = "access-rules-version"

# (version, rules): replaced whole, never changed in place, so threads need no lock.
_cached: tuple[str, list[AccessRule]] | None = None


def _current_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY)
    return str(version)


def active_access_rules() -> list[AccessRule]:
    """Every active rule (expired ones included: callers check the time), without areas.

    The list and its rules are shared by the process's threads: read them, never change them.
    """
    global _cached
    version = _current_version()
    cached = _cached
    if cached is not None and cached[0] == version:
        return cached[1]
    rules = list(AccessRule.objects.filter(is_active=True).defer("allowed_area"))
    _cached = (version, rules)
    return rules


def access_rules_changed() -> None:
    """Make every process read the rules again, now and once the change is committed."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    transaction.on_commit(lambda: cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None))


def access_rules_migrated(**kwargs: Any) -> None:
    """After `migrate` (connected for this app in its config)."""
    access_rules_changed()


@receiver(post_save, sender=AccessRule, dispatch_uid="access_rules_saved")
@receiver(post_delete, sender=AccessRule, dispatch_uid="access_rules_deleted")
def _rule_changed(sender: type[AccessRule], **kwargs: Any) -> None:
    access_rules_changed()
