import shutil
from pathlib import Path

from django.conf import settings
from django.db import transaction

from apps.accounts.models import User
from apps.workspaces.models import Workspace


def _user_root(username: str) -> Path:
    return Path(settings.STORAGE_ROOT) / "users" / username


def workspace_create(*, owner: User, quota_bytes: int | None = None) -> Workspace:
    """Create the user's workspace record and its folders; idempotent."""
    workspace, _created = Workspace.objects.get_or_create(
        owner=owner,
        defaults={"quota_bytes": quota_bytes or settings.WORKSPACE_DEFAULT_QUOTA_BYTES},
    )
    (_user_root(owner.username) / "workspace" / "jobs").mkdir(parents=True, exist_ok=True)
    return workspace


def workspace_remove_files(*, username: str) -> None:
    """Remove every file the platform keeps for a user, once the deletion has committed."""
    root = _user_root(username)
    transaction.on_commit(lambda: shutil.rmtree(root, ignore_errors=True))
