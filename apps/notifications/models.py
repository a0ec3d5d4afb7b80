from typing import ClassVar

from django.db import models


class EventType(models.TextChoices):
    """The TEP event types of §13.1."""

    QUOTA_WARNING_1 = "quotaWarning1"
    QUOTA_WARNING_2 = "quotaWarning2"
    QUOTA_EXCEEDED = "quotaExceeded"
    JOB_COMPLETED = "jobCompleted"
    JOB_FAILED = "jobFailed"
    APP_ADDED = "appAdded"
    APP_UPDATED = "appUpdated"
    APP_REMOVED = "appRemoved"
    DATA_SET_ADDED = "dataSetAdded"
    DATA_SET_UPDATED = "dataSetUpdated"
    DATA_SET_REMOVED = "dataSetRemoved"
    WEB_SERVICE_ADDED = "webServiceAdded"
    WEB_SERVICE_UPDATED = "webServiceUpdated"
    WEB_SERVICE_REMOVED = "webServiceRemoved"
    SHARED_WEB_SERVICE_ADDED = "sharedWebServiceAdded"
    SHARED_WEB_SERVICE_UPDATED = "sharedWebServiceUpdated"
    SHARED_WEB_SERVICE_REMOVED = "sharedWebServiceRemoved"


class Event(models.Model):
    """Something that happened on the platform (§13.3). Events are never deleted."""

    id = models.BigAutoField(primary_key=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    event_type = models.CharField(max_length=32, choices=EventType.choices)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [models.Index(fields=["event_type", "created_at"])]

    def __str__(self) -> str:
        return f"{self.event_type} #{self.pk}"

    def property_dict(self) -> dict[str, str]:
        """The event's properties; prefetch `properties` when reading many events."""
        return {prop.key: prop.value for prop in self.properties.all()}


class EventProperty(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="properties")
    key = models.CharField(max_length=255)
    value = models.TextField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["event", "key"], name="unique_event_property")
        ]

    def __str__(self) -> str:
        return f"{self.key}={self.value}"
