"""Serving a stored file over HTTP: streamed, with validators, conditional GET and one Range.

Only single byte ranges are served as 206; a Range header this module does not
understand (another unit, several ranges) is ignored and the whole file is sent, as RFC
9110 §14.2 allows. An If-Range that does not match sends the whole file too.
"""

import json
import re
from collections.abc import Iterator

from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.cache import get_conditional_response
from django.utils.http import content_disposition_header, http_date, parse_http_date_safe
from rest_framework.request import Request

from apps.ogc.exceptions import PROBLEM_JSON, problem
from apps.workspaces.media import media_type_of
from apps.workspaces.selectors import Item
from apps.workspaces.storage import platform_storage

SINGLE_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class UnsatisfiableRangeError(Exception):
    pass


def _etag(item: Item) -> str:
    stamp = int(item.modified.timestamp() * 1_000_000) if item.modified else 0
    return f'"{item.size:x}-{stamp:x}"'


def _if_range_matches(request: Request, etag: str, last_modified: int | None) -> bool:
    condition = request.headers.get("If-Range")
    if not condition:
        return True
    if condition.startswith('"'):
        return condition == etag
    return last_modified is not None and parse_http_date_safe(condition) == last_modified


def byte_range(header: str, size: int) -> tuple[int, int] | None:
    """The inclusive range a Range header asks for; None to send the whole file.

    UnsatisfiableRangeError when the range lies wholly past the end of the file.
    """
    match = SINGLE_RANGE.match(header.replace(" ", ""))
    if match is None or match.group(1) == match.group(2) == "":
        return None
    first, last = match.group(1), match.group(2)
    if first == "":
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise UnsatisfiableRangeError
        return max(0, size - suffix), size - 1
    start = int(first)
    end = size - 1 if last == "" else min(int(last), size - 1)
    if last != "" and int(last) < start:
        return None  # syntactically invalid: ignored
    if start >= size:
        raise UnsatisfiableRangeError
    return start, end


def _headers(item: Item, etag: str, *, download: bool) -> dict[str, str]:
    headers = {
        "ETag": etag,
        "Accept-Ranges": "bytes",
        "Content-Disposition": content_disposition_header(download, item.name) or "inline",
        # Files are the users' own: never let one run as a page of this site.
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }
    if item.modified:
        headers["Last-Modified"] = http_date(item.modified.timestamp())
    return headers


def _body(request: Request, key: str, start: int, end: int) -> Iterator[bytes]:
    if request.method == "HEAD" or end < start:
        return iter(())
    return platform_storage().read(key, start, end)


def file_response(request: Request, item: Item, *, download: bool = False) -> HttpResponseBase:
    """The file's bytes (or the 206, 304, 412 or 416 answer the request calls for)."""
    if item.key is None:
        raise ValueError(f"{item.path!r} is a virtual folder, not a stored file.")
    etag = _etag(item)
    last_modified = int(item.modified.timestamp()) if item.modified else None
    headers = _headers(item, etag, download=download)
    conditional = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if conditional is not None:
        for name in ("ETag", "Last-Modified"):
            if name in headers:
                conditional[name] = headers[name]
        return conditional
    start, end, status = 0, item.size - 1, 200
    header = request.headers.get("Range")
    if header and request.method == "GET" and _if_range_matches(request, etag, last_modified):
        try:
            requested = byte_range(header, item.size)
        except UnsatisfiableRangeError:
            return _unsatisfiable(item)
        if requested is not None:
            (start, end), status = requested, 206
            headers["Content-Range"] = f"bytes {start}-{end}/{item.size}"
    response = StreamingHttpResponse(
        _body(request, item.key, start, end),
        status=status,
        content_type=media_type_of(item.name),
        headers=headers,
    )
    response["Content-Length"] = str(end - start + 1)
    return response


def _unsatisfiable(item: Item) -> HttpResponse:
    document = problem(
        416,
        f"{item.name!r} has {item.size} bytes; the range asked for lies past its end.",
        title="Range Not Satisfiable",
    )
    response = HttpResponse(json.dumps(document), status=416, content_type=PROBLEM_JSON)
    response["Content-Range"] = f"bytes */{item.size}"
    return response
