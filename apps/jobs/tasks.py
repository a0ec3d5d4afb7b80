"""Thin Celery tasks around the job services."""

from typing import Any

from celery import Task, shared_task

from apps.jobs import services
from apps.processes import parallel
from marketplace.celery import app


@shared_task(bind=True, name="jobs.run", acks_late=True, reject_on_worker_lost=True)
def job_run_task(self: Task, job_id: str) -> None:
    """Run a job. Redelivery after a lost worker is safe: the service claims the job first."""
    delivery_info = self.request.delivery_info or {}
    services.job_run(job_id=job_id, redelivered=bool(delivery_info.get("redelivered")))


@shared_task(bind=True, name="jobs.run_batch", acks_late=True, reject_on_worker_lost=True)
def job_batch_run_task(self: Task, batch_id: int) -> None:
    """Run one batch of a job split into parallel executions. Safe to redeliver: the batch
    is claimed first, and a batch someone else claimed is left alone."""
    delivery_info = self.request.delivery_info or {}
    parallel.batch_run(batch_id=batch_id, redelivered=bool(delivery_info.get("redelivered")))


@shared_task(name="jobs.recover_lost")
def jobs_recover_lost_task() -> dict[str, list[str]]:
    requeued, failed = services.jobs_recover_lost()
    return {"requeued": requeued, "failed": failed}


@shared_task(bind=True, name="jobs.notify", max_retries=5)
def job_notify_task(self: Task, job_id: str, uri: str, document: dict[str, Any]) -> None:
    """Deliver one notification; retried with exponential backoff, the outcome logged."""
    services.job_notify(
        job_id=job_id, uri=uri, document=document, attempt=self.request.retries, task=self
    )


def job_revoke(job_id: str) -> None:
    """Stop the job's task wherever it is: dropped if queued, its process killed if running."""
    app.control.revoke(job_id, terminate=True, signal="SIGKILL")
