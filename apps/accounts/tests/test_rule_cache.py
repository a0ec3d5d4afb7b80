"""The access rules are read once per change, in every process, and never served stale."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management.sql import emit_post_migrate_signal
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from apps.accounts import access
from apps.accounts.access import Identity, access_check
from apps.accounts.models import AccessRule, AppliesTo, User
from apps.accounts.rule_cache import VERSION_KEY

pytestmark = pytest.mark.django_db


def _may_execute(user: User) -> bool:
    identity = Identity(user=user, address="192.0.2.7")
    return access_check(
        identity=identity, operation="execute", resource_type="process", resource_id="ndvi"
    ).allowed


def _rule(user: User, **fields: object) -> AccessRule:
    rule = _rule_unsaved(user, **fields)
    rule.save()
    return rule


def _rule_unsaved(user: User, **fields: object) -> AccessRule:
    defaults: dict[str, object] = {
        "name": "alice runs ndvi",
        "applies_to": AppliesTo.USER,
        "user": user,
        "operations": ["execute"],
        "resource_types": ["process"],
        "resource_pattern": "ndvi",
    }
    return AccessRule(**{**defaults, **fields})


@pytest.fixture(autouse=True)
def _no_other_rules() -> None:
    AccessRule.objects.all().delete()


def test_rules_are_read_once_until_they_change(
    alice: User, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    _rule(alice)
    assert _may_execute(alice)

    with django_assert_num_queries(0):
        assert _may_execute(alice)

    _rule(alice, name="alice runs sen2cor", resource_pattern="sen2cor")
    with django_assert_num_queries(1):
        assert _may_execute(alice)


def test_rules_written_by_a_migration_apply_after_migrate(alice: User) -> None:
    # given the rules read, then a rule written as a data migration writes it (no signal)
    assert not _may_execute(alice)
    AccessRule.objects.bulk_create([_rule_unsaved(alice)])
    assert not _may_execute(alice)

    # when migrate ends
    emit_post_migrate_signal(verbosity=0, interactive=False, db=DEFAULT_DB_ALIAS)

    # then the rule applies
    assert _may_execute(alice)


def test_a_change_applies_at_the_next_check(alice: User) -> None:
    rule = _rule(alice)
    assert _may_execute(alice)

    rule.is_active = False
    rule.save()
    assert not _may_execute(alice)

    rule.delete()
    _rule(alice, resource_pattern="sen2cor")
    assert not _may_execute(alice)


def test_a_change_made_by_another_process_applies_here(
    alice: User, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    # given this process holds the rules
    rule = _rule(alice)
    assert _may_execute(alice)

    # when another process deactivates the rule (the row changes, and the version with it,
    # but no signal fires here)
    AccessRule.objects.filter(pk=rule.pk).update(is_active=False)
    assert _may_execute(alice)  # this process cannot know yet
    cache.set(VERSION_KEY, "changed elsewhere", timeout=None)

    # then the next check reads the rules again
    with django_assert_num_queries(1):
        assert not _may_execute(alice)


def test_a_flushed_cache_makes_every_process_read_again(alice: User) -> None:
    rule = _rule(alice)
    assert _may_execute(alice)
    AccessRule.objects.filter(pk=rule.pk).update(is_active=False)

    cache.clear()

    assert not _may_execute(alice)


def test_a_rule_read_before_it_expired_stops_granting_on_time(
    alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    expires_at = timezone.now() + timedelta(hours=1)
    _rule(alice, expires_at=expires_at)
    assert _may_execute(alice)

    later = expires_at + timedelta(seconds=1)
    monkeypatch.setattr(access.timezone, "now", lambda: later)

    assert not _may_execute(alice)
