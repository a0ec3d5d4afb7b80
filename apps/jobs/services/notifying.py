"""Notifications of a job's progress and end (§19.5, §19.8): queued, sent, retried."""

from typing import Any

from django.conf import settings

from apps.jobs import notify, tasks
from apps.jobs.models import Job, JobLogLine


def job_notifications_enqueue(job: Job, moment: str) -> None:
    """Queue a notification to each URI due at `moment` (in progress, or finished)."""
    targets = notify.notifications_due(job, moment)
    document = notify.notification_document(job) if targets else {}
    for uri in targets:
        tasks.job_notify_task.apply_async(
            args=(str(job.pk), uri, document), queue=settings.NOTIFICATIONS_QUEUE
        )


def job_notify(*, job_id: str, uri: str, document: dict[str, Any], attempt: int, task: Any) -> None:
    """Send one notification for a job; on failure retry later, then give up and log it."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        return
    try:
        notify.notification_deliver(uri=uri, document=document)
    except Exception as error:  # any delivery failure is retried, then logged on the job
        if attempt < settings.NOTIFICATION_MAX_RETRIES:
            JobLogLine.objects.create(
                job=job, line=f"notification to {uri} failed, retrying: {error}"
            )
            countdown = settings.NOTIFICATION_RETRY_SECONDS * 2**attempt
            raise task.retry(exc=error, countdown=countdown) from error
        JobLogLine.objects.create(job=job, line=f"notification to {uri} failed for good: {error}")
        return
    JobLogLine.objects.create(job=job, line=f"notified {uri}")
