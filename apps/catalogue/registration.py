"""Records the platform writes by itself: applications, TEP-holdings datasets, job results.

Each is keyed by `Record.source`, so registering the same thing again updates its record.
"""

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.gis.geos import GEOSGeometry, Polygon
from django.db import transaction
from django.db.models import Q

from apps.catalogue.encoding import record_path
from apps.catalogue.indexing import search_vector_refresh
from apps.catalogue.models import Association, Record, RecordType, Relation, Visibility
from apps.notifications.events import EventType, record_event
from apps.ogc.links import public_request
from apps.workspaces.media import media_type_of
from apps.workspaces.models import ShareGrant

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.jobs.models import Job
    from apps.processes.models import Process
    from apps.webservices.models import Service


def process_source(identifier: str) -> str:
    return f"process:{identifier}"


def dataset_source(name: str) -> str:
    return f"holdings:{name}"


def _absolute(path: str) -> str:
    return public_request().build_absolute_uri(path)


def _upsert(source: str, values: dict[str, Any]) -> tuple[Record, bool]:
    record, created = Record.objects.update_or_create(source=source, defaults=values)
    search_vector_refresh(Record.objects.filter(pk=record.pk))
    return record, created


def _differs(record: Record, values: dict[str, Any]) -> bool:
    return any(getattr(record, name) != value for name, value in values.items())


@transaction.atomic
def process_record_sync(process: "Process") -> Record:
    """The application's record: public once published, else private to its developer.

    Links: `describedBy` its OGC process description; `operatesOn` associations from the
    `operatesOn` links of its package that name catalogue records.
    """
    from apps.processes.models import ProcessState

    description = process.description
    url = _absolute(f"/ogcapi/processes/{process.identifier}")
    record, _created = _upsert(
        process_source(process.identifier),
        {
            "type": RecordType.PROCESS,
            "title": process.title or process.identifier,
            "description": description.get("description", ""),
            "keywords": [str(keyword) for keyword in description.get("keywords", [])],
            "external_ids": [url],
            "formats": sorted(_output_media_types(description)),
            "owner": process.owner,
            "visibility": Visibility.PUBLIC
            if process.state == ProcessState.PUBLISHED
            else Visibility.PRIVATE,
            "links": [
                {
                    "rel": "describedBy",
                    "href": f"{url}?f=json",
                    "type": "application/json",
                    "title": "OGC API - Processes description",
                }
            ],
            "properties": {"processId": process.identifier, "version": process.version},
        },
    )
    _operates_on_from_package(record, description)
    return record


def _output_media_types(description: dict[str, Any]) -> set[str]:
    types = set()
    for output in (description.get("outputs") or {}).values():
        media_type = (output.get("schema") or {}).get("contentMediaType")
        if media_type:
            types.add(str(media_type))
    return types


def _operates_on_from_package(record: Record, description: dict[str, Any]) -> None:
    for item in description.get("links", []):
        if item.get("rel") != "operatesOn":
            continue
        target = Record.objects.filter(pk=str(item.get("href", "")).rsplit("/", 1)[-1]).first()
        if target is not None:
            association_add(record, Relation.OPERATES_ON, target)


def process_record_remove(identifier: str) -> None:
    Record.objects.filter(source=process_source(identifier)).delete()


def association_add(source: Record, relation: str, target: Record, title: str = "") -> None:
    Association.objects.get_or_create(
        source=source, relation=relation, target=target, defaults={"title": title}
    )


def _bbox_text(geometry: GEOSGeometry | None) -> str:
    if geometry is None:
        return "-180,-90,180,90"
    return ",".join(f"{value:g}" for value in geometry.extent)


