import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from apps.accounts.models import User
from apps.accounts.services import user_roles
from apps.processes.models import Process, ProcessState

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_uses_demo_password(monkeypatch) -> None:
    monkeypatch.setenv("DEMO_PASSWORD", "another-demo-password")

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115

    users = {user.username: user for user in User.objects.all()}
    assert sorted(users) == ["admin", "alice", "bob", "dana"]
    assert user_roles(users["admin"]) == ["User", "Administrator"]
    assert user_roles(users["dana"]) == ["User", "Developer"]
    assert user_roles(users["alice"]) == ["User"]
    assert all(user.is_approved and hasattr(user, "workspace") for user in users.values())
    assert authenticate(username="bob", password="another-demo-password") is not None


def test_seed_demo_deploys_the_demo_applications_once() -> None:
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115

    deployed = dict(
        Process.objects.filter(owner__username="dana").values_list("identifier", "state")
    )
    assert deployed == {
        "MulAdd": ProcessState.PUBLISHED,
        "muladd-cwl": ProcessState.PUBLISHED,
        "scale-values": ProcessState.PUBLISHED,
        "NdviCalculation": ProcessState.SUBMITTED,
    }
    assert Process.objects.get(identifier="MulAdd").revisions.count() == 1
