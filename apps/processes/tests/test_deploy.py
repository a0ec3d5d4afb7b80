"""OGC API - Processes - Part 2: deploy, replace and undeploy, and who may see what."""

import json
from collections.abc import Callable
from typing import Any

import pytest

from apps.accounts.models import User
from apps.catalogue.encoding import CATALOGUE_ID
from apps.jobs.services import job_run
from apps.notifications.models import Event
from apps.processes.cwl import cwl_description, cwl_load
from apps.processes.models import Process, ProcessState
from apps.processes.tests.package_examples import (
    dsi_package,
    muladd_package,
    ndvi_package,
    python_package,
)
from apps.processes.tests.test_cwl import MULADD, SHOUT
from tests.clients import client_of
from tests.fixtures import submit_job
from tests.ogc import PACKAGE, deploy, execute

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("default_access_rules")]


def test_a_developer_deploys_a_package_and_gets_its_summary_and_location(
    dana: User, ogc_validate: Callable[[str, Any], None]
) -> None:
    response = deploy(client_of(dana), dsi_package())

    assert response.status_code == 201
    assert response["Location"].endswith("/ogcapi/processes/dsi")
    summary = response.json()
    ogc_validate("processes:processSummary", summary)
    assert (summary["id"], summary["version"], summary["jobControlOptions"]) == (
        "dsi",
        "1.0.0",
        ["async-execute"],
    )
    process = Process.objects.get(identifier="dsi")
    assert (process.owner, process.state) == (dana, ProcessState.PRIVATE)
    assert process.execution_unit == {
        "type": "docker",
        "image": "pvretano/dsi:latest",
        "config": {"cpuMin": 4},
    }
    assert process.live_revision is not None
    assert process.live_revision.number == 1


def test_list_and_map_encodings_are_normalised_to_one_description(
    dana: User, ogc_validate: Callable[[str, Any], None]
) -> None:
    deploy(client_of(dana), ndvi_package())
    deploy(client_of(dana), muladd_package())

    ndvi = client_of(dana).get("/ogcapi/processes/NdviCalculation").json()
    ogc_validate("processes:process", ndvi)
    assert set(ndvi["inputs"]) == {
        "source",
        "red_source_band",
        "nir_source_band",
        "red_factor",
        "nir_factor",
        "cloud_coverage",
        "max_cloud_coverage",
    }
    assert ndvi["inputs"]["red_source_band"]["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 13,
    }
    assert ndvi["inputs"]["source"]["additionalParameters"]["parameters"] == [
        {"name": "prefix", "value": ["sourceImage"]},
        {"name": "argumentSeparator", "value": ["="]},
    ]
    assert ndvi["outputs"]["raster"]["schema"]["contentMediaType"] == (
        "image/tiff; application=geotiff"
    )
    muladd = client_of(dana).get("/ogcapi/processes/MulAdd").json()
    ogc_validate("processes:process", muladd)
    assert set(muladd["inputs"]) == {"value1", "value2", "value3"}
    assert muladd["jobControlOptions"] == ["sync-execute"]


def test_wps_formats_become_file_schemas_and_occurrences_numbers(dana: User) -> None:
    deploy(client_of(dana), dsi_package())

    product = Process.objects.get(identifier="dsi").description["inputs"]["productRef"]

    assert product["schema"] == {"type": "string", "contentMediaType": "application/directory"}
    assert (product["minOccurs"], product["maxOccurs"]) == (1, "unbounded")
    assert product["description"] == "A reference to a SAR product."
    roles = [group["role"] for group in product["additionalParameters"]]
    assert roles == ["inputBinding", "processingDirectives", "clientHints"]


def test_several_roles_of_one_input_are_served_as_one_valid_object(
    dana: User, ogc_validate: Callable[[str, Any], None]
) -> None:
    deploy(client_of(dana), dsi_package())

    description = client_of(dana).get("/ogcapi/processes/dsi").json()

    ogc_validate("processes:process", description)
    by_role = description["inputs"]["productRef"]["additionalParameters"]["parameters"]
    assert [group["name"] for group in by_role] == [
        "inputBinding",
        "processingDirectives",
        "clientHints",
    ]
    assert by_role[2]["value"] == [{"name": "htmlInputType", "value": ["file"]}]


