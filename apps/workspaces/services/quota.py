"""Used bytes and quotas: kept exact by conditional UPDATEs, checked against storage hourly.

Every change of `Workspace.used_bytes` is one UPDATE relative to the stored value, so
concurrent uploads never overwrite each other's counts. An upload reserves its bytes
before writing (`workspace_usage_reserve`: the UPDATE only happens while the result stays
within the quota) and gives back what it did not use. Crossing 75 %, 90 % and 100 % of
the quota upward records quotaWarning1, quotaWarning2 and quotaExceeded (§13.1.1-3, §13.4).
"""

from dataclasses import dataclass
from http import HTTPStatus

from django.db import connection, transaction

from apps.notifications.events import EventType, record_event
from apps.ogc.errors import ApplicationError
from apps.workspaces.models import Workspace

MEGABYTE = 1024 * 1024
# Percent of the quota → the event recorded when usage reaches it from below.
THRESHOLDS = (
    (100, EventType.QUOTA_EXCEEDED),
    (90, EventType.QUOTA_WARNING_2),
    (75, EventType.QUOTA_WARNING_1),
)


class QuotaExceededError(ApplicationError):
    status = HTTPStatus.REQUEST_ENTITY_TOO_LARGE


@dataclass(frozen=True)
class Usage:
    used_bytes: int
    quota_bytes: int


def _update(workspace: Workspace, delta: int, *, within_quota: bool) -> Usage | None:
    """Add `delta` in one statement; with `within_quota`, only if the result fits."""
    table = Workspace._meta.db_table
    condition = " AND used_bytes + %s <= quota_bytes" if within_quota else ""
    parameters = [delta, workspace.pk, *([delta] if within_quota else [])]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET used_bytes = GREATEST(used_bytes + %s, 0) "  # noqa: S608 - table name from the model
            f"WHERE id = %s{condition} RETURNING used_bytes, quota_bytes",
            parameters,
        )
        row = cursor.fetchone()
    if row is None:
        return None
    workspace.used_bytes, workspace.quota_bytes = int(row[0]), int(row[1])
    return Usage(workspace.used_bytes, workspace.quota_bytes)


def _megabytes(size: int) -> str:
    return f"{size / MEGABYTE:.1f}".removesuffix(".0")


def _reached(usage: Usage, percent: int) -> bool:
    return usage.quota_bytes > 0 and usage.used_bytes * 100 >= percent * usage.quota_bytes


def _record_crossing(workspace: Workspace, before: Usage, after: Usage) -> None:
    """Record the highest threshold that `after` reaches and `before` did not, if any.

    One event per change: a jump from 10 % to 95 % says quotaWarning2 only, rather than
    also warning about 75 % in the same breath.
    """
    for percent, event_type in THRESHOLDS:
        if _reached(after, percent) and not _reached(before, percent):
            record_event(
                event_type,
                username=workspace.owner.username,
                currentNumOfMBytes=_megabytes(after.used_bytes),
                quotaNumOfMBytes=_megabytes(after.quota_bytes),
            )
            return


def workspace_usage_add(workspace: Workspace, delta: int) -> int:
    """Count `delta` bytes more (or fewer) in the workspace; returns the new used bytes.

    Unconditional: for bytes already written, such as job outputs (which may take the
    workspace over its quota). Never goes below zero.
    """
    if delta == 0:
        workspace.refresh_from_db(fields=["used_bytes", "quota_bytes"])
        return workspace.used_bytes
    after = _update(workspace, delta, within_quota=False)
    if after is None:
        raise Workspace.DoesNotExist(f"The workspace {workspace.pk} no longer exists.")
    if delta > 0:
        _record_crossing(workspace, Usage(after.used_bytes - delta, after.quota_bytes), after)
    return after.used_bytes


def workspace_usage_reserve(workspace: Workspace, size: int) -> None:
    """Count `size` bytes about to be written, if they fit; QuotaExceededError (413) if not."""
    if size <= 0:
        return
    after = _update(workspace, size, within_quota=True)
    if after is None:
        workspace.refresh_from_db(fields=["used_bytes", "quota_bytes"])
        raise QuotaExceededError(
            f"{size} more bytes would exceed your quota: {workspace.used_bytes} of "
            f"{workspace.quota_bytes} bytes are used.",
            title="Quota exceeded",
            extra={"usedBytes": workspace.used_bytes, "quotaBytes": workspace.quota_bytes},
        )
    _record_crossing(workspace, Usage(after.used_bytes - size, after.quota_bytes), after)


def workspace_usage_release(workspace: Workspace, size: int) -> None:
    """Stop counting `size` bytes (deleted, or reserved and not written)."""
    if size > 0:
        _update(workspace, -size, within_quota=False)


def workspace_quota_check(workspace: Workspace, size: int) -> None:
    """QuotaExceededError unless `size` more bytes fit now; reserves nothing."""
    workspace.refresh_from_db(fields=["used_bytes", "quota_bytes"])
    if workspace.used_bytes + size > workspace.quota_bytes:
        raise QuotaExceededError(
            f"A file of this size would exceed your quota: {workspace.used_bytes} of "
            f"{workspace.quota_bytes} bytes are used.",
            title="Quota exceeded",
            extra={"usedBytes": workspace.used_bytes, "quotaBytes": workspace.quota_bytes},
        )


@transaction.atomic
def workspace_quota_set(*, workspace: Workspace, quota_bytes: int) -> Workspace:
    """Give the workspace a new quota; a smaller one may cross a threshold (and say so)."""
    if quota_bytes < 0:
        raise ApplicationError("A quota cannot be negative.")
    locked = Workspace.objects.select_for_update().select_related("owner").get(pk=workspace.pk)
    before = Usage(locked.used_bytes, locked.quota_bytes)
    locked.quota_bytes = quota_bytes
    locked.save(update_fields=["quota_bytes"])
    _record_crossing(locked, before, Usage(locked.used_bytes, quota_bytes))
    workspace.quota_bytes, workspace.used_bytes = locked.quota_bytes, locked.used_bytes
    return locked
