"""Which files a service serves, and copying them in: features into PostGIS, raster grids.

A user names storage keys (files or folders) or a job; the sources are checked (readable by
the owner, of a served type, of the service's one kind) and then loaded into the service.
"""

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.gis.db.models import Extent
from django.contrib.gis.geos import Polygon
from django.db.models import Max

from apps.accounts.models import User
from apps.jobs.models import Job, JobStatus
from apps.ogc.errors import ApplicationError, ConflictError, PermissionDeniedError
from apps.webservices import files, ingest
from apps.webservices.models import Service, ServiceFeature, ServiceKind, ServiceSource

FEATURE_BATCH = 2000
KINDS = {
    ingest.GEOJSON: ServiceKind.FEATURES,
    ingest.GEOPACKAGE: ServiceKind.FEATURES,
    ingest.GEOTIFF: ServiceKind.COVERAGE,
}
BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class SourceFile:
    """A file about to be served, with the job output it is, if it is one."""

    key: str
    media_type: str
    job: Job | None = None
    output_id: str = ""
    named: bool = True  # named by the user, not found in a folder or a job's outputs

    @property
    def kind(self) -> str:
        return KINDS[self.media_type]


# --- which files ---------------------------------------------------------------------------


def _job_output_of(key: str, owner: User) -> tuple[Job | None, str]:
    """The owner's job and output stored under `key`, when the key is a job's file."""
    match = re.match(rf"^{re.escape(files.workspace_prefix(owner.username))}jobs/([^/]+)/", key)
    if match is None:
        return None, ""
    try:
        job_id = uuid.UUID(match.group(1))
    except ValueError:
        return None, ""
    job = Job.objects.filter(pk=job_id, owner=owner).first()
    if job is None:
        return None, ""
    output = job.outputs.filter(storage_path=key).first()
    return job, output.output_id if output else ""


def _source_file(key: str, owner: User, *, named: bool) -> SourceFile:
    media_type = ingest.media_type_of(key)
    if media_type is None:
        raise ApplicationError(f"{key!r} is not GeoJSON, GeoPackage or GeoTIFF (by its extension).")
    job, output_id = _job_output_of(key, owner)
    return SourceFile(key, media_type, job, output_id, named=named)


def _files_at(key: str, owner: User) -> list[SourceFile]:
    """The file `key`, or the served files below it when it is a folder."""
    entry = files.stat(key)
    if entry is not None and not entry.is_folder:
        return [_source_file(key, owner, named=True)]
    found = [
        _source_file(item, owner, named=False)
        for item in files.walk(key)
        if ingest.media_type_of(item) is not None
    ]
    if entry is None and not found:
        raise ApplicationError(f"There is no file or folder {key!r}.")
    return found


def source_files_from_keys(*, keys: Iterable[str], owner: User) -> list[SourceFile]:
    """The files named by storage key (a folder: its served files), checked: `owner` may
    read them, they exist, and they are GeoJSON, GeoPackage or GeoTIFF."""
    return [
        source for key in keys for source in _files_at(files.key_check_readable(key, owner), owner)
    ]


def source_files_from_job(*, job: Job, owner: User) -> list[SourceFile]:
    """The served files of a successful job of `owner`: its outputs and its folder's files."""
    if job.owner_id != owner.pk:
        raise PermissionDeniedError("Only the owner of a job may publish its outputs.")
    if job.status != JobStatus.SUCCESSFUL:
        raise ConflictError(f"Job {job.pk} is {job.status}: only a successful job has outputs.")
    outputs = dict(job.outputs.exclude(storage_path="").values_list("storage_path", "output_id"))
    keys = sorted(set(outputs) | set(files.walk(job.storage_prefix)))
    return [
        SourceFile(key, media_type, job, outputs.get(key, ""), named=False)
        for key in keys
        if (media_type := ingest.media_type_of(key)) is not None
    ]


def _gather(*, owner: User, keys: Sequence[str], job: Job | None) -> list[SourceFile]:
    sources = source_files_from_keys(keys=keys, owner=owner)
    if job is not None:
        sources += source_files_from_job(job=job, owner=owner)
    unique = {source.key: source for source in sources}
    return list(unique.values())


