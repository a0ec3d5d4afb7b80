"""Every write to workspaces: files, quotas, chunked uploads and share grants."""

from apps.workspaces.services.files import (
    workspace_file_write,
    workspace_folder_create,
    workspace_item_delete,
    workspace_item_move,
)
from apps.workspaces.services.quota import (
    QuotaExceededError,
    workspace_quota_check,
    workspace_quota_set,
    workspace_usage_add,
    workspace_usage_release,
    workspace_usage_reserve,
)
from apps.workspaces.services.reconcile import (
    workspace_usage_reconcile,
    workspaces_usage_reconcile,
)
from apps.workspaces.services.shares import (
    EVERYONE,
    share_grant_create,
    share_grant_revoke,
    share_grants_move,
    share_grants_remove,
)
from apps.workspaces.services.uploads import (
    ChunkReceived,
    workspace_upload_abort,
    workspace_upload_chunk,
    workspace_upload_offset,
    workspace_uploads_expire,
)
from apps.workspaces.services.workspaces import workspace_create, workspace_remove_files

__all__ = [
    "EVERYONE",
    "ChunkReceived",
    "QuotaExceededError",
    "share_grant_create",
    "share_grant_revoke",
    "share_grants_move",
    "share_grants_remove",
    "workspace_create",
    "workspace_file_write",
    "workspace_folder_create",
    "workspace_item_delete",
    "workspace_item_move",
    "workspace_quota_check",
    "workspace_quota_set",
    "workspace_remove_files",
    "workspace_upload_abort",
    "workspace_upload_chunk",
    "workspace_upload_offset",
    "workspace_uploads_expire",
    "workspace_usage_add",
    "workspace_usage_reconcile",
    "workspace_usage_release",
    "workspace_usage_reserve",
    "workspaces_usage_reconcile",
]