@transaction.atomic
def dataset_register(
    *,
    name: str,
    title: str,
    description: str,
    bbox: tuple[float, float, float, float],
    time_start: datetime | None = None,
    time_end: datetime | None = None,
    keywords: list[str] | None = None,
    formats: list[str] | None = None,
    license: str = "",
    platform: str = "",
    instrument: str = "",
    publisher: str = "",
    files: list[str] | None = None,
    registered_by: "User | None" = None,
) -> Record:
    """Register (or update) a TEP-holdings dataset: its record and a dataSetAdded/Updated event."""
    geometry = Polygon.from_bbox(bbox)
    geometry.srid = 4326
    values = {
        "type": RecordType.DATASET,
        "title": title,
        "description": description,
        "keywords": keywords or [],
        "formats": formats or [],
        "license": license,
        "platform": platform,
        "instrument": instrument,
        "publisher": publisher,
        "geometry": geometry,
        "time_start": time_start,
        "time_end": time_end,
        "owner": registered_by,
        "visibility": Visibility.PUBLIC,
        "properties": {"fsetName": name, "holdingsFiles": files or []},
    }
    existing = Record.objects.filter(source=dataset_source(name)).first()
    if existing is not None and not _differs(existing, values):
        return existing
    record, created = _upsert(dataset_source(name), values)
    url = _absolute(record_path(record.pk) + "?f=html")
    common = {"fsetName": name, "fsetTitle": title, "bbox": _bbox_text(geometry), "dataSetUrl": url}
    if created:
        record_event(EventType.DATA_SET_ADDED, fsetDescription=description, **common)
    else:
        record_event(EventType.DATA_SET_UPDATED, **common)
    return record


def dataset_files(name: str) -> list[str]:
    """The holdings files (`holdings/…`) of the dataset registered as `name`."""
    record = Record.objects.filter(source=dataset_source(name)).first()
    return [str(path) for path in record.properties.get("holdingsFiles", [])] if record else []


@transaction.atomic
def dataset_remove(name: str) -> bool:
    record = Record.objects.filter(source=dataset_source(name)).first()
    if record is None:
        return False
    record_event(
        EventType.DATA_SET_REMOVED,
        fsetName=name,
        fsetTitle=record.title,
        bbox=_bbox_text(record.geometry),
    )
    record.delete()
    return True


def job_results_register(job: "Job") -> list[Record]:
    """Private records of a finished job's output files, visible to its owner (and grantees)."""
    records = []
    for output in job.outputs.exclude(storage_path=""):
        results_url = _absolute(f"/ogcapi/jobs/{job.pk}/results/{output.output_id}")
        footprint = job.footprint
        record, _created = _upsert(
            f"job:{job.pk}:{output.output_id}",
            {
                "type": RecordType.JOB_RESULT,
                "title": f"{output.output_id} of {job.process_identifier} ({job.pk})",
                "description": f"Output {output.output_id} of job {job.pk}.",
                "keywords": [job.process_identifier, "result"],
                "formats": [output.media_type] if output.media_type else [],
                "owner": job.owner,
                "visibility": Visibility.PRIVATE,
                "geometry": footprint,
                "time_start": job.finished,
                "time_end": job.finished,
                "created": job.finished,
                "links": [
                    {
                        "rel": "enclosure",
                        "href": results_url,
                        "type": output.media_type,
                        "title": "Download",
                    },
                    {
                        "rel": "related",
                        "href": _absolute(f"/ogcapi/jobs/{job.pk}"),
                        "type": "application/json",
                        "title": "The job",
                    },
                ],
                "properties": {"jobId": str(job.pk), "outputId": output.output_id},
            },
        )
        records.append(record)
    return records


def service_source(service: "Service") -> str:
    return f"webservice:{service.pk}"


def _service_targets(service: "Service") -> list[Record]:
    """The records of the service's files: job results, and TEP-holdings datasets."""
    sources = list(service.sources.all())
    if not sources:
        return []
    query = Q(source__in=[f"job:{item.job_id}:{item.output_id}" for item in sources if item.job_id])
    for item in sources:
        query |= Q(type=RecordType.DATASET, properties__holdingsFiles__contains=[item.key])
    return list(Record.objects.filter(query).distinct())


def _service_links(url: str, *, is_features: bool) -> list[dict[str, str]]:
    def item(rel: str, href: str, media_type: str, title: str) -> dict[str, str]:
        return {"rel": rel, "href": href, "type": media_type, "title": title}

    links = [item("collection", url, "application/json", "OGC API collection")]
    if is_features:
        return [*links, item("items", f"{url}/items", "application/geo+json", "Features")]
    return [
        *links,
        item("enclosure", f"{url}/coverage", "image/tiff; application=geotiff", "Coverage"),
        item("preview", f"{url}/map", "image/png", "Map image"),
    ]