def test_a_user_may_not_deploy(alice: User) -> None:
    response = deploy(client_of(alice), dsi_package())

    assert response.status_code == 403
    assert not Process.objects.filter(identifier="dsi").exists()


def test_anonymous_callers_must_sign_in_to_deploy() -> None:
    assert deploy(client_of(None), dsi_package()).status_code in (401, 403)


def test_an_invalid_package_lists_every_problem(dana: User) -> None:
    package = dsi_package()
    package["processDescription"]["id"] = "no spaces allowed"
    package["processDescription"]["inputs"][0]["maxOccurs"] = "many"
    package["processDescription"]["outputs"] = []
    package["executionUnit"][0]["unit"] = "Not An Image!"
    package["executionUnit"][0]["config"] = {"cpuMin": 4, "cpuMax": 2}

    response = deploy(client_of(dana), package)

    assert response.status_code == 400
    problem = response.json()
    assert problem["type"].endswith("/invalid-package")
    text = " ".join(problem["problems"])
    for expected in ("`id`", "maxOccurs", "no outputs", "image reference", "cpuMin"):
        assert expected in text
    assert len(problem["problems"]) == 5
    assert not Process.objects.exists() or not Process.objects.filter(owner=dana).exists()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("not json at all: [", "not valid JSON or YAML"),
        ("[1, 2]", "JSON object"),
        (json.dumps({"executionUnit": {"type": "docker", "image": "a/b:1"}}), "processDescription"),
    ],
)
def test_unreadable_packages_are_refused(dana: User, body: str, expected: str) -> None:
    response = client_of(dana).post("/ogcapi/processes", data=body, content_type=PACKAGE)

    assert response.status_code == 400
    assert expected in " ".join(response.json()["problems"])


def test_deploying_an_existing_id_is_a_conflict(dana: User) -> None:
    deploy(client_of(dana), dsi_package())

    response = deploy(client_of(dana), dsi_package())

    assert response.status_code == 409
    assert response.json()["type"].endswith("/duplicated-process")


def test_a_built_in_process_cannot_be_shadowed_or_replaced(dana: User, administrator: User) -> None:
    package = python_package("Add")
    assert deploy(client_of(dana), package).status_code == 409
    response = client_of(administrator).put(
        "/ogcapi/processes/Add", data=json.dumps(package), content_type=PACKAGE
    )
    assert response.status_code == 403


def test_replace_makes_a_new_revision_of_an_unpublished_app(dana: User) -> None:
    deploy(client_of(dana), dsi_package())
    package = dsi_package()
    package["processDescription"]["version"] = "1.1.0"
    package["executionUnit"][0]["unit"] = "pvretano/dsi:1.1"

    response = client_of(dana).put(
        "/ogcapi/processes/dsi", data=json.dumps(package), content_type=PACKAGE
    )

    assert response.status_code == 204
    process = Process.objects.get(identifier="dsi")
    assert (process.version, process.execution_unit["image"]) == ("1.1.0", "pvretano/dsi:1.1")
    assert [revision.number for revision in process.revisions.all()] == [2, 1]


def test_replace_must_describe_the_same_process(dana: User) -> None:
    deploy(client_of(dana), dsi_package())

    response = client_of(dana).put(
        "/ogcapi/processes/dsi", data=json.dumps(ndvi_package()), content_type=PACKAGE
    )

    assert response.status_code == 400
    assert "NdviCalculation" in response.json()["detail"]


def test_only_the_owner_replaces_or_undeploys(dana: User, make_user: Callable[..., User]) -> None:
    deploy(client_of(dana), dsi_package())
    other = make_user("olga", roles=("User", "Developer"))

    put = client_of(other).put(
        "/ogcapi/processes/dsi", data=json.dumps(dsi_package()), content_type=PACKAGE
    )
    delete = client_of(other).delete("/ogcapi/processes/dsi")

    assert (put.status_code, delete.status_code) == (404, 404)
    assert Process.objects.filter(identifier="dsi").exists()


