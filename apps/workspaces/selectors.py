"""Reading workspaces: one's own files, the virtual `shared/` folder, and share grants.

A user sees their own workspace, plus a read-only folder `shared/` that exists in no
storage: `shared/{owner}/` for every owner sharing something with them, and below it the
shared items at the same paths as in the owner's workspace (an item `data/x.tif` of
`alice` is `shared/alice/data/x.tif`; folders on the way to it are shown, holding only
what is shared). Access is checked against the grants on every request, so a revoked
grant is effective at once.
"""

from dataclasses import dataclass, replace
from datetime import datetime

from django.db.models import Q, QuerySet

from apps.accounts.models import User
from apps.ogc.errors import NotFoundError
from apps.workspaces.errors import storage_errors
from apps.workspaces.models import ShareGrant, Workspace
from apps.workspaces.paths import (
    SHARED_FOLDER,
    InvalidPathError,
    path_clean,
    path_is_within,
    path_join,
    workspace_key,
)
from apps.workspaces.storage import Entry, KeyNotFoundError, platform_storage


@dataclass(frozen=True)
class Item:
    """A file or folder as the caller names and sees it."""

    name: str
    path: str  # the caller's path: "data/x.tif", or "shared/alice/data/x.tif"
    is_folder: bool
    size: int = 0
    modified: datetime | None = None
    key: str | None = None  # its storage key; None for the virtual folders of shared/
    read_only: bool = False
    shared_with: tuple[str, ...] | None = None  # own items: usernames, "*" for everybody


def workspace_get(*, user: User) -> Workspace | None:
    return Workspace.objects.filter(owner=user).select_related("owner").first()


def share_list(*, owner: User, path: str | None = None) -> QuerySet[ShareGrant]:
    """The owner's grants, optionally those on one path."""
    grants = ShareGrant.objects.filter(owner=owner).select_related("owner", "grantee")
    return grants.filter(path=path) if path is not None else grants


def _visible_grants(user: User) -> QuerySet[ShareGrant]:
    return (
        ShareGrant.objects.filter(Q(grantee=user) | Q(is_everyone=True))
        .exclude(owner=user)
        .filter(owner__is_active=True)
    )


def share_owners_for(*, user: User) -> list[str]:
    """The usernames of everybody who shares something with `user`, sorted."""
    grants = _visible_grants(user).order_by("owner__username")
    return list(grants.values_list("owner__username", flat=True).distinct())


def _granted_paths(user: User, owner: str) -> list[str]:
    paths = _visible_grants(user).filter(owner__username=owner).values_list("path", flat=True)
    return sorted(set(paths))


def item_of(entry: Entry, path: str, *, read_only: bool = False) -> Item:
    return Item(
        name=entry.name,
        path=path,
        is_folder=entry.is_folder,
        size=entry.size,
        modified=entry.modified,
        key=entry.key,
        read_only=read_only,
    )


def _virtual_folder(path: str) -> Item:
    return Item(name=path.rpartition("/")[2], path=path, is_folder=True, read_only=True)


def _shared_item(user: User, names: list[str]) -> Item | None:
    """What `shared/{names…}` is for `user`, or None when nothing is shared there."""
    if not names:
        return _virtual_folder(SHARED_FOLDER)
    owner, relative = names[0], "/".join(names[1:])
    granted = _granted_paths(user, owner)
    path = path_join(f"{SHARED_FOLDER}/{owner}", relative)
    if relative and any(path_is_within(relative, grant) for grant in granted):
        entry = platform_storage().stat(workspace_key(owner, relative))
        return item_of(entry, path, read_only=True) if entry else None
    if any(path_is_within(grant, relative) for grant in granted):
        return _virtual_folder(path)
    return None


def item_get(*, user: User, path: str) -> Item | None:
    """The file or folder at a clean path, as `user` may see it; None if there is none.

    InvalidPathError when the path leads through a symbolic link.
    """
    names = path.split("/") if path else []
    if not names:
        return Item(name="", path="", is_folder=True, key=workspace_key(user.username, ""))
    with storage_errors(path):
        if names[0] == SHARED_FOLDER:
            return _shared_item(user, names[1:])
        entry = platform_storage().stat(workspace_key(user.username, path))
    return item_of(entry, path) if entry else None


def _shared_with(owner: User, items: list[Item]) -> list[Item]:
    grants = ShareGrant.objects.filter(owner=owner, path__in=[item.path for item in items])
    names: dict[str, list[str]] = {}
    for grant in grants.select_related("grantee"):
        names.setdefault(grant.path, []).append(grant.grantee_name)
    return [replace(item, shared_with=tuple(sorted(names.get(item.path, ())))) for item in items]


def _own_children(user: User, path: str) -> list[Item]:
    try:
        entries = platform_storage().list(workspace_key(user.username, path, folder=True))
    except KeyNotFoundError:
        if path:
            raise
        entries = []  # a workspace with nothing stored yet
    items = [
        item_of(entry, path_join(path, entry.name))
        for entry in entries
        # At the root, the virtual shared/ folder hides anything stored under that name.
        if path or entry.name != SHARED_FOLDER
    ]
    items = _shared_with(user, items)
    return [*items, _virtual_folder(SHARED_FOLDER)] if path == "" else items


def _next_names(granted: list[str], relative: str) -> list[str]:
    """The names directly in the folder `relative` on the way to the granted paths."""
    below = [grant for grant in granted if relative == "" or grant.startswith(f"{relative}/")]
    start = len(relative) + 1 if relative else 0
    return sorted({grant[start:].split("/")[0] for grant in below})


def _shared_children(user: User, names: list[str]) -> list[Item]:
    if not names:
        owners = share_owners_for(user=user)
        return [_virtual_folder(f"{SHARED_FOLDER}/{owner}") for owner in owners]
    owner, relative = names[0], "/".join(names[1:])
    granted = _granted_paths(user, owner)
    folder = path_join(f"{SHARED_FOLDER}/{owner}", relative)
    storage = platform_storage()
    if relative and any(path_is_within(relative, grant) for grant in granted):
        entries = storage.list(workspace_key(owner, relative, folder=True))
        return [item_of(entry, path_join(folder, entry.name), read_only=True) for entry in entries]
    children = []
    for name in _next_names(granted, relative):
        child = path_join(relative, name)
        if child not in granted:
            children.append(_virtual_folder(path_join(folder, name)))
        elif entry := storage.stat(workspace_key(owner, child)):
            children.append(item_of(entry, path_join(folder, name), read_only=True))
    return children


def folder_items(*, user: User, path: str) -> list[Item]:
    """The children of the folder at a clean path, as `user` may see them (unsorted).

    NotFoundError when there is no such folder for `user`.
    """
    names = path.split("/") if path else []
    with storage_errors(path):
        if names and names[0] == SHARED_FOLDER:
            if _shared_item(user, names[1:]) is None:
                raise NotFoundError(f"There is no folder {path!r}.")
            return _shared_children(user, names[1:])
        return _own_children(user, path)


def workspace_readable_key(user: User, path: str) -> str | None:
    """The storage key of `path` if and only if `user` may read what is there, else None.

    `path` is a workspace path: the user's own (`data/x.tif`) or one shared with them
    (`shared/{owner}/x.tif`). None for a bad path, a missing file or folder, or one not
    shared with the user (folder keys end with "/"). For staging job inputs.
    """
    try:
        item = item_get(user=user, path=path_clean(path))
    except InvalidPathError:
        return None
    return item.key if item is not None else None
