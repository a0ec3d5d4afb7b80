from django.conf import settings
from django.db import models


class Workspace(models.Model):
    """A user's file space (§9.1), created when an administrator approves the user."""

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workspace"
    )
    quota_bytes = models.BigIntegerField()
    used_bytes = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"workspace of {self.owner}"

    @property
    def storage_prefix(self) -> str:
        """Where the user's files live in platform storage (§9.1 layout)."""
        return f"users/{self.owner.username}/workspace/"
