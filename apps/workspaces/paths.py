"""Turning the path a user gives into a storage key confined to a workspace (CWE-22).

A workspace path is relative to the workspace root, such as `data/scene.tif`; "" is the
root. Every path from outside goes through `path_clean` before it names anything: it is
normalised to NFC and refused (InvalidPathError, a 400) when it is absolute, climbs with
"..", holds NUL, control or format characters, backslashes or Unicode look-alikes of "/",
"\\" and ".", has over-long names, or names the platform's internal files. The filesystem
backend refuses, on top of this, any key whose path passes through a symbolic link.
"""

import unicodedata

from apps.ogc.errors import ApplicationError, PermissionDeniedError
from apps.workspaces.storage.base import INTERNAL_PREFIX, folder_key

SHARED_FOLDER = "shared"
JOBS_FOLDER = "jobs"
MAX_NAME_BYTES = 255
MAX_PATH_BYTES = 1024

# Characters that render like a path separator or a dot without being one. NFKC folds some
# (e.g. FULLWIDTH SOLIDUS to "/", ONE DOT LEADER to "."); the others are listed here.
LOOK_ALIKES = frozenset(
    "\u2044\u2215\u2571\u27cb\u29f8\uff0f\u1735"  # slashes
    "\u2216\u2572\u27cd\u29f5\u29f9\ufe68\uff3c"  # backslashes
    "\u2024\u2025\u2026\ufe52\uff0e\u0701\u0702\ua60e\U00010a50"  # dots
)
# Control, format (e.g. bidirectional overrides), surrogate, private-use and unassigned
# characters, and line/paragraph separators.
REFUSED_CATEGORIES = frozenset(("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"))


class InvalidPathError(ApplicationError):
    """A path that is not allowed to name anything in a workspace."""


def _refuse(path: str, reason: str) -> InvalidPathError:
    shown = path if len(path) <= 80 else f"{path[:80]}…"
    return InvalidPathError(f"The path {shown!r} is not allowed: {reason}.", title="Bad path")


def _check_name(path: str, name: str) -> None:
    if name == "":
        raise _refuse(path, "it has an empty name (two slashes in a row)")
    if name.strip(". ") == "":
        raise _refuse(path, "a name cannot be only dots")
    if name != name.strip():
        raise _refuse(path, "a name cannot start or end with white space")
    if name.startswith(INTERNAL_PREFIX):
        raise _refuse(path, f"names starting with {INTERNAL_PREFIX!r} are kept for the platform")
    for character in name:
        if unicodedata.category(character) in REFUSED_CATEGORIES:
            raise _refuse(path, f"it holds the control character U+{ord(character):04X}")
        if character == "\\" or character in LOOK_ALIKES:
            raise _refuse(path, f"U+{ord(character):04X} looks like a separator or a dot")
    folded = unicodedata.normalize("NFKC", name)
    if "/" in folded or "\\" in folded or folded.strip(". ") == "":
        raise _refuse(path, "it holds characters that look like a separator or a dot")
    if len(name.encode()) > MAX_NAME_BYTES:
        raise _refuse(path, f"a name is longer than {MAX_NAME_BYTES} bytes")


def path_clean(path: str) -> str:
    """The normalised workspace path ("" for the root, no trailing slash), or InvalidPathError.

    One trailing slash is allowed (a folder may be named with it) and dropped.
    """
    normalised = unicodedata.normalize("NFC", path)
    if normalised.startswith("/"):
        raise _refuse(path, "it is absolute")
    body = normalised.removesuffix("/")
    if body == "":
        return ""
    for name in body.split("/"):
        _check_name(path, name)
    if len(body.encode()) > MAX_PATH_BYTES:
        raise _refuse(path, f"it is longer than {MAX_PATH_BYTES} bytes")
    return body


def path_clean_own(path: str) -> str:
    """The clean path of a file or folder of one's own to change: not the root, not `shared/`.

    PermissionDeniedError for what others share with the user, which is read-only.
    """
    clean = path_clean(path)
    if clean == "":
        raise InvalidPathError("Choose a file or folder, not the workspace root.", title="Bad path")
    if clean.split("/")[0] == SHARED_FOLDER:
        raise PermissionDeniedError("Files shared with you are read-only.")
    return clean


def path_join(folder: str, name: str) -> str:
    """Two clean paths as one; either may be "" (the root)."""
    return f"{folder}/{name}" if folder and name else folder or name


def path_is_within(path: str, folder: str) -> bool:
    """Whether `path` is `folder` itself or lies inside it (both clean)."""
    return folder == "" or path == folder or path.startswith(f"{folder}/")


def path_ancestors(path: str) -> list[str]:
    """The folders holding a clean path, nearest first: "a/b/c" → ["a/b", "a"]."""
    names = path.split("/")
    return ["/".join(names[:end]) for end in range(len(names) - 1, 0, -1)]


def user_prefix(username: str) -> str:
    """The storage key of everything the platform keeps for a user (§9.1 `users/{username}/`)."""
    if username in ("", ".", "..") or "/" in username or "\\" in username or "\x00" in username:
        raise InvalidPathError(f"The account name {username!r} cannot own files.")
    return f"users/{username}/"


def workspace_prefix(username: str) -> str:
    """The storage key of a user's workspace root."""
    return f"{user_prefix(username)}workspace/"


def uploads_prefix(username: str) -> str:
    """Where a user's unfinished chunked uploads are kept: beside the workspace, not in it."""
    return f"{user_prefix(username)}uploads/"


def workspace_key(username: str, path: str, *, folder: bool = False) -> str:
    """The storage key of a clean workspace path; `folder` gives it the trailing slash."""
    key = workspace_prefix(username) + path
    return folder_key(key) if folder or path == "" else key


def workspace_path_key(username: str, path: str) -> str:
    """The storage key a user's path names inside their own workspace, or InvalidPathError."""
    return workspace_key(username, path_clean(path))
