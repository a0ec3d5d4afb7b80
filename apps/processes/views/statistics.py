"""How the developer's applications are used: runs, users, success rate and durations."""

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.accounts.permissions import authenticated_user
from apps.processes.selectors import (
    ProcessStatistics,
    process_statistics_totals,
    processes_of_developer,
)
from apps.processes.views.common import APPLICATIONS_PER_PAGE, developer_required


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.0f} %"


@dataclass(frozen=True)
class StatisticsSummary:
    """An application's statistics as its pages show them; `weeks` carry a bar height."""

    runs: int
    users: int
    successful: int
    failed: int
    success_rate: str
    mean_duration: str
    p95_duration: str
    weeks: list[dict[str, Any]]


def statistics_summary(statistics: ProcessStatistics) -> StatisticsSummary:
    busiest = max((week["runs"] for week in statistics.weeks), default=0)
    weeks = [
        {
            "week": week["week"],
            "runs": week["runs"],
            "users": week["users"],
            "success_rate": _percent(week["successRate"]),
            "mean_duration": _duration(week["meanSeconds"]),
            "p95_duration": _duration(week["p95Seconds"]),
            "bar_percent": round(100 * week["runs"] / busiest) if busiest else 0,
        }
        for week in statistics.weeks
    ]
    return StatisticsSummary(
        runs=statistics.runs,
        users=statistics.users,
        successful=statistics.successful,
        failed=statistics.failed,
        success_rate=_percent(statistics.success_rate),
        mean_duration=_duration(statistics.mean_seconds),
        p95_duration=_duration(statistics.p95_seconds),
        weeks=weeks,
    )


@developer_required
def application_statistics(request: HttpRequest) -> HttpResponse:
    """How each of the developer's applications is used, one row per application."""
    applications = processes_of_developer(authenticated_user(request))
    page = Paginator(applications, APPLICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    totals = process_statistics_totals(page)
    rows = [(process, statistics_summary(totals[process.identifier])) for process in page]
    return render(
        request, "processes/developer/application_statistics.html", {"page": page, "rows": rows}
    )
