"""Publishing: data copied in, extents, catalogue records, events, sharing and removal."""

from collections.abc import Callable

import pytest

from apps.accounts.models import User
from apps.catalogue.models import Association, Record, Visibility
from apps.catalogue.registration import dataset_register, service_source
from apps.jobs.models import Job, JobOutput, JobStatus
from apps.notifications.models import Event
from apps.ogc.errors import ApplicationError, ConflictError, PermissionDeniedError
from apps.webservices import services
from apps.webservices.models import Service, ServiceFeature
from apps.webservices.tests.conftest import FIELDS, SCENE, ndvi_tiff
from apps.workspaces.storage import platform_storage

pytestmark = pytest.mark.django_db

SERVICE_EVENTS = (
    "webServiceAdded",
    "webServiceUpdated",
    "webServiceRemoved",
    "sharedWebServiceAdded",
    "sharedWebServiceUpdated",
    "sharedWebServiceRemoved",
)


def service_events() -> list[tuple[str, dict[str, str]]]:
    events = Event.objects.filter(event_type__in=SERVICE_EVENTS).order_by("pk")
    return [(event.event_type, event.property_dict()) for event in events]


def bbox_of(properties: dict[str, str]) -> list[float]:
    return [float(value) for value in properties["bbox"].split(",")]


def record_of(service: Service) -> Record:
    return Record.objects.get(source=service_source(service))


def test_a_geojson_file_becomes_features_with_an_extent(alice: User) -> None:
    # when
    service = services.service_create(owner=alice, title="Demo fields", files=[FIELDS])

    # then
    assert (service.identifier, service.kind, service.is_public) == (
        "demo-fields",
        "features",
        False,
    )
    features = list(ServiceFeature.objects.filter(service=service).order_by("feature_id"))
    assert [feature.feature_id for feature in features] == [1, 2]
    assert [feature.properties for feature in features] == [
        {"name": "north field"},
        {"name": "south field"},
    ]
    assert service.bbox == pytest.approx((4.85, 52.32, 4.91, 52.40))
    assert service_events() == []


def test_a_geopackage_is_read_through_gdal_and_reprojected(
    alice: User, geopackage_key: str
) -> None:
    service = services.service_create(owner=alice, title="Fields", files=[geopackage_key])

    features = ServiceFeature.objects.filter(service=service).order_by("feature_id")
    assert [feature.properties["name"] for feature in features] == ["north field", "south field"]
    assert service.bbox == pytest.approx((4.85, 52.32, 4.91, 52.40), abs=1e-6)


def test_a_geotiff_becomes_a_coverage_with_a_style_from_its_statistics(alice: User) -> None:
    service = services.service_create(owner=alice, title="Scene", files=[SCENE])

    assert service.kind == "coverage"
    assert service.bbox == pytest.approx((4.80, 52.29, 4.96, 52.45))
    assert service.style["bands"] == [3, 2, 1]  # red, green, blue by band name
    assert len(service.style["rescale"]) == 3
    assert "colormap" not in service.style


def test_a_single_band_index_renders_with_a_diverging_colormap(alice: User, ndvi_key: str) -> None:
    service = services.service_create(owner=alice, title="NDVI", files=[ndvi_key])

    assert service.style["bands"] == [1]
    assert service.style["colormap"] == "rdylgn"


def test_identifiers_are_unique_per_owner(alice: User, bob: User) -> None:
    first = services.service_create(owner=alice, title="Fields", files=[FIELDS])
    second = services.service_create(owner=alice, title="Fields", files=[FIELDS])
    bobs = services.service_create(owner=bob, title="Fields", files=[FIELDS])

    assert [first.identifier, second.identifier, bobs.identifier] == [
        "fields",
        "fields-2",
        "fields",
    ]
    with pytest.raises(ConflictError):
        services.service_create(owner=alice, title="x", identifier="fields", files=[FIELDS])


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (["users/bob/workspace/secret.geojson"], "not in your workspace"),
        (["users/alice/workspace/../../bob/workspace/x.tif"], "not allowed"),
        (["users/alice/workspace/missing.geojson"], "no file or folder"),
        (["holdings/demo"], "both vector and raster"),
    ],
)
def test_files_that_cannot_be_published_are_refused(
    alice: User, files: list[str], message: str
) -> None:
    with pytest.raises(ApplicationError, match=message):
        services.service_create(owner=alice, title="Nope", files=files)

    assert not Service.objects.exists()