def _of_kind(sources: list[SourceFile], kind: str | None) -> list[SourceFile]:
    """The sources a service of `kind` serves (`None`: the one kind they all are).

    A file the user named must be of that kind; one found in a folder or among a job's
    outputs (which may hold both vector and raster results) is left out when it is not.
    """
    kinds = {source.kind for source in sources}
    if kind is None:
        if len(kinds) > 1:
            raise ApplicationError(
                "These files hold both vector and raster data: choose the kind of service "
                "(features or coverage)."
            )
        kind = kinds.pop() if kinds else None
    if any(source.named and source.kind != kind for source in sources):
        raise ApplicationError(f"A {kind} service serves only files of that kind.")
    chosen = [source for source in sources if source.kind == kind]
    if not chosen:
        raise ApplicationError(f"There is no file for a {kind or 'web'} service to publish.")
    return chosen


def sources_for(
    *, owner: User, keys: Sequence[str], job: Job | None, kind: str | None
) -> list[SourceFile]:
    """The files named (and the job's outputs) that a service of `kind` serves."""
    return _of_kind(_gather(owner=owner, keys=keys, job=job), kind)


# --- copying the data in -------------------------------------------------------------------


def _footprint(extent: tuple[float, float, float, float] | None) -> Polygon | None:
    if extent is None:
        return None
    polygon = Polygon.from_bbox(extent)
    polygon.srid = 4326
    return polygon


def _load_features(service: Service, row: ServiceSource) -> None:
    """Replace the file's features; new ones are numbered after the service's last id."""
    row.features.all().delete()
    last = ServiceFeature.objects.filter(service=service).aggregate(last=Max("feature_id"))
    next_id = (last["last"] or 0) + 1
    batch: list[ServiceFeature] = []
    with files.local_file(row.key) as path:
        row.size_bytes = path.stat().st_size
        for offset, feature in enumerate(ingest.vector_features(path, row.media_type)):
            batch.append(
                ServiceFeature(
                    service=service,
                    source=row,
                    feature_id=next_id + offset,
                    geometry=feature.geometry,
                    properties=feature.properties,
                )
            )
            if len(batch) >= FEATURE_BATCH:
                ServiceFeature.objects.bulk_create(batch)
                batch = []
    ServiceFeature.objects.bulk_create(batch)
    row.footprint = _footprint(row.features.aggregate(extent=Extent("geometry"))["extent"])
    row.save()


def _load_raster(service: Service, row: ServiceSource) -> None:
    """Describe the raster's grid; the service's first raster sets how all of them render."""
    others = service.sources.exclude(pk=row.pk).order_by("pk")
    with files.local_file(row.key) as path:
        grid, footprint = ingest.raster_grid(path)
        first = others.first()
        if first is not None and first.raster.get("bands") != grid["bands"]:
            raise ApplicationError(
                f"{row.key} has {grid['bands']} band(s), the rasters of this service "
                f"{first.raster.get('bands')}: a coverage mosaics rasters of one band layout."
            )
        if first is None:
            service.style = ingest.raster_style(path)
        row.raster, row.footprint, row.size_bytes = grid, footprint, path.stat().st_size
    row.save()


def sources_load(service: Service, sources: list[SourceFile]) -> BBox | None:
    """Copy the sources in; the area they cover (for the update events)."""
    rows = []
    for source in sources:
        row, _created = ServiceSource.objects.update_or_create(
            service=service,
            key=source.key,
            defaults={
                "job": source.job,
                "output_id": source.output_id,
                "media_type": source.media_type,
            },
        )
        if service.kind == ServiceKind.FEATURES:
            _load_features(service, row)
        else:
            _load_raster(service, row)
        rows.append(row.pk)
    extent = service.sources.aggregate(extent=Extent("footprint"))["extent"]
    service.extent = _footprint(extent)
    service.save()
    added = ServiceSource.objects.filter(pk__in=rows).aggregate(extent=Extent("footprint"))
    return added["extent"]
