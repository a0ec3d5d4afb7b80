import pytest
from django.contrib.auth.models import AnonymousUser

from apps.accounts.access import Identity, access_check
from apps.accounts.models import AccessRule, User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("default_access_rules")]


def _allowed(identity: Identity, operation: str, resource_type: str) -> bool:
    return access_check(
        identity=identity, operation=operation, resource_type=resource_type, resource_id="ndvi"
    ).allowed


def test_defaults_let_users_run_and_everybody_read(alice: User, dana: User) -> None:
    anonymous = Identity(user=AnonymousUser(), address="198.51.100.4")
    assert AccessRule.objects.count() == 3
    assert _allowed(anonymous, "read", "record")
    assert _allowed(anonymous, "read", "process")
    assert not _allowed(anonymous, "execute", "process")
    assert _allowed(Identity(user=alice), "execute", "process")
    assert not _allowed(Identity(user=alice), "deploy", "process")
    assert _allowed(Identity(user=dana), "deploy", "process")
