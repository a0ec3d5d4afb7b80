from http import HTTPStatus
from typing import Any


class ApplicationError(Exception):
    """A business-rule failure that becomes an RFC 7807 / OGC exception document.

    `type` is a URI naming the kind of problem (an OGC exception URI where the standard
    defines one); `extra` holds additional members of the document (e.g. per-field problems).
    """

    status = HTTPStatus.BAD_REQUEST
    type = "about:blank"

    def __init__(
        self,
        detail: str,
        *,
        status: int | None = None,
        type: str | None = None,
        title: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if status is not None:
            self.status = HTTPStatus(status)
        if type is not None:
            self.type = type
        self.title = title or self.status.phrase
        self.extra = extra or {}


class NotFoundError(ApplicationError):
    status = HTTPStatus.NOT_FOUND


class PermissionDeniedError(ApplicationError):
    status = HTTPStatus.FORBIDDEN


class ConflictError(ApplicationError):
    status = HTTPStatus.CONFLICT