@transaction.atomic
def service_record_sync(service: "Service") -> Record:
    """The web service's record: its visibility mirrors the service's (readers included).

    A features service `offers` its files' records; a coverage service also `renders` and
    `tiles` them (its map image and map tiles).
    """
    url = _absolute(service.path)
    is_features = service.kind == "features"
    record, _created = _upsert(
        service_source(service),
        {
            "type": RecordType.FEATURE_SERVICE if is_features else RecordType.COVERAGE_SERVICE,
            "title": service.title,
            "description": service.description,
            "keywords": ["web service", service.kind],
            "external_ids": [url],
            "formats": ["application/geo+json"]
            if is_features
            else ["image/tiff; application=geotiff", "image/png"],
            "owner": service.owner,
            "visibility": Visibility.PUBLIC if service.is_public else Visibility.PRIVATE,
            "geometry": service.extent,
            "created": service.created,
            "updated": service.updated,
            "links": _service_links(url, is_features=is_features),
            "properties": {"serviceId": service.identifier, "kind": service.kind},
        },
    )
    record.readers.set(service.readers.all())
    relations = (
        [Relation.OFFERS] if is_features else [Relation.OFFERS, Relation.RENDERS, Relation.TILES]
    )
    for target in _service_targets(service):
        for relation in relations:
            association_add(record, relation, target)
    return record


def service_record_remove(service: "Service") -> None:
    Record.objects.filter(source=service_source(service)).delete()


# --- workspace files ------------------------------------------------------------------------


def file_source(key: str) -> str:
    return f"file:{key}"


def _workspace_key(owner: "User", path: str) -> str:
    return f"users/{owner.username}/workspace/{path}".rstrip("/")


def _grantees(owner: "User", path: str) -> tuple[list[int], bool]:
    """Who may read `path` through a grant on it or on a folder above it; and everybody?"""
    readers, everyone = [], False
    for grant in ShareGrant.objects.filter(owner=owner):
        if path == grant.path or path.startswith(f"{grant.path}/"):
            everyone = everyone or grant.is_everyone
            if grant.grantee_id is not None:
                readers.append(grant.grantee_id)
    return readers, everyone


def workspace_file_record_sync(*, owner: "User", path: str, size: int) -> Record | None:
    """A private record of a workspace file, visible to its owner and the users it is shared
    with (public when shared with everybody). Job folders are left out: job results have
    records of their own."""
    if path.split("/")[0] == "jobs":
        return None
    name = path.rsplit("/", 1)[-1]
    media_type = media_type_of(name)
    readers, everyone = _grantees(owner, path)
    record, _created = _upsert(
        file_source(_workspace_key(owner, path)),
        {
            "type": RecordType.FILE,
            "title": name,
            "description": f"{path} in the workspace of {owner.username} ({size} bytes).",
            "keywords": ["workspace", name.rpartition(".")[2].lower()] if "." in name else [],
            "formats": [media_type],
            "owner": owner,
            "visibility": Visibility.PUBLIC if everyone else Visibility.PRIVATE,
            "external_ids": [path],
            "properties": {"workspacePath": path, "size": size},
            "links": [
                {
                    "rel": "enclosure",
                    "href": _absolute(f"/api/workspace/files/{path}"),
                    "type": media_type,
                    "title": "Download (the owner's path)",
                }
            ],
        },
    )
    record.readers.set(readers)
    return record


def _file_records_under(owner: "User", path: str) -> Any:
    key = _workspace_key(owner, path)
    return Record.objects.filter(
        Q(source=file_source(key)) | Q(source__startswith=file_source(f"{key}/"))
    )


def workspace_file_records_remove(*, owner: "User", path: str) -> None:
    """Drop the records of a deleted file, or of everything in a deleted folder."""
    _file_records_under(owner, path).delete()


def workspace_file_records_share(*, owner: "User", path: str) -> None:
    """After a grant changed: who may see the records at or below `path`."""
    for record in _file_records_under(owner, path):
        file_path = str(record.properties.get("workspacePath", ""))
        readers, everyone = _grantees(owner, file_path)
        record.readers.set(readers)
        visibility = Visibility.PUBLIC if everyone else Visibility.PRIVATE
        if record.visibility != visibility:
            Record.objects.filter(pk=record.pk).update(visibility=visibility)
