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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["identifier"]
        indexes: ClassVar = [models.Index(fields=["state", "identifier"])]

    def __str__(self) -> str:
        return f"{self.identifier} {self.version}"
