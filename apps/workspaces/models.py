from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone


def default_quota_bytes() -> int:
    return int(settings.WORKSPACE_DEFAULT_QUOTA_BYTES)


class Workspace(models.Model):
    """A user's file space (§9.1), created when an administrator approves the user.

    `used_bytes` counts the bytes of the workspace and of unfinished uploads; it is only
    changed by conditional or relative UPDATEs (apps/workspaces/services/quota.py).
    """

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workspace"
    )
    quota_bytes = models.BigIntegerField(default=default_quota_bytes)
    used_bytes = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"workspace of {self.owner}"

    @property
    def storage_prefix(self) -> str:
        """Where the user's files live in platform storage (§9.1 layout)."""
        return f"users/{self.owner.username}/workspace/"

    @property
    def used_percent(self) -> float:
        return round(100 * self.used_bytes / self.quota_bytes, 1) if self.quota_bytes else 100.0


class SharePermission(models.TextChoices):
    READ = "r", "read"


class ShareGrant(models.Model):
    """Read access to a file or folder of the owner's workspace (§9.7 `access_control`).

    `path` is relative to the owner's workspace root; a grant on a folder covers all that
    is in it. The grantee is one user, or everybody when `is_everyone` (grantee empty).
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="share_grants"
    )
    path = models.CharField(max_length=1024)
    grantee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="received_share_grants",
    )
    is_everyone = models.BooleanField(default=False)
    permission = models.CharField(
        max_length=1, choices=SharePermission.choices, default=SharePermission.READ
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("path", "pk")
        constraints = (
            models.CheckConstraint(
                condition=Q(is_everyone=True, grantee__isnull=True)
                | Q(is_everyone=False, grantee__isnull=False),
                name="workspaces_sharegrant_grantee_xor_everyone",
            ),
            models.UniqueConstraint(
                fields=("owner", "path", "grantee"),
                condition=Q(grantee__isnull=False),
                name="workspaces_sharegrant_once_per_grantee",
            ),
            models.UniqueConstraint(
                fields=("owner", "path"),
                condition=Q(is_everyone=True),
                name="workspaces_sharegrant_once_for_everyone",
            ),
        )
        indexes = (models.Index(fields=("owner", "path"), name="workspaces_share_owner_path"),)

    def __str__(self) -> str:
        return f"{self.owner} shares {self.path} with {self.grantee_name}"

    @property
    def grantee_name(self) -> str:
        """The grantee's username, or "*" for everybody."""
        return "*" if self.is_everyone or self.grantee is None else self.grantee.username


class Upload(models.Model):
    """A chunked upload in progress (PUT with Content-Range).

    Each chunk is stored as its own object under `users/{username}/uploads/{pk}/`, named in
    `parts` once it is accepted; the last chunk joins them into the file.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="uploads")
    path = models.CharField(max_length=1024)
    total_bytes = models.BigIntegerField()
    received_bytes = models.BigIntegerField(default=0)
    parts = ArrayField(models.CharField(max_length=64), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("workspace", "path"), name="workspaces_upload_once_per_path"
            ),
        )

    def __str__(self) -> str:
        return f"upload of {self.path} ({self.received_bytes} of {self.total_bytes} bytes)"
