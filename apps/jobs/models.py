import uuid
from typing import ClassVar

from django.conf import settings
from django.contrib.gis.db import models
from django.utils import timezone


class JobStatus(models.TextChoices):
    ACCEPTED = "accepted"
    RUNNING = "running"
    SUCCESSFUL = "successful"
    FAILED = "failed"
    DISMISSED = "dismissed"


FINISHED_STATUSES = (JobStatus.SUCCESSFUL, JobStatus.FAILED, JobStatus.DISMISSED)


class Job(models.Model):
    """One execution of a process: the §15 jobs table plus what the runner needs."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs"
    )
    process = models.ForeignKey(
        "processes.Process", null=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    revision = models.ForeignKey(
        "processes.ProcessRevision",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
        help_text="The package revision this job runs; none for built-in processes.",
    )
    process_identifier = models.CharField(max_length=200)
    process_version = models.CharField(max_length=50)
    client_address = models.GenericIPAddressField(null=True, blank=True)
    execute_request = models.JSONField(default=dict)
    inputs = models.JSONField(default=dict, help_text="The checked input values.")
    response = models.CharField(max_length=16, default="document")
    footprint = models.GeometryField(srid=4326, null=True, blank=True)
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.ACCEPTED)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.TextField(blank=True)
    exception = models.JSONField(null=True, blank=True)
    # Set when the job is made, not when its row is written: a quick job's row is written
    # once it has finished (apps/jobs/services/quick.py).
    created = models.DateTimeField(default=timezone.now, editable=False)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    updated = models.DateTimeField(auto_now=True)
    heartbeat = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    runs_inline = models.BooleanField(
        default=False, help_text="Run by the request that accepted it, not by a worker."
    )
    job_timeout_seconds = models.PositiveIntegerField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    cpu_seconds = models.FloatField(null=True, blank=True)
    max_memory_bytes = models.BigIntegerField(null=True, blank=True)
    bytes_staged_in = models.BigIntegerField(default=0)
    bytes_staged_out = models.BigIntegerField(default=0)
    staging_seconds = models.FloatField(default=0)
    subscriber = models.JSONField(default=dict, blank=True)
    response_handlers = models.JSONField(default=list, blank=True)

    class Meta:
        ordering: ClassVar = ["-created", "-id"]
        indexes: ClassVar = [
            models.Index(fields=["owner", "-created", "-id"], name="job_owner_created"),
            models.Index(fields=["-created", "-id"], name="job_created"),
            models.Index(fields=["status", "heartbeat"], name="job_status_heartbeat"),
            models.Index(fields=["process_identifier"], name="job_process"),
        ]

    def __str__(self) -> str:
        return f"job {self.pk} ({self.process_identifier}, {self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def storage_prefix(self) -> str:
        """Where the job's files live: the owner's workspace `jobs/{jobId}/` (§9.1)."""
        return f"users/{self.owner.username}/workspace/jobs/{self.pk}/"


class JobOutput(models.Model):
    """A result of a job: a value kept inline, or a file in the owner's storage."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="outputs")
    output_id = models.CharField(max_length=200)
    value = models.JSONField(null=True, blank=True)
    storage_path = models.CharField(max_length=1024, blank=True)
    media_type = models.CharField(max_length=200, default="application/json")
    size_bytes = models.BigIntegerField(default=0)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering: ClassVar = ["position"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["job", "output_id"], name="unique_output_per_job")
        ]

    def __str__(self) -> str:
        return f"{self.output_id} of {self.job_id}"


class JobLogLine(models.Model):
    """A line of a job's run log (§11.4)."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="log_lines")
    created = models.DateTimeField(default=timezone.now, editable=False)
    line = models.TextField()

    class Meta:
        ordering: ClassVar = ["pk"]

    def __str__(self) -> str:
        return self.line[:80]


class JobBatchStatus(models.TextChoices):
    PENDING = "pending"
    RUNNING = "running"
    SUCCESSFUL = "successful"
    FAILED = "failed"
    STOPPED = "stopped"


class JobBatch(models.Model):
    """One of the parallel executions of a job whose input values are uncorrelated (§6.12).

    It holds a contiguous run of that input's values; whichever worker claims it first runs it
    (apps/processes/parallel/).
    """

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="batches")
    number = models.PositiveIntegerField(help_text="1, 2, … in the order of the input's values.")
    input_id = models.CharField(max_length=200, help_text="The input whose values are split.")
    first_value = models.PositiveIntegerField(
        help_text="Where the batch's values start among the input's values (0 for the first)."
    )
    inputs = models.JSONField(help_text="The inputs of this execution, encoded by parallel.py.")
    status = models.CharField(
        max_length=16, choices=JobBatchStatus.choices, default=JobBatchStatus.PENDING
    )
    progress = models.PositiveSmallIntegerField(default=0)
    results = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    worker = models.CharField(
        max_length=255, blank=True, help_text="host:pid of the process that claimed it."
    )
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    heartbeat = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["job", "number"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["job", "number"], name="unique_batch_number_per_job")
        ]

    def __str__(self) -> str:
        return f"batch {self.number} of {self.job_id} ({self.status})"
