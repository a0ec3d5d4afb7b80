"""The parent: the job's own task, which creates, shares out, runs, supervises and gathers."""

import time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Avg

from apps.jobs import services as job_services
from apps.jobs import tasks
from apps.jobs.models import Job, JobBatch, JobBatchStatus, JobLogLine, JobStatus
from apps.jobs.reporting import JobDismissedError
from apps.processes.models import Process
from apps.processes.parallel.batches import (
    BatchFailedError,
    _batch_claim,
    _batch_execute,
    batches_stop,
)
from apps.processes.parallel.encoding import decoded, encoded, gathered
from apps.processes.parallel.plan import Plan, batch_label, parallel_plan
from apps.processes.runners.base import RunContext
from apps.processes.runners.registry import runner_for

POLL_SECONDS = 0.25


def execute(process: Process, inputs: dict[str, Any], context: RunContext) -> dict[str, Any]:
    """Run a job's process: as parallel batches when its request splits, else as one run.

    Raises what the runner raises; BatchFailedError when a batch failed.
    """
    plan = parallel_plan(process.description, inputs)
    if plan is None:
        return runner_for(process).run(process, inputs, context)
    return ParallelRun(process, plan, context).run(inputs)


class ParallelRun:
    """The parent's side of a split job: create, share out, run, supervise, gather."""

    def __init__(self, process: Process, plan: Plan, context: RunContext) -> None:
        self.process = process
        self.plan = plan
        self.context = context
        self.job_id = context.job_id
        self.published: tuple[int, int] | None = None

    def run(self, inputs: dict[str, Any]) -> dict[str, Any]:
        """The gathered outputs once every batch succeeded; no batch outlives a failed run."""
        try:
            return self._run(inputs)
        except BaseException:
            batches_stop(job_id=self.job_id, process=self.process)
            raise

    def _run(self, inputs: dict[str, Any]) -> dict[str, Any]:
        batch_ids = self._batches_create(inputs)
        self.context.progress(0, f"{self.plan.input_id} split into {len(batch_ids)} batches")
        for batch_id in batch_ids:
            if _batch_claim(batch_id):
                self._run_here(batch_id)
            self.supervise()
        while not self.supervise():
            self._take_over_lost()
            time.sleep(POLL_SECONDS)
        batches = JobBatch.objects.filter(job_id=self.job_id).order_by("number")
        return gathered(
            [
                {output_id: decoded(value) for output_id, value in (stored or {}).items()}
                for stored in batches.values_list("results", flat=True)
            ]
        )

    def _batches_create(self, inputs: dict[str, Any]) -> list[int]:
        """Write the batch rows (replacing an earlier attempt's) and queue a task for every
        batch after the first, which the parent starts on at once.
        """
        with transaction.atomic():
            JobBatch.objects.filter(job_id=self.job_id).delete()
            batches = JobBatch.objects.bulk_create(
                JobBatch(
                    job_id=self.job_id,
                    number=batch.number,
                    input_id=self.plan.input_id,
                    first_value=batch.first,
                    inputs={
                        input_id: encoded(value)
                        for input_id, value in self.plan.batch_inputs(inputs, batch).items()
                    },
                )
                for batch in self.plan.batches
            )
            batch_ids = [batch.pk for batch in batches]
            transaction.on_commit(lambda: self._dispatch(batch_ids[1:]))
        return batch_ids

    def _dispatch(self, batch_ids: list[int]) -> None:
        timeout = (
            Job.objects.filter(pk=self.job_id).values_list("job_timeout_seconds", flat=True).get()
            or settings.JOB_DEFAULT_TIMEOUT_SECONDS
        )
        for batch_id in batch_ids:
            tasks.job_batch_run_task.apply_async(
                args=(batch_id,),
                queue=settings.JOBS_QUEUE,
                soft_time_limit=timeout,
                time_limit=timeout + 30,
            )

    def _run_here(self, batch_id: int) -> None:
        batch = JobBatch.objects.select_related("job__owner").get(pk=batch_id)
        _batch_execute(batch, self.process, on_report=self.supervise)

    def _take_over_lost(self) -> None:
        lost = JobBatch.objects.filter(
            job_id=self.job_id,
            status=JobBatchStatus.RUNNING,
            heartbeat__lt=job_services.job_silent_since(),
        )
        for batch_id, number in lost.values_list("pk", "number"):
            if _batch_claim(batch_id, take_over_lost=True):
                JobLogLine.objects.create(
                    job_id=self.job_id,
                    line=f"batch {number}: taken over, its worker stopped responding",
                )
                self._run_here(batch_id)

    def supervise(self) -> bool:
        """Publish the batches' mean progress as the job's; True once every batch succeeded.

        Raises JobDismissedError when the job no longer runs, and BatchFailedError when a
        batch failed.
        """
        if not Job.objects.filter(pk=self.job_id, status=JobStatus.RUNNING).exists():
            raise JobDismissedError(self.job_id)
        batches = JobBatch.objects.filter(job_id=self.job_id)
        failed = batches.filter(status=JobBatchStatus.FAILED).order_by("number").first()
        if failed is not None:  # run() stops the other batches
            batch = self.plan.batches[failed.number - 1]
            raise BatchFailedError(f"{batch_label(batch)} failed: {failed.error}")
        summary = batches.aggregate(progress=Avg("progress"))
        done = batches.filter(status=JobBatchStatus.SUCCESSFUL).count()
        self._publish(round(summary["progress"] or 0), done)
        return done == len(self.plan.batches)

    def _publish(self, progress: int, done: int) -> None:
        if self.published == (progress, done):
            return
        self.published = (progress, done)
        self.context.progress(progress, f"{done} of {len(self.plan.batches)} batches done")
