"""Reading jobs: what a caller may see, filtered as §11.2 describes, in keyset pages."""

import base64
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import Coalesce, Now
from django.utils.dateparse import parse_datetime

from apps.accounts.models import Role, User
from apps.accounts.services import user_has_role
from apps.jobs.models import Job, JobStatus
from apps.ogc.errors import ApplicationError


def job_list_visible_to(user: User | None) -> QuerySet[Job]:
    """The caller's own jobs; administrators see everybody's; anonymous callers none."""
    jobs = Job.objects.all()
    if user is None:
        return jobs.none()
    if user_has_role(user, Role.ADMINISTRATOR):
        return jobs
    return jobs.filter(owner=user)


def job_get_visible_to(*, job_id: str, user: User | None) -> Job | None:
    try:
        uuid.UUID(job_id)
    except ValueError:
        return None
    # Unordered, and without joining the owner, who is mostly the caller: this runs on every
    # poll.
    job = next(iter(job_list_visible_to(user).filter(pk=job_id)), None)
    if job is not None and user is not None and job.owner_id == user.pk:
        job.owner = user
    return job


@dataclass(frozen=True)
class JobFilters:
    process_ids: list[str]
    statuses: list[str]
    types: list[str]
    created_from: datetime | None = None
    created_to: datetime | None = None
    min_duration: float | None = None
    max_duration: float | None = None


def _instant(text: str) -> datetime | None:
    if text in ("", ".."):
        return None
    moment = parse_datetime(text)
    if moment is None or moment.tzinfo is None:
        raise ApplicationError(
            f"{text!r} is not an RFC 3339 date-time with a time zone (e.g. 2026-01-31T12:00:00Z)."
        )
    return moment


def datetime_range(value: str) -> tuple[datetime | None, datetime | None]:
    """An instant, or a closed or half-open interval (§11.2); instants match exactly."""
    if "/" not in value:
        moment = _instant(value)
        return moment, moment
    start, _, end = value.partition("/")
    range_start, range_end = _instant(start), _instant(end)
    if range_start and range_end and range_start > range_end:
        raise ApplicationError(f"The interval {value!r} ends before it starts.")
    return range_start, range_end


def job_list_filtered(jobs: QuerySet[Job], filters: JobFilters) -> QuerySet[Job]:
    if filters.types and "process" not in filters.types:
        return jobs.none()
    if filters.process_ids:
        jobs = jobs.filter(process_identifier__in=filters.process_ids)
    if filters.statuses:
        unknown = set(filters.statuses) - set(JobStatus.values)
        if unknown:
            raise ApplicationError(f"Unknown status value(s): {', '.join(sorted(unknown))}.")
        jobs = jobs.filter(status__in=filters.statuses)
    if filters.created_from:
        jobs = jobs.filter(created__gte=filters.created_from)
    if filters.created_to:
        jobs = jobs.filter(created__lte=filters.created_to)
    if filters.min_duration is not None or filters.max_duration is not None:
        running_for = ExpressionWrapper(
            Coalesce(F("finished"), Now()) - F("started"), output_field=DurationField()
        )
        jobs = jobs.filter(started__isnull=False).annotate(running_for=running_for)
        if filters.min_duration is not None:
            jobs = jobs.filter(running_for__gte=timedelta(seconds=filters.min_duration))
        if filters.max_duration is not None:
            jobs = jobs.filter(running_for__lte=timedelta(seconds=filters.max_duration))
    return jobs


def cursor_encode(job: Job) -> str:
    return base64.urlsafe_b64encode(f"{job.created.isoformat()}|{job.pk}".encode()).decode()


def cursor_decode(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        created_text, _, job_id = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        created = datetime.fromisoformat(created_text)
        return created, uuid.UUID(job_id)
    except (ValueError, UnicodeDecodeError) as error:
        raise ApplicationError(f"The paging cursor {cursor!r} is not valid.") from error


@dataclass(frozen=True)
class KeysetPage:
    jobs: list[Job]
    next_cursor: str | None
    previous_cursor: str | None


def job_page(
    jobs: QuerySet[Job], *, limit: int, after: str | None = None, before: str | None = None
) -> KeysetPage:
    """Newest first. `after` continues past a job; `before` goes back to the previous page."""
    jobs = jobs.select_related("owner")
    if before:
        created, job_id = cursor_decode(before)
        newer = jobs.filter(Q(created__gt=created) | Q(created=created, pk__gt=job_id))
        window = list(newer.order_by("created", "id")[: limit + 1])
        has_more_before = len(window) > limit
        page = list(reversed(window[:limit]))
        return KeysetPage(
            jobs=page,
            next_cursor=cursor_encode(page[-1]) if page else None,
            previous_cursor=cursor_encode(page[0]) if page and has_more_before else None,
        )
    if after:
        created, job_id = cursor_decode(after)
        jobs = jobs.filter(Q(created__lt=created) | Q(created=created, pk__lt=job_id))
    window = list(jobs.order_by("-created", "-id")[: limit + 1])
    page = window[:limit]
    return KeysetPage(
        jobs=page,
        next_cursor=cursor_encode(page[-1]) if len(window) > limit else None,
        previous_cursor=cursor_encode(page[0]) if after and page else None,
    )
