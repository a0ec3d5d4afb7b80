from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Aggregate,
    Avg,
    Count,
    Exists,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.db.models.functions import TruncWeek

from apps.accounts.models import Role, User
from apps.accounts.services import user_has_role
from apps.jobs.models import Job, JobStatus
from apps.processes.models import Process, ProcessRevision, ProcessState, RevisionState


def process_list_visible_to(user: User | None) -> QuerySet[Process]:
    """Published processes, plus the caller's own; administrators see every process."""
    processes = Process.objects.all()
    if user is not None and user.is_authenticated:
        if user_has_role(user, Role.ADMINISTRATOR):
            return processes
        return processes.filter(Q(state=ProcessState.PUBLISHED) | Q(owner=user))
    return processes.filter(state=ProcessState.PUBLISHED)


def process_get_visible_to(*, identifier: str, user: User | None) -> Process | None:
    # Unordered: the identifier is unique, and this runs on every execution.
    return next(iter(process_list_visible_to(user).filter(identifier=identifier)), None)


def processes_of_developer(user: User) -> QuerySet[Process]:
    """The applications a developer deployed, newest change first."""
    return (
        Process.objects.filter(owner=user)
        .select_related("live_revision")
        .prefetch_related("revisions")
        .order_by("-updated_at")
    )


def processes_awaiting_review() -> QuerySet[Process]:
    """Submitted applications, and published ones with a submitted new revision.

    Their revisions come along, without the packages they hold, so that a page of them finds
    each one's revision under review without a query per row.
    """
    submitted_revision = ProcessRevision.objects.filter(
        process=OuterRef("pk"), state=RevisionState.SUBMITTED
    )
    revisions_listed = ProcessRevision.objects.defer("description", "execution_unit", "package")
    return (
        Process.objects.filter(Q(state=ProcessState.SUBMITTED) | Exists(submitted_revision))
        .select_related("owner", "live_revision")
        .prefetch_related(Prefetch("revisions", queryset=revisions_listed))
        .order_by("submitted_at", "identifier")
    )


class Percentile(Aggregate):
    """PostgreSQL's continuous percentile of an expression (0 ≤ fraction ≤ 1)."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: str, fraction: float) -> None:
        super().__init__(expression, fraction=float(fraction))


@dataclass(frozen=True)
class ProcessStatistics:
    """How an application is used (§21.1.1): runs, users, success and duration."""

    runs: int
    users: int
    successful: int
    failed: int
    success_rate: float | None
    mean_seconds: float | None
    p95_seconds: float | None
    weeks: list[dict[str, Any]]


NEVER_RUN: dict[str, Any] = {
    "runs": 0,
    "users": 0,
    "successful": 0,
    "failed": 0,
    "finished": 0,
    "mean_seconds": None,
    "p95_seconds": None,
}


def _usage_aggregates() -> dict[str, Aggregate]:
    """Runs, users, outcomes and durations of a set of jobs, as aggregates of one query."""
    return {
        "runs": Count("pk"),
        "users": Count("owner", distinct=True),
        "successful": Count("pk", filter=Q(status=JobStatus.SUCCESSFUL)),
        "failed": Count("pk", filter=Q(status=JobStatus.FAILED)),
        "finished": Count("pk", filter=Q(status__in=[JobStatus.SUCCESSFUL, JobStatus.FAILED])),
        "mean_seconds": Avg("duration_seconds", filter=Q(status=JobStatus.SUCCESSFUL)),
        "p95_seconds": Percentile("duration_seconds", 0.95),
    }


def _rate(usage: dict[str, Any]) -> float | None:
    return usage["successful"] / usage["finished"] if usage["finished"] else None


def _statistics_of(usage: dict[str, Any], weeks: list[dict[str, Any]]) -> ProcessStatistics:
    return ProcessStatistics(
        runs=usage["runs"],
        users=usage["users"],
        successful=usage["successful"],
        failed=usage["failed"],
        success_rate=_rate(usage),
        mean_seconds=usage["mean_seconds"],
        p95_seconds=usage["p95_seconds"],
        weeks=weeks,
    )


def process_statistics(process: Process) -> ProcessStatistics:
    """Statistics of every job of the process, in total and by week (newest last)."""
    jobs = Job.objects.filter(process_identifier=process.identifier)
    weekly = (
        jobs.annotate(week=TruncWeek("created"))
        .values("week")
        .annotate(**_usage_aggregates())
        .order_by("week")
    )
    weeks = [
        {
            "week": row["week"].date().isoformat(),
            "runs": row["runs"],
            "users": row["users"],
            "successRate": _rate(row),
            "meanSeconds": row["mean_seconds"],
            "p95Seconds": row["p95_seconds"],
        }
        for row in weekly
    ]
    return _statistics_of(jobs.aggregate(**_usage_aggregates()), weeks)


def process_statistics_totals(processes: Iterable[Process]) -> dict[str, ProcessStatistics]:
    """The statistics of each process in total, without weeks, by identifier: one query."""
    identifiers = [process.identifier for process in processes]
    usage_of = dict.fromkeys(identifiers, NEVER_RUN)
    rows = (
        Job.objects.filter(process_identifier__in=identifiers)
        .values("process_identifier")
        .annotate(**_usage_aggregates())
        .order_by()
    )
    for row in rows:
        usage_of[row["process_identifier"]] = row
    return {identifier: _statistics_of(usage, weeks=[]) for identifier, usage in usage_of.items()}
