"""Problems of the workspace layer, as RFC 7807 documents (apps/ogc/errors.py)."""

from collections.abc import Iterator
from contextlib import contextmanager

from apps.ogc.errors import ApplicationError, ConflictError, NotFoundError
from apps.workspaces.paths import InvalidPathError
from apps.workspaces.storage import KeyExistsError, KeyNotFoundError, UnsafeKeyError


class IncompleteBodyError(ApplicationError):
    """The request body was not as long as it said."""


@contextmanager
def storage_errors(path: str) -> Iterator[None]:
    """Storage failures as the problems a client understands, naming the client's path."""
    try:
        yield
    except UnsafeKeyError as error:
        raise InvalidPathError(
            f"The path {path!r} is not allowed: it leads outside the workspace.",
            title="Bad path",
        ) from error
    except KeyExistsError as error:
        raise ConflictError(f"Something is in the way of {path!r}.") from error
    except KeyNotFoundError as error:
        raise NotFoundError(f"There is nothing at {path!r}.") from error