def test_undeploy_removes_the_process(dana: User) -> None:
    deploy(client_of(dana), dsi_package())

    response = client_of(dana).delete("/ogcapi/processes/dsi")

    assert response.status_code == 204
    assert client_of(dana).get("/ogcapi/processes/dsi").status_code == 404
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    "route",
    [
        "/ogcapi/processes/dsi",
        "/ogcapi/processes/dsi?f=html",
        "/api/apps/dsi",
        "/api/apps/dsi/statistics",
    ],
)
def test_a_private_app_is_invisible_to_other_users(dana: User, alice: User, route: str) -> None:
    deploy(client_of(dana), dsi_package())

    assert client_of(alice).get(route).status_code == 404
    assert client_of(None).get(route).status_code in (401, 403, 404)
    assert client_of(dana).get(route).status_code == 200


def test_a_private_app_is_missing_from_lists_search_and_execution(dana: User, alice: User) -> None:
    deploy(client_of(dana), dsi_package())

    listed = client_of(alice).get("/ogcapi/processes?limit=1000").json()["processes"]
    records = client_of(alice).get(f"/catalogue/collections/{CATALOGUE_ID}/items?q=ship").json()
    own = client_of(dana).get(f"/catalogue/collections/{CATALOGUE_ID}/items?q=ship").json()
    execution = execute(
        client_of(alice), "dsi", {"inputs": {"productRef": [{"href": "holdings/x"}]}}
    )

    assert "dsi" not in {process["id"] for process in listed}
    assert (records["numberMatched"], own["numberMatched"]) == (0, 1)
    assert execution.status_code == 404


def test_part_2_conformance_is_declared() -> None:
    declared = client_of(None).get("/ogcapi/conformance").json()["conformsTo"]

    for name in ("deploy-replace-undeploy", "ogcapppkg", "cwl", "docker"):
        assert f"http://www.opengis.net/spec/ogcapi-processes-2/1.0/conf/{name}" in declared


def test_a_cwl_workflow_posted_directly_is_deployed_and_runs(dana: User) -> None:
    response = client_of(dana).post(
        "/ogcapi/processes", data=MULADD, content_type="application/cwl+yaml"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["id"] == "muladd"
    job = submit_job(dana, "muladd", {"inputs": {"value1": 10.2, "value2": 9.2, "value3": 4.3}})

    job_run(job_id=str(job.pk))

    job.refresh_from_db()
    assert job.status == "successful", job.message
    assert job.outputs.get(output_id="result").value == pytest.approx(137.7)


def test_a_cwl_command_line_tool_keeps_its_input_bindings(dana: User) -> None:
    client = client_of(dana)

    response = client.post("/ogcapi/processes", data=SHOUT, content_type="application/cwl+yaml")

    assert response.status_code == 201, response.json()
    described = client.get("/ogcapi/processes/shout").json()["inputs"]["times"]
    assert described["additionalParameters"]["parameters"] == [
        {"name": "position", "value": [1]},
        {"name": "prefix", "value": ["--times"]},
    ]


def cwl_tool_package() -> dict[str, Any]:
    """An OGC application package whose execution unit is the CWL tool `shout`."""
    return {
        "processDescription": cwl_description(cwl_load(SHOUT)),
        "executionUnit": {"type": "cwl", "unit": SHOUT},
    }


@pytest.mark.parametrize(
    ("body", "media_type"),
    [
        (MULADD, "application/cwl+yaml"),
        (json.dumps(cwl_tool_package()), PACKAGE),
    ],
    ids=["cwl-document", "package-with-cwl-unit"],
)
def test_a_cwl_deployment_validates_the_document_once(
    dana: User, cwl_validations: list[object], body: str, media_type: str
) -> None:
    # when a CWL document is deployed
    response = client_of(dana).post("/ogcapi/processes", data=body, content_type=media_type)

    # then it is deployed, and cwltool validated it once
    assert response.status_code == 201, response.json()
    assert len(cwl_validations) == 1


def test_a_broken_cwl_document_lists_its_problems(dana: User) -> None:
    response = client_of(dana).post(
        "/ogcapi/processes",
        data="cwlVersion: v1.2\nclass: Nonsense\ninputs: {}\noutputs: {}\n",
        content_type="application/cwl+yaml",
    )

    assert response.status_code == 400
    assert any("Nonsense" in problem for problem in response.json()["problems"])
