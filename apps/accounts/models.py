import hashlib
import ipaddress
from typing import ClassVar

from django.contrib.auth.models import AbstractUser
from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone


class Role(models.TextChoices):
    """The platform roles (§21.1); each is a Django group of the same name."""

    USER = "User"
    DEVELOPER = "Developer"
    ADMINISTRATOR = "Administrator"


class User(AbstractUser):
    """A platform account. New sign-ups wait for an administrator's approval."""

    phone = models.CharField(max_length=32, blank=True)
    is_approved = models.BooleanField(default=False)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    @property
    def full_name(self) -> str:
        return self.get_full_name() or self.username


class ApiToken(models.Model):
    """A named personal API token; only a SHA-256 digest of the secret is stored."""

    PREFIX = "tep_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12, help_text="The first characters, to recognise it.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["user", "name"],
                condition=Q(revoked_at__isnull=True),
                name="unique_active_token_name_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @staticmethod
    def digest_of(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @property
    def is_active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()


class AppliesTo(models.TextChoices):
    USER = "user", "a user"
    ROLE = "role", "a role"
    EVERYBODY = "everybody", "everybody"
    ADDRESS = "address", "an IP address or range"


class AccessRule(models.Model):
    """Grants operations on content to an identity, optionally only inside an area (§8.4).

    Rules only grant: an identity may do what the union of its matching, unexpired
    rules allows. `operations` and `resource_types` hold names or "*"; `resource_pattern`
    is a shell-style pattern over resource ids ("*", "ndvi", "sentinel-2/*").
    """

    name = models.CharField(max_length=200)
    applies_to = models.CharField(max_length=16, choices=AppliesTo.choices)
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="access_rules"
    )
    role = models.CharField(max_length=32, choices=Role.choices, blank=True)
    address = models.CharField(
        max_length=64, blank=True, help_text="An IPv4/IPv6 address or CIDR range."
    )
    operations = models.JSONField(default=list, help_text='e.g. ["execute"] or ["*"]')
    resource_types = models.JSONField(default=list, help_text='e.g. ["process"] or ["*"]')
    resource_pattern = models.CharField(max_length=255, default="*")
    allowed_area = models.MultiPolygonField(srid=4326, null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["name"]
        indexes: ClassVar = [models.Index(fields=["applies_to", "is_active"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.applies_to == AppliesTo.USER and self.user_id is None:
            raise ValidationError({"user": "A rule for a user needs the user."})
        if self.applies_to == AppliesTo.ROLE and not self.role:
            raise ValidationError({"role": "A rule for a role needs the role."})
        if self.applies_to == AppliesTo.ADDRESS:
            try:
                ipaddress.ip_network(self.address, strict=False)
            except ValueError as error:
                raise ValidationError({"address": str(error)}) from error
        for field in ("operations", "resource_types"):
            values = getattr(self, field)
            if (
                not isinstance(values, list)
                or not values
                or not all(isinstance(value, str) and value for value in values)
            ):
                raise ValidationError({field: "Give a non-empty list of names, or ['*']."})
