from typing import ClassVar

from django.conf import settings
from django.db import models


class ProcessState(models.TextChoices):
    """A deployed application is private until its developer submits it (§6.8 note)."""

    PRIVATE = "private"
    SUBMITTED = "submitted"
    PUBLISHED = "published"
    REJECTED = "rejected"


class ExecutionUnitType(models.TextChoices):
    PYTHON = "python"
    BUILTIN = "builtin"
    DOCKER = "docker"
    CWL = "cwl"
    MOAW = "moaw"


class Process(models.Model):
    """A process offered through OGC API - Processes: built-in or deployed from a package."""

    identifier = models.SlugField(max_length=200, unique=True)
    version = models.CharField(max_length=50, default="1.0.0")
    title = models.CharField(max_length=300)
    description = models.JSONField(help_text="The OGC process description, without links.")
    execution_unit = models.JSONField(default=dict)
    execution_unit_type = models.CharField(max_length=16, choices=ExecutionUnitType.choices)
    job_control_options = models.JSONField(default=list)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="processes",
    )
    state = models.CharField(
        max_length=16, choices=ProcessState.choices, default=ProcessState.PRIVATE
    )
    rejection_reason = models.TextField(blank=True)
    live_revision = models.ForeignKey(
        "ProcessRevision",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The revision these fields show and new jobs run; none for built-ins.",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["identifier"]
        indexes: ClassVar = [models.Index(fields=["state", "identifier"])]

    def __str__(self) -> str:
        return f"{self.identifier} {self.version}"

    @property
    def is_deployed(self) -> bool:
        """Deployed from an application package, as opposed to built in."""
        return self.execution_unit_type != ExecutionUnitType.BUILTIN


class RevisionState(models.TextChoices):
    """Where one revision of a package stands; a published app's new revision waits here."""

    LIVE = "live"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"


# What a revision holds of its process: a deploy or replace writes them into a revision, and
# publishing a revision copies them into the process.
REVISED_FIELDS = (
    "version",
    "title",
    "description",
    "execution_unit",
    "execution_unit_type",
    "job_control_options",
)


class ProcessRevision(models.Model):
    """One deployed package of a process. Jobs run the revision they were accepted with,
    so replacing an application never changes a job already under way."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    version = models.CharField(max_length=50)
    title = models.CharField(max_length=300)
    description = models.JSONField()
    execution_unit = models.JSONField(default=dict)
    execution_unit_type = models.CharField(max_length=16, choices=ExecutionUnitType.choices)
    job_control_options = models.JSONField(default=list)
    package = models.JSONField(default=dict, help_text="The application package as deployed.")
    state = models.CharField(
        max_length=16, choices=RevisionState.choices, default=RevisionState.LIVE
    )
    rejection_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_checks = models.JSONField(
        default=list,
        blank=True,
        help_text="What the review checks found when the revision was submitted.",
    )

    class Meta:
        ordering: ClassVar = ["process", "-number"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["process", "number"], name="unique_revision_number")
        ]

    def __str__(self) -> str:
        return f"{self.process_id} revision {self.number} ({self.version})"

    def as_process(self) -> Process:
        """The process as this revision describes it (unsaved), for a runner."""
        process = self.process
        return Process(
            pk=process.pk,
            identifier=process.identifier,
            owner_id=process.owner_id,
            state=process.state,
            **{name: getattr(self, name) for name in REVISED_FIELDS},
        )


class RemoteProvider(models.Model):
    """A trusted federated TEP (§6.15) whose processes a workflow may call by URL."""

    name = models.CharField(max_length=100, unique=True)
    url = models.URLField(
        max_length=500, unique=True, help_text="The OGC API - Processes landing page."
    )
    token = models.CharField(
        max_length=500, blank=True, help_text="Sent as a bearer token with every request."
    )
    username = models.CharField(max_length=150, blank=True)
    password = models.CharField(max_length=150, blank=True)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name
