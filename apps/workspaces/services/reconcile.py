"""Checking used bytes against what storage really holds (the hourly beat task)."""

from datetime import timedelta

from apps.workspaces.models import Workspace
from apps.workspaces.paths import uploads_prefix, workspace_prefix
from apps.workspaces.services.quota import workspace_usage_add
from apps.workspaces.services.uploads import workspace_uploads_expire
from apps.workspaces.storage import platform_storage

# An upload that received nothing for this long is given up and its parts removed.
UPLOAD_EXPIRY = timedelta(days=1)


def workspace_usage_reconcile(*, workspace: Workspace) -> int:
    """Recount the workspace's files and unfinished uploads; returns the correction made.

    The correction is applied relative to the count read before the walk, so uploads that
    finish meanwhile keep their own changes.
    """
    workspace.refresh_from_db(fields=["used_bytes"])
    counted = workspace.used_bytes
    storage = platform_storage()
    username = workspace.owner.username
    actual = sum(
        entry.size
        for prefix in (workspace_prefix(username), uploads_prefix(username))
        for entry in storage.walk(prefix)
    )
    correction = actual - counted
    if correction:
        workspace_usage_add(workspace, correction)
    return correction


def workspaces_usage_reconcile() -> dict[str, int]:
    """Give up stale uploads, then recount every workspace."""
    expired = workspace_uploads_expire(older_than=UPLOAD_EXPIRY)
    corrected = 0
    for workspace in Workspace.objects.select_related("owner").order_by("pk").iterator():
        if workspace_usage_reconcile(workspace=workspace):
            corrected += 1
    return {"expiredUploads": expired, "corrected": corrected}
