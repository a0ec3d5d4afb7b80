"""The JSON shapes of the workspace API, built in one place."""

from typing import Any
from urllib.parse import quote

from django.http import HttpRequest

from apps.ogc.links import JSON, absolute_url, link
from apps.workspaces.media import media_type_of
from apps.workspaces.models import ShareGrant, Workspace
from apps.workspaces.paths import SHARED_FOLDER
from apps.workspaces.selectors import Item

WORKSPACE_PATH = "/api/workspace"
FILES_PATH = f"{WORKSPACE_PATH}/files/"
SHARES_PATH = f"{WORKSPACE_PATH}/shares"


def files_path(path: str) -> str:
    """The URL path of a workspace path's file or folder."""
    return FILES_PATH + quote(path, safe="/")


def workspace_document(request: HttpRequest, workspace: Workspace) -> dict[str, Any]:
    return {
        "usedBytes": workspace.used_bytes,
        "quotaBytes": workspace.quota_bytes,
        "usedPercent": workspace.used_percent,
        "links": [
            link(request, WORKSPACE_PATH, rel="self", title="Space used and quota"),
            link(request, FILES_PATH, rel="files", title="The workspace's root folder"),
            link(request, SHARES_PATH, rel="shares", title="What you share with others"),
        ],
    }


def item_document(request: HttpRequest, item: Item) -> dict[str, Any]:
    document: dict[str, Any] = {
        "name": item.name,
        "path": item.path,
        "type": "folder" if item.is_folder else "file",
        "size": item.size,
        "modified": item.modified.isoformat() if item.modified else None,
        "mediaType": None if item.is_folder else media_type_of(item.name),
        "readOnly": item.read_only,
        "href": absolute_url(request, files_path(item.path)),
    }
    if item.shared_with is not None:
        document["sharedWith"] = list(item.shared_with)
    return document


def listing_document(
    request: HttpRequest,
    folder: Item,
    items: list[Item],
    *,
    number_matched: int,
    paging_links: list[dict[str, str]],
) -> dict[str, Any]:
    query = {key: request.GET.getlist(key) for key in request.GET}
    links = [link(request, request.path, rel="self", title="This folder", query=query)]
    if folder.path:
        parent = folder.path.rpartition("/")[0]
        links.append(link(request, files_path(parent), rel="up", title="The folder above"))
    return {
        "name": folder.name,
        "path": folder.path,
        "type": "folder",
        "readOnly": folder.read_only,
        "entries": [item_document(request, item) for item in items],
        "numberMatched": number_matched,
        "numberReturned": len(items),
        "links": links + paging_links,
    }


def share_document(request: HttpRequest, grant: ShareGrant) -> dict[str, Any]:
    shared_path = f"{SHARED_FOLDER}/{grant.owner.username}/{grant.path}"
    return {
        "id": grant.pk,
        "path": grant.path,
        "grantee": grant.grantee_name,
        "permission": grant.permission,
        "created": grant.created_at.isoformat(),
        "links": [
            link(request, f"{SHARES_PATH}/{grant.pk}", rel="self", type=JSON, title="This grant"),
            link(request, files_path(grant.path), rel="item", title="What is shared"),
            link(
                request,
                files_path(shared_path),
                rel="alternate",
                title="Where the grantee finds it",
            ),
        ],
    }
