"""OGC API - Processes end to end: HTTP requests, a real worker, official schemas."""

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from rest_framework.test import APIClient

from apps.accounts.models import AccessRule, AppliesTo, User
from apps.jobs.models import Job, JobStatus
from apps.processes.demo import demo_holdings_create
from apps.processes.models import Process
from apps.processes.services import processes_sync_builtins
from tests.clients import client_of
from tests.fixtures import wait_for
from tests.ogc import execute

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("celery_worker_process", "default_access_rules"),
]

Validate = Callable[[str, Any], None]


@pytest.fixture(autouse=True)
def _builtins() -> None:
    processes_sync_builtins()


@pytest.fixture
def alice_client(alice: User) -> APIClient:
    return client_of(alice)


def test_landing_conformance_and_process_list(
    alice_client: APIClient, ogc_validate: Validate
) -> None:
    landing = alice_client.get("/ogcapi/").json()
    conformance = alice_client.get("/ogcapi/conformance").json()
    processes = alice_client.get("/ogcapi/processes").json()

    ogc_validate("processes:landingPage", landing)
    ogc_validate("processes:conformance", conformance)
    ogc_validate("processes:processList", processes)
    assert (
        "http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/core" in conformance["conformsTo"]
    )
    assert {process["id"] for process in processes["processes"]} >= {
        "Add",
        "Mul",
        "countdown",
        "echo",
    }


def test_process_description_validates(alice_client: APIClient, ogc_validate: Validate) -> None:
    response = alice_client.get("/ogcapi/processes/Mul")
    assert response.status_code == 200
    ogc_validate("processes:process", response.json())
    assert response.json()["inputs"]["value1"]["schema"] == {"type": "number"}


def test_unknown_process_is_a_404_exception(alice_client: APIClient) -> None:
    response = alice_client.get("/ogcapi/processes/nope")
    assert response.status_code == 404
    assert response.json()["type"] == (
        "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/no-such-process"
    )


def test_sync_mul_returns_the_specification_result(
    alice_client: APIClient, ogc_validate: Validate
) -> None:
    response = execute(alice_client, "Mul", {"inputs": {"value1": 10.2, "value2": 13.5}})
    assert response.status_code == 200
    assert response.json() == {"result": 137.7}
    ogc_validate("processes:results", response.json())


def test_sync_raw_response_is_the_bare_value(alice_client: APIClient) -> None:
    response = execute(
        alice_client, "Add", {"inputs": {"value1": 1, "value2": 2}, "response": "raw"}
    )
    assert response.status_code == 200
    assert response.content == b"3"


def test_async_execution_lifecycle(alice_client: APIClient, ogc_validate: Validate) -> None:
    # when a job is submitted asynchronously
    response = execute(
        alice_client, "Mul", {"inputs": {"value1": 2, "value2": 21}}, HTTP_PREFER="respond-async"
    )

    # then it answers 201 with Location and a statusInfo
    assert response.status_code == 201
    assert response["Preference-Applied"] == "respond-async"
    status = response.json()
    ogc_validate("processes:statusInfo", status)
    assert response["Location"] == f"http://testserver/ogcapi/jobs/{status['jobID']}"

    # and the job finishes with its results, run log and single output
    job_url = f"/ogcapi/jobs/{status['jobID']}"
    done = wait_for(lambda: (s := alice_client.get(job_url).json())["status"] == "successful" and s)
    ogc_validate("processes:statusInfo", done)
    assert done["progress"] == 100
    assert "http://www.opengis.net/def/rel/ogc/1.0/results" in [
        link["rel"] for link in done["links"]
    ]
    assert alice_client.get(f"{job_url}/results").json() == {"result": 42}
    single = alice_client.get(f"{job_url}/results/result")
    assert (single["Content-Type"], single.content) == ("application/json", b"42")
    runlog = alice_client.get(f"{job_url}/runlog")
    assert runlog["Content-Type"] == "text/plain; charset=utf-8"
    assert [line.split(" ", 1)[1] for line in runlog.content.decode().splitlines()] == [
        "accepted: Mul 1.0.0",
        "running",
        "successful",
    ]
    listing = alice_client.get("/ogcapi/jobs").json()
    ogc_validate("processes:jobList", listing)
    assert [job["jobID"] for job in listing["jobs"]] == [status["jobID"]]


def test_dismiss_running_then_delete_finished(alice_client: APIClient) -> None:
    created = execute(
        alice_client, "countdown", {"inputs": {"seconds": 30}}, HTTP_PREFER="respond-async"
    ).json()
    job_url = f"/ogcapi/jobs/{created['jobID']}"
    wait_for(lambda: alice_client.get(job_url).json()["status"] == "running")

    dismissed = alice_client.delete(job_url)
    removed = alice_client.delete(job_url)

    assert dismissed.status_code == 200
    assert dismissed.json()["status"] == "dismissed"
    assert removed.status_code == 200
    assert alice_client.get(job_url).status_code == 404
    assert not Job.objects.filter(pk=created["jobID"]).exists()


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"inputs": {"value1": "x", "value2": 1}}, "Input 'value1': 'x' is not of type 'number'."),
        ({"inputs": {"value1": 1}}, "Missing input 'value2'."),
        ({"inputs": {"value1": 1, "value2": 2}, "outputs": {"sum": {}}}, "Unknown output 'sum'."),
    ],
)
def test_bad_requests_create_nothing(alice_client: APIClient, body: dict, problem: str) -> None:
    response = execute(alice_client, "Mul", body)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["problems"] == [problem]
    assert not Job.objects.exists()


