"""The workspace API (§9.1, §9.7): quota, files and folders, and sharing.

Paths in URLs are workspace paths (apps/workspaces/paths.py), percent-encoded; what
others share with the caller is under the read-only `shared/{owner}/`.
"""

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from django.http.response import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import authenticated_user
from apps.ogc.errors import ApplicationError, NotFoundError
from apps.ogc.links import absolute_url
from apps.ogc.paging import paginate
from apps.workspaces import selectors, services
from apps.workspaces.api.documents import (
    files_path,
    item_document,
    listing_document,
    share_document,
    workspace_document,
)
from apps.workspaces.api.downloads import file_response
from apps.workspaces.api.serializers import (
    EntryOutputSerializer,
    FileActionInputSerializer,
    ListingOutputSerializer,
    ShareCreateInputSerializer,
    ShareListOutputSerializer,
    ShareOutputSerializer,
    UploadProgressOutputSerializer,
    WorkspaceOutputSerializer,
)
from apps.workspaces.models import ShareGrant, Workspace
from apps.workspaces.paths import InvalidPathError, path_clean, path_clean_own
from apps.workspaces.selectors import Item
from apps.workspaces.storage import CHUNK_SIZE, Entry

TAGS = ["workspace"]
CONTENT_RANGE = re.compile(r"^bytes (?:(\d+)-(\d+)|\*)/(\d+)$")
EPOCH = datetime.min.replace(tzinfo=UTC)
SORT_KEYS: dict[str, Callable[[Item], Any]] = {
    "name": lambda item: (item.name.casefold(), item.name),
    "size": lambda item: (item.size, item.name.casefold()),
    "modified": lambda item: (item.modified or EPOCH, item.name.casefold()),
}


def _workspace(request: Request) -> Workspace:
    user = authenticated_user(request)
    return selectors.workspace_get(user=user) or services.workspace_create(owner=user)


def _sorted(request: Request, items: list[Item]) -> list[Item]:
    """Folders first, then files, each sorted by `sort` in `order`."""
    sort = request.query_params.get("sort", "name")
    order = request.query_params.get("order", "asc")
    if sort not in SORT_KEYS:
        raise ApplicationError(f"sort must be one of {', '.join(SORT_KEYS)}, not {sort!r}.")
    if order not in ("asc", "desc"):
        raise ApplicationError(f"order must be asc or desc, not {order!r}.")
    key, reverse = SORT_KEYS[sort], order == "desc"
    folders = sorted((item for item in items if item.is_folder), key=key, reverse=reverse)
    files = sorted((item for item in items if not item.is_folder), key=key, reverse=reverse)
    return folders + files


def _body_length(request: Request) -> int:
    """The body's length: its Content-Length, or none at all without one (RFC 9112 §6.3).

    A body sent in chunked transfer coding has no length to reserve quota by, and the
    WSGI stream cannot read it: 411.
    """
    raw = str(request.META.get("CONTENT_LENGTH") or "")
    if raw == "":
        if request.META.get("HTTP_TRANSFER_ENCODING"):
            raise ApplicationError(
                "Send the file with a Content-Length, or in chunks with Content-Range.",
                status=411,
            )
        return 0
    try:
        length = int(raw)
    except ValueError as error:
        raise ApplicationError(f"Content-Length {raw!r} is not a number.") from error
    if length < 0:
        raise ApplicationError("Content-Length cannot be negative.")
    return length


def _body_chunks(request: Request, size: int) -> Iterator[bytes]:
    """The request body read from its stream piece by piece (never request.body/data)."""
    stream = request.stream
    remaining = size
    while stream is not None and remaining > 0:
        chunk = stream.read(min(CHUNK_SIZE, remaining))
        if not chunk:
            return
        remaining -= len(chunk)
        yield chunk


def _content_range(header: str) -> tuple[int | None, int, int]:
    """(start, end, total) of "bytes start-end/total"; start None for "bytes */total"."""
    match = CONTENT_RANGE.match(header.strip())
    if match is None:
        raise ApplicationError(
            "Content-Range must be 'bytes start-end/total' or 'bytes */total'.", title="Bad range"
        )
    total = int(match.group(3))
    if match.group(1) is None:
        return None, -1, total
    start, end = int(match.group(1)), int(match.group(2))
    if start > end or end >= total:
        raise ApplicationError(
            f"Content-Range {header!r} does not fit its total.", title="Bad range"
        )
    return start, end, total


def _stored(request: Request, entry: Entry, path: str, *, created: bool) -> Response:
    document = item_document(request, selectors.item_of(entry, path))
    if not created:
        return Response(document)
    location = absolute_url(request, files_path(path))
    return Response(document, status=status.HTTP_201_CREATED, headers={"Location": location})