def test_a_folder_of_mixed_data_publishes_the_kind_asked_for(alice: User) -> None:
    service = services.service_create(
        owner=alice, title="Demo vectors", files=["holdings/demo"], kind="features"
    )

    assert list(service.sources.values_list("key", flat=True)) == [FIELDS]


def test_adding_files_appends_features_and_grows_the_extent(alice: User, grid_key: str) -> None:
    service = services.service_create(owner=alice, title="Fields", files=[FIELDS])

    services.service_add_files(service=service, user=alice, files=[grid_key])

    ids = list(service.features.order_by("feature_id").values_list("feature_id", flat=True))
    assert ids == list(range(1, 28))
    service.refresh_from_db()
    assert service.bbox == pytest.approx((4.0, 52.0, 4.91, 52.40))
    with pytest.raises(ApplicationError, match="features service serves only"):
        services.service_add_files(service=service, user=alice, files=[SCENE])


def test_adding_a_file_again_replaces_its_features(
    alice: User, grid_key: str, workspace_files: Callable[[str, bytes], str]
) -> None:
    service = services.service_create(owner=alice, title="Grid", files=[grid_key])
    workspace_files(grid_key, b'{"type": "FeatureCollection", "features": []}')

    services.service_add_files(service=service, user=alice, files=[grid_key])

    assert service.features.count() == 0


def test_a_raster_of_another_band_layout_is_refused(alice: User, ndvi_key: str) -> None:
    service = services.service_create(owner=alice, title="Scene", files=[SCENE])

    with pytest.raises(ApplicationError, match="band layout"):
        services.service_add_files(service=service, user=alice, files=[ndvi_key])

    assert service.sources.count() == 1


def test_only_the_owner_manages_a_service(alice: User, bob: User) -> None:
    service = services.service_create(owner=alice, title="Fields", files=[FIELDS])
    services.service_share(service=service, user=alice, grantee=bob)

    with pytest.raises(PermissionDeniedError):
        services.service_retitle(service=service, user=bob, title="Mine now")
    with pytest.raises(PermissionDeniedError):
        services.service_remove(service=service, user=bob)

    service.refresh_from_db()
    assert service.title == "Fields"


def test_the_catalogue_record_follows_the_service(alice: User, bob: User) -> None:
    dataset = dataset_register(
        name="demo-fields",
        title="Fields",
        description="Demo fields",
        bbox=(4.85, 52.32, 4.91, 52.40),
        files=[FIELDS],
    )
    service = services.service_create(owner=alice, title="Fields", files=[FIELDS])
    record = record_of(service)
    assert (record.type, record.visibility, record.title) == (
        "featureService",
        Visibility.PRIVATE,
        "Fields",
    )
    assert Association.objects.filter(source=record, relation="offers", target=dataset).exists()

    services.service_retitle(service=service, user=alice, title="Parcels", description="Two")
    services.service_share(service=service, user=alice, grantee=bob)
    services.service_set_public(service=service, user=alice, public=True)
    record.refresh_from_db()
    assert (record.title, record.description, record.visibility) == (
        "Parcels",
        "Two",
        Visibility.PUBLIC,
    )
    assert list(record.readers.all()) == [bob]

    services.service_remove(service=service, user=alice)
    assert not Record.objects.filter(source=service_source(service)).exists()
    assert Record.objects.filter(pk=dataset.pk).exists()


def test_a_coverage_record_renders_and_tiles_the_job_result(alice: User) -> None:
    job = Job.objects.create(
        owner=alice, process_identifier="ndvi", process_version="1", status=JobStatus.SUCCESSFUL
    )
    key = f"{job.storage_prefix}ndvi.tif"
    JobOutput.objects.create(job=job, output_id="ndvi", storage_path=key, media_type="image/tiff")
    platform_storage().write(key, [ndvi_tiff()])
    result = Record.objects.create(
        source=f"job:{job.pk}:ndvi", type="jobResult", title="NDVI", owner=alice
    )

    service = services.service_create(owner=alice, title="NDVI", job=job)

    record = record_of(service)
    assert record.type == "coverageService"
    relations = set(
        Association.objects.filter(source=record, target=result).values_list("relation", flat=True)
    )
    assert relations == {"offers", "renders", "tiles"}


