"""Sharing files and folders read-only with a user or with everybody (§9.7)."""

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from apps.accounts.models import User
from apps.catalogue.registration import workspace_file_records_share
from apps.ogc.errors import ApplicationError, NotFoundError, PermissionDeniedError
from apps.workspaces.errors import storage_errors
from apps.workspaces.models import ShareGrant
from apps.workspaces.paths import SHARED_FOLDER, InvalidPathError, path_clean, workspace_key
from apps.workspaces.storage import platform_storage

EVERYONE = "*"


def _grantee_user(owner: User, grantee: str) -> User | None:
    """The user named `grantee`, or None for everybody ("*")."""
    if grantee == EVERYONE:
        return None
    user = User.objects.filter(username=grantee, is_active=True).first()
    if user is None:
        raise ApplicationError(f"There is no user {grantee!r} to share with.")
    if user.pk == owner.pk:
        raise ApplicationError("Your files are yours already; choose someone else.")
    return user


@transaction.atomic
def share_grant_create(*, owner: User, path: str, grantee: str) -> tuple[ShareGrant, bool]:
    """Let `grantee` (a username, or "*" for everybody) read the file or folder at `path`.

    Returns the grant and whether it is new; granting twice is not an error. Raises
    InvalidPathError for the root or a bad path, PermissionDeniedError for files shared
    with the owner (not theirs to share), NotFoundError when nothing is at `path`.
    """
    clean = path_clean(path)
    if clean == "":
        raise InvalidPathError("Share a file or folder, not the whole workspace.")
    if clean.split("/")[0] == SHARED_FOLDER:
        raise PermissionDeniedError("Only your own files can be shared.")
    with storage_errors(clean):
        if platform_storage().stat(workspace_key(owner.username, clean)) is None:
            raise NotFoundError(f"There is nothing at {clean!r} to share.")
    user = _grantee_user(owner, grantee)
    fields: dict[str, Any] = {
        "owner": owner,
        "path": clean,
        "grantee": user,
        "is_everyone": user is None,
    }
    try:
        with transaction.atomic():
            grant, created = ShareGrant.objects.get_or_create(**fields)
    except IntegrityError:
        grant, created = ShareGrant.objects.get(**fields), False
    workspace_file_records_share(owner=owner, path=clean)
    return grant, created


def share_grant_revoke(*, grant: ShareGrant) -> None:
    """Take the access back; the next request of the grantee is already refused."""
    grant.delete()
    workspace_file_records_share(owner=grant.owner, path=grant.path)


def _at_or_below(owner: User, path: str) -> QuerySet[ShareGrant]:
    return ShareGrant.objects.filter(owner=owner).filter(
        Q(path=path) | Q(path__startswith=f"{path}/")
    )


@transaction.atomic
def share_grants_move(*, owner: User, source: str, target: str) -> None:
    """Grants follow what they cover when the owner moves or renames it."""
    for grant in _at_or_below(owner, source).select_for_update():
        grant.path = target + grant.path.removeprefix(source)
        try:
            with transaction.atomic():
                grant.save(update_fields=["path"])
        except IntegrityError:
            grant.delete()  # the same access is already granted at the new path


def share_grants_remove(*, owner: User, path: str) -> int:
    """Drop the grants on a deleted file or folder and on everything that was in it."""
    deleted, _ = _at_or_below(owner, path).delete()
    return deleted
