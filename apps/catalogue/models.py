"""The catalogue (§10): records describing every TEP resource, and their associations."""

import uuid
from typing import ClassVar

from django.conf import settings
from django.contrib.gis.db import models as gis
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, GistIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models


def new_record_id() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


class RecordType(models.TextChoices):
    """The resource types of §10.3."""

    DATASET = "dataset", "Data product collection"
    COLLECTION = "collection", "Feature or coverage collection"
    SOURCE = "source", "Image source"
    PROCESS = "process", "Application"
    FEATURE_SERVICE = "featureService", "Feature access endpoint"
    COVERAGE_SERVICE = "coverageService", "Coverage access endpoint"
    MAP_SERVICE = "mapService", "Map access endpoint"
    TILE_SERVICE = "tileService", "Tile access endpoint"
    STYLE = "style", "Style document"
    FILE = "file", "Workspace file"
    JOB_RESULT = "jobResult", "Job result"


class Visibility(models.TextChoices):
    PUBLIC = "public"
    PRIVATE = "private"


class Relation(models.TextChoices):
    """The association types of §10.4: <source> <relation> <target>."""

    RENDERS = "renders"
    TILES = "tiles"
    PARENT_OF = "parentOf"
    STYLES = "styles"
    OPERATES_ON = "operatesOn"
    OFFERS = "offers"
    DESCRIBES = "describes"
    ASSET = "asset"


class Record(models.Model):
    """One catalogue record: the core queryables of Table 1 as columns, the rest as JSON."""

    id = models.CharField(primary_key=True, max_length=200, default=new_record_id)
    type = models.CharField(max_length=32, choices=RecordType.choices)
    title = models.CharField(max_length=500)
    description = models.TextField(blank=True)
    keywords = ArrayField(models.CharField(max_length=200), default=list, blank=True)
    keywords_codespace = models.CharField(max_length=500, blank=True)
    language = models.CharField(max_length=35, default="en")
    external_ids = ArrayField(models.CharField(max_length=500), default=list, blank=True)
    created = models.DateTimeField(null=True, blank=True, help_text="The resource's creation.")
    updated = models.DateTimeField(null=True, blank=True, help_text="The resource's last change.")
    record_created = models.DateTimeField(auto_now_add=True)
    record_updated = models.DateTimeField(auto_now=True)
    publisher = models.CharField(max_length=500, blank=True)
    themes = models.JSONField(default=list, blank=True)
    formats = ArrayField(models.CharField(max_length=200), default=list, blank=True)
    contact_point = models.CharField(max_length=500, blank=True)
    license = models.CharField(max_length=500, blank=True)
    rights = models.TextField(blank=True)
    geometry = gis.GeometryField(srid=4326, null=True, blank=True)
    time_start = models.DateTimeField(null=True, blank=True)
    time_end = models.DateTimeField(null=True, blank=True)
    platform = models.CharField(max_length=100, blank=True)
    instrument = models.CharField(max_length=100, blank=True)
    cloud_cover = models.FloatField(null=True, blank=True)
    properties = models.JSONField(default=dict, blank=True, help_text="Other properties.")
    links = models.JSONField(default=list, blank=True, help_text="Links beyond associations.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="records",
    )
    visibility = models.CharField(
        max_length=8, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    readers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="readable_records",
        help_text="Who may see this private record besides its owner.",
    )
    source = models.CharField(
        max_length=1000,
        null=True,
        blank=True,
        unique=True,
        help_text="What the record was made from (a harvested URL, a process, a file): "
        "registering it again updates this record.",
    )
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        indexes: ClassVar = [
            GinIndex(fields=["search_vector"], name="record_search_gin"),
            gis.Index(fields=["type", "id"], name="record_type_id"),
            gis.Index(fields=["time_start"], name="record_time_start"),
            gis.Index(fields=["time_end"], name="record_time_end"),
            gis.Index(fields=["-record_updated", "id"], name="record_updated_idx"),
            # platform = … AND cloudCover < … (AND a time): a range of this index, the
            # time checked inside it, so such a search is counted from the index alone.
            gis.Index(
                fields=["platform", "cloud_cover"],
                include=["time_start", "time_end", "visibility"],
                name="record_platform_cloud",
            ),
            gis.Index(fields=["cloud_cover"], name="record_cloud_cover"),
            gis.Index(fields=["owner", "visibility"], name="record_owner_visibility"),
            GinIndex(fields=["external_ids"], name="record_external_ids_gin"),
            GinIndex(fields=["keywords"], name="record_keywords_gin"),
            GinIndex(fields=["formats"], name="record_formats_gin"),
            # Box, type and text in one index, each checked in it (the text by its lexemes'
            # hashes): a search combining them reads only the rows matching all three.
            GistIndex(fields=["geometry", "type", "search_vector"], name="record_place_gist"),
            # The same, newest first: ordered by distance to the far future (KNN), a search
            # of box, type or text finds its newest matches without reading the others.
            # Partial on a condition always true, which only a search bounded or ordered by
            # record_updated states: the planner cannot tell that this index, in time order,
            # narrows nothing by box or text alone, and would pick it to count such matches.
            GistIndex(
                fields=["record_updated", "geometry", "type", "search_vector"],
                condition=models.Q(record_updated__isnull=False),
                name="record_recent_gist",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.type})"


class Association(models.Model):
    """<source> <relation> <target>, where the target is a record or an outside URL."""

    source = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="outgoing")
    relation = models.CharField(max_length=16, choices=Relation.choices)
    target = models.ForeignKey(
        Record, null=True, blank=True, on_delete=models.CASCADE, related_name="incoming"
    )
    target_href = models.URLField(max_length=2000, blank=True)
    title = models.CharField(max_length=500, blank=True)
    media_type = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(target__isnull=False) | ~models.Q(target_href=""),
                name="association_has_a_target",
            ),
            models.UniqueConstraint(
                fields=["source", "relation", "target"],
                condition=models.Q(target__isnull=False),
                name="association_unique_record_target",
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["target", "relation"], name="association_target")]

    def __str__(self) -> str:
        return f"{self.source_id} {self.relation} {self.target_id or self.target_href}"
