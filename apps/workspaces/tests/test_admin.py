"""Administrators set quotas in the Django admin; grants can be revoked there."""

import pytest
from django.conf import settings
from django.test import Client

from apps.accounts.models import User
from apps.notifications.models import Event, EventType
from apps.workspaces.models import Workspace

pytestmark = pytest.mark.django_db


def test_administrator_changes_a_quota(administrator: User, alice: User) -> None:
    workspace = Workspace.objects.get(owner=alice)
    Workspace.objects.filter(pk=workspace.pk).update(used_bytes=800)
    client = Client()
    client.force_login(administrator)

    assert client.get("/admin/workspaces/workspace/").status_code == 200
    page = client.get(f"/admin/workspaces/workspace/{workspace.pk}/change/")
    assert page.status_code == 200
    response = client.post(
        f"/admin/workspaces/workspace/{workspace.pk}/change/", {"quota_bytes": "1000"}
    )

    assert response.status_code == 302
    workspace.refresh_from_db()
    assert (workspace.quota_bytes, workspace.used_bytes) == (1000, 800)
    assert list(Event.objects.values_list("event_type", flat=True)) == [EventType.QUOTA_WARNING_1]


def test_workspaces_come_with_approval_not_from_the_admin(administrator: User) -> None:
    client = Client()
    client.force_login(administrator)

    assert client.get("/admin/workspaces/workspace/add/").status_code == 403
    assert client.get("/admin/workspaces/sharegrant/").status_code == 200


def test_reconciliation_runs_every_hour() -> None:
    schedule = settings.CELERY_BEAT_SCHEDULE["reconcile-workspace-usage"]
    assert schedule == {"task": "workspaces.reconcile_usage", "schedule": 3600.0}
