"""Creating and removing a user's workspace."""

from django.conf import settings
from django.db import transaction

from apps.accounts.models import User
from apps.workspaces.models import Workspace
from apps.workspaces.paths import JOBS_FOLDER, InvalidPathError, user_prefix, workspace_key
from apps.workspaces.storage import platform_storage


def workspace_create(*, owner: User, quota_bytes: int | None = None) -> Workspace:
    """Create the user's workspace record and its `jobs/` folder; idempotent.

    InvalidPathError for an account name that cannot be a storage folder ("." or "..").
    """
    jobs_folder = workspace_key(owner.username, JOBS_FOLDER, folder=True)
    workspace, _created = Workspace.objects.get_or_create(
        owner=owner,
        defaults={"quota_bytes": quota_bytes or settings.WORKSPACE_DEFAULT_QUOTA_BYTES},
    )
    platform_storage().make_folder(jobs_folder)
    return workspace


def workspace_remove_files(*, username: str) -> None:
    """Remove every file the platform keeps for a user, once the deletion has committed."""
    try:
        prefix = user_prefix(username)
    except InvalidPathError:
        return  # such an account never had files
    transaction.on_commit(lambda: platform_storage().delete(prefix))
