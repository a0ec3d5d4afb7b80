"""Published web services (§9.6): a user's files or job outputs served as one OGC API collection."""

from typing import ClassVar

from django.conf import settings
from django.contrib.gis.db import models as gis
from django.db import models


class ServiceKind(models.TextChoices):
    FEATURES = "features", "Features (vector data)"
    COVERAGE = "coverage", "Coverage with map tiles (raster data)"


class Service(models.Model):
    """One collection under `/services/{owner}/collections/{identifier}`.

    `holdings` marks a service an administrator published as a TEP holding (always public);
    `readers` are the users a private service is shared with. `extent` is the union of the
    sources' footprints and `style` how a raster service renders (bands, rescale, colormap),
    both computed from the data when files are added.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="web_services"
    )
    identifier = models.SlugField(max_length=100)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=16, choices=ServiceKind.choices)
    is_public = models.BooleanField(default=False)
    holdings = models.BooleanField(default=False)
    readers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="readable_web_services",
        help_text="Who may use this private service besides its owner.",
    )
    extent = gis.PolygonField(srid=4326, null=True, blank=True)
    style = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["owner", "identifier"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["owner", "identifier"], name="webservice_identifier_per_owner"
            )
        ]
        indexes: ClassVar = [models.Index(fields=["is_public"], name="webservice_public")]

    def __str__(self) -> str:
        return f"{self.owner_id}/{self.identifier}"

    @property
    def path(self) -> str:
        """The service's OGC API collection path."""
        return f"/services/{self.owner.username}/collections/{self.identifier}"

    @property
    def bbox(self) -> tuple[float, float, float, float] | None:
        if self.extent is None:
            return None
        west, south, east, north = self.extent.extent
        return (west, south, east, north)


class ServiceSource(models.Model):
    """A file the service serves: its storage key, and the job output it came from, if any."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="sources")
    key = models.CharField(max_length=1024)
    job = models.ForeignKey(
        "jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    output_id = models.CharField(max_length=200, blank=True)
    media_type = models.CharField(max_length=200)
    size_bytes = models.BigIntegerField(default=0)
    footprint = gis.PolygonField(srid=4326, null=True, blank=True)
    raster = models.JSONField(
        default=dict, blank=True, help_text="A raster's grid: crs, bands, size, data type."
    )
    added = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["service", "key"], name="webservice_source_unique")
        ]

    def __str__(self) -> str:
        return self.key


class ServiceFeature(models.Model):
    """A feature of a features service, copied from its source so queries run in PostGIS."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="features")
    source = models.ForeignKey(ServiceSource, on_delete=models.CASCADE, related_name="features")
    feature_id = models.PositiveBigIntegerField()
    # spatial_index (the default) gives the column its GiST index.
    geometry = gis.GeometryField(srid=4326, null=True, blank=True, spatial_index=True)
    properties = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering: ClassVar = ["service", "feature_id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["service", "feature_id"], name="webservice_feature_id_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service_id}:{self.feature_id}"
