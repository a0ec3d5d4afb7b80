"""The one place a running job reports to: its row, its run log and its live viewers."""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import close_old_connections
from django.db.models import F
from django.utils import timezone

from apps.jobs.models import Job, JobLogLine, JobStatus
from apps.notifications.live import live_publish


class JobDismissedError(Exception):
    """The job was dismissed while it ran; the runner stops at the next report."""


def job_group(job_id: object) -> str:
    return f"job.{job_id}"


def user_jobs_group(user_id: int) -> str:
    return f"user.{user_id}.jobs"


def job_status_broadcast(job: Job) -> None:
    """Push the job's status to its page and its owner's job list (queued, best effort)."""
    message = {
        "type": "job.status",
        "job": {
            "jobID": str(job.pk),
            "status": job.status,
            "progress": job.progress,
            "message": job.message,
            "updated": job.updated.isoformat() if job.updated else None,
        },
    }
    live_publish([job_group(job.pk), user_jobs_group(job.owner_id)], message)


class JobReporter:
    """Progress reporter handed to runners: percent + message, and run-log lines."""

    def __init__(self, job: Job) -> None:
        self.job = job

    def log(self, line: str) -> None:
        JobLogLine.objects.create(job=self.job, line=line)

    def __call__(self, percent: int, message: str = "") -> None:
        percent = max(0, min(100, int(percent)))
        now = timezone.now()
        updated = Job.objects.filter(pk=self.job.pk, status=JobStatus.RUNNING).update(
            progress=percent, message=message, heartbeat=now, updated=now
        )
        if not updated:
            raise JobDismissedError(str(self.job.pk))
        self.job.progress, self.job.message, self.job.updated = percent, message, now
        if message:
            self.log(f"{percent:3d}% {message}")
        job_status_broadcast(self.job)

    def raise_if_stopped(self) -> None:
        """Raise JobDismissedError once the job no longer runs, as a report would; writes
        nothing, so a runner may ask often."""
        if not Job.objects.filter(pk=self.job.pk, status=JobStatus.RUNNING).exists():
            raise JobDismissedError(str(self.job.pk))

    def heartbeat(self) -> bool:
        """Tell the janitor the worker is alive; False once the job is no longer running."""
        return bool(
            Job.objects.filter(pk=self.job.pk, status=JobStatus.RUNNING).update(
                heartbeat=timezone.now()
            )
        )

    def add_staged(self, *, bytes_in: int = 0, bytes_out: int = 0, seconds: float = 0) -> None:
        Job.objects.filter(pk=self.job.pk).update(
            bytes_staged_in=F("bytes_staged_in") + bytes_in,
            bytes_staged_out=F("bytes_staged_out") + bytes_out,
            staging_seconds=F("staging_seconds") + seconds,
        )

    def context(self) -> dict[str, Any]:
        return {"job_id": str(self.job.pk), "owner": self.job.owner.username}


@contextmanager
def heartbeat_while_running(beat: Callable[[], bool], *, name: str) -> Iterator[None]:
    """Call `beat` every JOB_HEARTBEAT_SECONDS in a thread of its own while the block runs,
    so that whoever watches (the janitor, a parent job) knows the worker is alive; it stops
    early once `beat` answers False."""
    stop = threading.Event()

    def beating() -> None:
        try:
            while not stop.wait(settings.JOB_HEARTBEAT_SECONDS) and beat():
                pass
        finally:
            close_old_connections()

    thread = threading.Thread(target=beating, name=name, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)
