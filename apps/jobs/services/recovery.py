"""The janitor's side: running jobs whose worker stopped beating."""

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from apps.jobs.models import Job, JobLogLine, JobStatus
from apps.jobs.services.finishing import job_fail
from apps.jobs.services.running import job_silent_since
from apps.jobs.services.submission import job_enqueue


def jobs_recover_lost() -> tuple[list[str], list[str]]:
    """Requeue running jobs whose worker stopped beating, once; fail them the second time.

    Returns the ids of the requeued and of the failed jobs.
    """
    requeued, failed = [], []
    lost = Job.objects.filter(status=JobStatus.RUNNING, heartbeat__lt=job_silent_since())
    for job in lost.select_related("owner"):
        if job.attempts < settings.JOB_MAX_RESTARTS:
            restarted = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
                status=JobStatus.ACCEPTED, attempts=F("attempts") + 1, updated=timezone.now()
            )
            if restarted:
                JobLogLine.objects.create(job=job, line="requeued: its worker stopped responding")
                job_enqueue(job)
                requeued.append(str(job.pk))
            continue
        job_fail(job, "worker-lost", "The worker running this job was lost.")
        failed.append(str(job.pk))
    return requeued, failed