def test_sharing_and_opening_a_service_records_shared_events_once(
    alice: User, bob: User, carol: User, grid_key: str
) -> None:
    service = services.service_create(owner=alice, title="Grid", files=[grid_key])

    services.service_share(service=service, user=alice, grantee=bob)
    services.service_share(service=service, user=alice, grantee=bob)
    services.service_add_files(service=service, user=alice, files=[FIELDS])
    services.service_unshare(service=service, user=alice, grantee=bob)
    services.service_set_public(service=service, user=alice, public=True)
    services.service_set_public(service=service, user=alice, public=True)
    services.service_share(service=service, user=alice, grantee=carol)
    services.service_remove(service=service, user=alice)

    events = service_events()
    assert [(kind, properties.get("sharedWith")) for kind, properties in events] == [
        ("sharedWebServiceAdded", "bob"),
        ("sharedWebServiceUpdated", "bob"),
        ("sharedWebServiceRemoved", "bob"),
        ("sharedWebServiceAdded", None),
        ("sharedWebServiceRemoved", None),
    ]
    added = events[0][1]
    assert added["owner"] == "alice"
    assert added["ownerName"] == "Alice Liddell"
    assert added["fsetName"] == "grid"
    assert added["fsetTitle"] == "Grid"
    assert bbox_of(added) == pytest.approx([4.0, 52.0, 4.09, 52.02])
    assert added["webServiceUrl"].endswith("/services/alice/collections/grid")
    assert "/catalogue/collections/tep-catalogue/items/urn:uuid:" in added["dataSetUrl"]
    assert bbox_of(events[1][1]) == pytest.approx([4.85, 52.32, 4.91, 52.4])  # the added file


def test_administrators_publish_tep_holdings_with_web_service_events(
    administrator: User, alice: User, grid_key: str
) -> None:
    with pytest.raises(PermissionDeniedError):
        services.service_create(owner=alice, title="Fields", files=[FIELDS], holdings=True)

    service = services.service_create(
        owner=administrator, title="Demo fields", files=[FIELDS], holdings=True
    )
    services.service_add_files(service=service, user=administrator, files=["holdings/demo"])
    services.service_remove(service=service, user=administrator)

    events = service_events()
    assert [kind for kind, _properties in events] == [
        "webServiceAdded",
        "webServiceUpdated",
        "webServiceRemoved",
    ]
    assert events[0][1]["fsetName"] == "demo-fields"
    assert "sharedWith" not in events[0][1]
    assert service.is_public


def test_publishing_a_job_creates_the_endpoint_then_adds_to_it(
    alice: User, workspace_files: Callable[[str, bytes], str]
) -> None:
    jobs = []
    for index in range(2):
        job = Job.objects.create(
            owner=alice, process_identifier="ndvi", process_version="1", status=JobStatus.SUCCESSFUL
        )
        workspace_files(f"{job.storage_prefix}ndvi.tif", ndvi_tiff(west=4.8 + index))
        workspace_files(f"{job.storage_prefix}run.log", b"done")
        jobs.append(job)
    endpoint = "https://tep.example/services/alice/collections/ndvi-results"

    first = services.service_publish_job(job=jobs[0], endpoint=endpoint)
    second = services.service_publish_job(
        job=jobs[1], endpoint="/services/alice/collections/ndvi-results"
    )

    assert first.pk == second.pk
    assert (second.identifier, second.title, second.kind) == (
        "ndvi-results",
        "ndvi-results",
        "coverage",
    )
    assert second.sources.count() == 2
    assert set(second.sources.values_list("job_id", flat=True)) == {job.pk for job in jobs}
    with pytest.raises(PermissionDeniedError):
        services.service_publish_job(job=jobs[0], endpoint="/services/bob/collections/x")
    with pytest.raises(ApplicationError):
        services.service_publish_job(job=jobs[0], endpoint="https://elsewhere/not/a/collection")


def test_only_successful_jobs_are_published(alice: User) -> None:
    job = Job.objects.create(
        owner=alice, process_identifier="ndvi", process_version="1", status=JobStatus.FAILED
    )

    with pytest.raises(ConflictError):
        services.service_create(owner=alice, title="Nothing", job=job)