def _progress(path: str, offset: int, total: int) -> Response:
    headers = {"Range": f"bytes=0-{offset - 1}"} if offset else {}
    document = {"path": path, "offset": offset, "total": total}
    return Response(document, status=status.HTTP_202_ACCEPTED, headers=headers)


class WorkspaceApi(APIView):
    @extend_schema(responses=WorkspaceOutputSerializer, operation_id="workspace_get", tags=TAGS)
    def get(self, request: Request) -> Response:
        return Response(workspace_document(request, _workspace(request)))


FILE_RESPONSES = {
    200: OpenApiResponse(ListingOutputSerializer, description="A folder's listing, or a file."),
    206: OpenApiResponse(OpenApiTypes.BINARY, description="The byte range asked for."),
    304: OpenApiResponse(description="Not modified since the ETag or date given."),
    404: OpenApiResponse(description="Nothing there, or nothing shared with you there."),
    416: OpenApiResponse(description="The range lies past the end of the file."),
}
LISTING_PARAMETERS = [
    OpenApiParameter("sort", str, enum=list(SORT_KEYS), description="Folders always come first."),
    OpenApiParameter("order", str, enum=["asc", "desc"]),
    OpenApiParameter("limit", int),
    OpenApiParameter("offset", int),
    OpenApiParameter("download", bool, description="Files: as an attachment."),
]


class WorkspaceFilesApi(APIView):
    """A file or folder of the caller's workspace, or shared with the caller.

    Uploading: `PUT` the whole file as the body (with its Content-Length; it is streamed
    to storage, and refused with 413 before anything is stored if it cannot fit the
    quota). Large files go in chunks that can be resumed, each a `PUT` to the same path
    with `Content-Range: bytes {start}-{end}/{total}` and those bytes as the body:

    1. The chunk at byte 0 begins the upload (again, if one was in progress); the whole
       `total` must fit the quota (413 otherwise, with nothing stored).
    2. Every chunk but the last is answered `202` with `{"path", "offset", "total"}`
       and `Range: bytes=0-{offset-1}`; the next chunk starts at `offset`.
    3. The last chunk (`end` = `total` - 1) stores the file and is answered like a
       whole-file PUT: `201` (new) or `200` (replaced) with the entry.
    4. A chunk that does not start at the offset is refused with `409`, its problem
       document naming the `offset` to go on from. `Content-Range: bytes */{total}`
       with an empty body asks for the offset (202) after a lost connection.

    Chunks are counted against the quota as they arrive; one that would exceed it ends the
    upload and removes what it had received (413). An upload left alone for a day is given
    up. Until the last chunk the file does not appear in the workspace.
    """

    parser_classes = [JSONParser]

    def _listing(self, request: Request, folder: Item) -> Response:
        items = selectors.folder_items(user=authenticated_user(request), path=folder.path)
        page = paginate(request, _sorted(request, items), default_limit=100, max_limit=1000)
        document = listing_document(
            request,
            folder,
            page.items,
            number_matched=page.number_matched,
            paging_links=page.links,
        )
        return Response(document)

    @extend_schema(
        parameters=LISTING_PARAMETERS,
        responses=FILE_RESPONSES,
        operation_id="workspace_files_get",
        tags=TAGS,
    )
    def get(self, request: Request, path: str = "") -> HttpResponseBase:
        clean = path_clean(path)
        item = selectors.item_get(user=authenticated_user(request), path=clean)
        if item is None:
            raise NotFoundError(f"There is nothing at {clean!r}.")
        if item.is_folder:
            return self._listing(request, item)
        download = request.query_params.get("download", "").lower() in ("1", "true", "yes")
        return file_response(request, item, download=download)

    @extend_schema(
        request={"application/octet-stream": OpenApiTypes.BINARY},
        parameters=[
            OpenApiParameter(
                "Content-Range",
                str,
                OpenApiParameter.HEADER,
                description="bytes {start}-{end}/{total} for one chunk of a large file.",
            )
        ],
        responses={
            200: EntryOutputSerializer,
            201: EntryOutputSerializer,
            202: UploadProgressOutputSerializer,
            409: OpenApiResponse(description="A folder is there, or a chunk out of order."),
            411: OpenApiResponse(description="No Content-Length."),
            413: OpenApiResponse(description="Over the quota; nothing was stored."),
        },
        operation_id="workspace_files_put",
        tags=TAGS,
    )
    def put(self, request: Request, path: str = "") -> Response:
        if path.endswith("/"):
            raise InvalidPathError("A file's path cannot end with '/'.", title="Bad path")
        clean = path_clean_own(path)
        workspace = _workspace(request)
        header = request.headers.get("Content-Range")
        if header:
            return self._chunk(request, workspace, clean, header)
        size = _body_length(request)
        entry, created = services.workspace_file_write(
            workspace=workspace, path=clean, chunks=_body_chunks(request, size), size=size
        )
        return _stored(request, entry, clean, created=created)

    def _chunk(self, request: Request, workspace: Workspace, path: str, header: str) -> Response:
        start, end, total = _content_range(header)
        size = _body_length(request)
        if start is None:
            offset = services.workspace_upload_offset(workspace=workspace, path=path, total=total)
            return _progress(path, offset, total)
        if size != end - start + 1:
            raise ApplicationError(
                f"The body has {size} bytes, Content-Range says {end - start + 1}.",
                title="Bad range",
            )
        received = services.workspace_upload_chunk(
            workspace=workspace,
            path=path,
            start=start,
            total=total,
            chunks=_body_chunks(request, size),
            size=size,
        )
        if received.entry is None:
            return _progress(path, received.offset, received.total)
        return _stored(request, received.entry, path, created=received.created)

    @extend_schema(
        request=FileActionInputSerializer,
        responses={200: EntryOutputSerializer, 201: EntryOutputSerializer},
        operation_id="workspace_files_action",
        description='`{"action": "mkdir"}` makes a folder at the path (201); '
        '`{"action": "move", "to": "new/path"}` moves or renames the file or folder (200).',
        tags=TAGS,
    )
    def post(self, request: Request, path: str = "") -> Response:
        clean = path_clean_own(path)
        serializer = FileActionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        workspace = _workspace(request)
        if serializer.validated_data["action"] == "mkdir":
            entry = services.workspace_folder_create(workspace=workspace, path=clean)
            return _stored(request, entry, clean, created=True)
        target = path_clean_own(serializer.validated_data["to"])
        entry = services.workspace_item_move(workspace=workspace, path=clean, to=target)
        return _stored(request, entry, target, created=False)

    @extend_schema(responses={204: None}, operation_id="workspace_files_delete", tags=TAGS)
    def delete(self, request: Request, path: str = "") -> Response:
        services.workspace_item_delete(workspace=_workspace(request), path=path)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(exclude=True)