def test_malformed_json_creates_nothing(alice_client: APIClient) -> None:
    response = alice_client.post(
        "/ogcapi/processes/Mul/execution", data="{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert not Job.objects.exists()


@pytest.mark.parametrize("suffix", ["", "/results", "/results/result", "/runlog"])
def test_other_users_get_404_for_a_job(alice_client: APIClient, make_user, suffix: str) -> None:
    job_id = execute(
        alice_client, "Mul", {"inputs": {"value1": 1, "value2": 1}}, HTTP_PREFER="respond-async"
    ).json()["jobID"]
    wait_for(lambda: Job.objects.get(pk=job_id).status == JobStatus.SUCCESSFUL)
    mallory = client_of(make_user("mallory"))

    assert mallory.get(f"/ogcapi/jobs/{job_id}{suffix}").status_code == 404
    assert mallory.delete(f"/ogcapi/jobs/{job_id}").status_code == 404
    assert mallory.get(f"/ogcapi/jobs/{uuid.uuid4()}{suffix}").status_code == 404
    assert Job.objects.filter(pk=job_id).exists()


def test_job_list_filters_and_keyset_pages(alice_client: APIClient) -> None:
    ids = [
        execute(
            alice_client, "Add", {"inputs": {"value1": n, "value2": 0}}, HTTP_PREFER="respond-async"
        ).json()["jobID"]
        for n in range(5)
    ]
    wait_for(lambda: Job.objects.filter(status=JobStatus.SUCCESSFUL).count() == 5)

    first = alice_client.get("/ogcapi/jobs?limit=2").json()
    next_url = next(link["href"] for link in first["links"] if link["rel"] == "next")
    second = alice_client.get(next_url).json()
    prev_url = next(link["href"] for link in second["links"] if link["rel"] == "prev")
    back = alice_client.get(prev_url).json()

    newest_first = list(reversed(ids))
    assert [job["jobID"] for job in first["jobs"]] == newest_first[:2]
    assert [job["jobID"] for job in second["jobs"]] == newest_first[2:4]
    assert [job["jobID"] for job in back["jobs"]] == newest_first[:2]
    assert alice_client.get("/ogcapi/jobs?processID=Mul").json()["jobs"] == []
    assert len(alice_client.get("/ogcapi/jobs?status=successful,failed").json()["jobs"]) == 5
    assert alice_client.get("/ogcapi/jobs?type=other").json()["jobs"] == []
    assert alice_client.get("/ogcapi/jobs?status=lost").status_code == 400


def test_anonymous_sees_no_jobs_and_cannot_execute(alice_client: APIClient) -> None:
    job_id = execute(
        alice_client, "Mul", {"inputs": {"value1": 1, "value2": 1}}, HTTP_PREFER="respond-async"
    ).json()["jobID"]
    anonymous = APIClient()

    assert anonymous.get("/ogcapi/jobs").json()["jobs"] == []
    assert anonymous.get(f"/ogcapi/jobs/{job_id}").status_code == 404
    assert anonymous.delete(f"/ogcapi/jobs/{job_id}").status_code == 404
    assert execute(anonymous, "Mul", {"inputs": {"value1": 1, "value2": 1}}).status_code == 401
    assert Job.objects.count() == 1


def test_execution_outside_the_allowed_area_is_refused(
    alice: User, alice_client: APIClient
) -> None:
    # given alice may run "echo" only inside a 10-degree square
    AccessRule.objects.filter(role="User").delete()
    AccessRule.objects.create(
        name="alice in the square",
        applies_to=AppliesTo.USER,
        user=alice,
        operations=["execute"],
        resource_types=["process"],
        resource_pattern="echo",
        allowed_area=MultiPolygon(Polygon.from_bbox((0, 0, 10, 10)), srid=4326),
    )
    inside = {"inputs": {"value": {"bbox": [2, 2, 3, 3]}}}
    outside = {"inputs": {"value": {"type": "Point", "coordinates": [20, 20]}}}

    # when she runs it inside, outside, and runs a process no rule grants
    allowed = execute(alice_client, "echo", inside)
    refused = execute(alice_client, "echo", outside)
    other = execute(alice_client, "Mul", {"inputs": {"value1": 1, "value2": 2}})

    # then only the run inside happens, and its job records the footprint
    assert allowed.status_code == 200
    assert refused.status_code == 403
    assert refused.json()["detail"] == "The requested area lies outside the area you may use."
    assert other.status_code == 403
    (job,) = Job.objects.all()
    assert job.footprint is not None
    assert job.footprint.extent == (2.0, 2.0, 3.0, 3.0)


def test_ndvi_on_a_holdings_file_returns_a_geotiff(alice_client: APIClient) -> None:
    # given the demo holdings
    demo_holdings_create()
    body = {"inputs": {"image": {"href": "holdings/demo/sentinel2-l2a-demo.tif"}}}

    # when NDVI runs on the demo scene
    created = execute(alice_client, "ndvi", body, HTTP_PREFER="respond-async").json()
    job_url = f"/ogcapi/jobs/{created['jobID']}"
    wait_for(lambda: alice_client.get(job_url).json()["status"] == "successful")

    # then its result is a reference to a GeoTIFF that downloads
    results = alice_client.get(f"{job_url}/results").json()
    assert results["ndvi"]["href"] == f"http://testserver{job_url}/results/ndvi"
    assert results["ndvi"]["type"] == "image/tiff; application=geotiff"
    download = alice_client.get(f"{job_url}/results/ndvi")
    content = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    assert download["Content-Type"] == "image/tiff; application=geotiff"
    assert content[:4] == b"II*\x00"


@pytest.mark.parametrize(
    ("href", "status", "detail"),
    [
        ("http://127.0.0.1:6379/", 403, "Inputs may not be fetched from '127.0.0.1'."),
        ("http://localhost/x.tif", 403, "Inputs may not be fetched from 'localhost'."),
        (
            "file:///etc/passwd",
            400,
            "Inputs by reference must be http(s) URLs, not 'file:///etc/passwd'.",
        ),
        ("holdings/../../etc/passwd", 400, "The path 'holdings/../../etc/passwd' is not allowed."),
        (
            "holdings/demo/nothing.tif",
            400,
            "There is no file 'holdings/demo/nothing.tif' in the platform's holdings.",
        ),
    ],
)
def test_unsafe_references_are_refused_before_a_job(
    alice_client: APIClient, href: str, status: int, detail: str
) -> None:
    response = execute(alice_client, "ndvi", {"inputs": {"image": {"href": href}}})
    assert response.status_code == status
    assert response.json()["detail"] == detail
    assert not Job.objects.exists()


def test_file_input_needs_a_reference(alice_client: APIClient) -> None:
    response = execute(alice_client, "ndvi", {"inputs": {"image": "not a file"}})
    assert response.status_code == 400
    assert response.json()["problems"] == [
        "Input 'image' is a file: give it by reference ({\"href\": …})."
    ]


def test_zonal_timeseries_with_an_inline_polygon(alice_client: APIClient) -> None:
    demo_holdings_create()
    polygon = {
        "type": "Polygon",
        "coordinates": [
            [[4.85, 52.38], [4.87, 52.38], [4.87, 52.40], [4.85, 52.40], [4.85, 52.38]]
        ],
    }
    body = {
        "inputs": {"image": {"href": "holdings/demo/ndvi-timeseries-2025.tif"}, "polygon": polygon}
    }

    response = execute(alice_client, "zonal-timeseries", body)

    assert response.status_code == 200
    series = response.json()["series"]
    assert [entry["date"] for entry in series][:2] == ["2025-01-15", "2025-02-15"]
    assert len(series) == 12
    (job,) = Job.objects.all()
    assert job.footprint is not None
    assert job.footprint.extent == pytest.approx((4.85, 52.38, 4.87, 52.40))


def test_huge_body_is_refused_and_creates_nothing(alice_client: APIClient, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = {"inputs": {"value": "x" * 20_000}}
    response = execute(alice_client, "echo", body)
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert not Job.objects.exists()


def test_job_timeout_is_enforced(alice_client: APIClient) -> None:
    Process.objects.filter(identifier="countdown").update(
        description={**Process.objects.get(identifier="countdown").description, "jobTimeout": 1}
    )
    created = execute(
        alice_client, "countdown", {"inputs": {"seconds": 30}}, HTTP_PREFER="respond-async"
    ).json()
    job_url = f"/ogcapi/jobs/{created['jobID']}"

    failed = wait_for(lambda: (s := alice_client.get(job_url).json())["status"] == "failed" and s)

    assert failed["message"] == "The job ran longer than 1 s."
    problem = alice_client.get(f"{job_url}/results")
    assert problem.status_code == 500
    assert problem.json()["type"].endswith("/timeout")


def test_job_list_and_process_list_queries_do_not_grow(
    alice_client: APIClient, django_assert_max_num_queries
) -> None:
    for n in range(3):
        execute(
            alice_client, "Add", {"inputs": {"value1": n, "value2": 1}}, HTTP_PREFER="respond-async"
        )
    with django_assert_max_num_queries(8):
        three = alice_client.get("/ogcapi/jobs?limit=50")
    for n in range(12):
        execute(
            alice_client, "Add", {"inputs": {"value1": n, "value2": 1}}, HTTP_PREFER="respond-async"
        )
    with django_assert_max_num_queries(8):
        fifteen = alice_client.get("/ogcapi/jobs?limit=50")
    with django_assert_max_num_queries(8):
        alice_client.get("/ogcapi/processes")
    assert (len(three.json()["jobs"]), len(fifteen.json()["jobs"])) == (3, 15)