class WorkspaceRootApi(WorkspaceFilesApi):
    """The root folder (`/api/workspace/files/`), documented with the other paths."""


def _grant_or_404(request: Request, share_id: int) -> ShareGrant:
    grant = selectors.share_list(owner=authenticated_user(request)).filter(pk=share_id).first()
    if grant is None:
        raise NotFoundError(f"You have no share grant {share_id}.")
    return grant


class ShareListApi(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        parameters=[
            OpenApiParameter("path", str, description="Only the grants on this path."),
            OpenApiParameter("limit", int),
            OpenApiParameter("offset", int),
        ],
        responses=ShareListOutputSerializer,
        operation_id="workspace_shares_list",
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        path = request.query_params.get("path")
        grants = selectors.share_list(
            owner=authenticated_user(request),
            path=path_clean(path) if path is not None else None,
        )
        page = paginate(request, grants, default_limit=100, max_limit=1000)
        return Response(
            {
                "shares": [share_document(request, grant) for grant in page.items],
                "numberMatched": page.number_matched,
                "numberReturned": page.number_returned,
                "links": page.links,
            }
        )

    @extend_schema(
        request=ShareCreateInputSerializer,
        responses={200: ShareOutputSerializer, 201: ShareOutputSerializer},
        operation_id="workspace_shares_create",
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        serializer = ShareCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        grant, created = services.share_grant_create(
            owner=authenticated_user(request), **serializer.validated_data
        )
        document = share_document(request, grant)
        if not created:
            return Response(document)
        location = absolute_url(request, f"/api/workspace/shares/{grant.pk}")
        return Response(document, status=status.HTTP_201_CREATED, headers={"Location": location})


class ShareDetailApi(APIView):
    @extend_schema(responses=ShareOutputSerializer, operation_id="workspace_shares_get", tags=TAGS)
    def get(self, request: Request, share_id: int) -> Response:
        return Response(share_document(request, _grant_or_404(request, share_id)))

    @extend_schema(responses={204: None}, operation_id="workspace_shares_revoke", tags=TAGS)
    def delete(self, request: Request, share_id: int) -> Response:
        services.share_grant_revoke(grant=_grant_or_404(request, share_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
