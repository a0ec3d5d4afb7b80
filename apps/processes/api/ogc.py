"""OGC API - Processes documents for processes: summaries and descriptions."""

from typing import Any

from django.http import HttpRequest

from apps.ogc.links import HTML, JSON, link
from apps.processes.models import Process

EXECUTE_REL = "http://www.opengis.net/def/rel/ogc/1.0/execute"
JOB_LIST_REL = "http://www.opengis.net/def/rel/ogc/1.0/job-list"

SUMMARY_MEMBERS = (
    "id",
    "title",
    "description",
    "version",
    "keywords",
    "metadata",
    "jobControlOptions",
    "outputTransmission",
)


def _process_links(request: HttpRequest, process: Process, *, rel: str) -> list[dict[str, str]]:
    path = f"/ogcapi/processes/{process.identifier}"
    return [
        link(request, path, rel=rel, type=JSON, title="Process description", query={"f": "json"}),
        link(
            request,
            path,
            rel="alternate",
            type=HTML,
            title="Process description as HTML",
            query={"f": "html"},
        ),
        link(request, f"{path}/execution", rel=EXECUTE_REL, type=JSON, title="Execute"),
    ]


def process_summary(request: HttpRequest, process: Process) -> dict[str, Any]:
    description = process.description
    summary = {key: description[key] for key in SUMMARY_MEMBERS if key in description}
    summary.update(
        {
            "id": process.identifier,
            "version": process.version,
            "jobControlOptions": process.job_control_options,
            "links": _process_links(request, process, rel="self"),
        }
    )
    return summary


def ogc_additional_parameters(groups: Any) -> Any:
    """§17.2.4 lists one group per role; OGC 1.0 allows one object. One group is that
    object; several become one object whose parameters are named by role, each holding
    that role's parameters, so nothing is lost and the document stays valid."""
    if not isinstance(groups, list):
        return groups
    if len(groups) == 1:
        return groups[0]
    return {
        "title": "Additional parameters by role",
        "parameters": [
            {"name": str(group.get("role", "")), "value": list(group.get("parameters", []))}
            for group in groups
            if isinstance(group, dict)
        ],
    }


def _described(parameters: dict[str, Any]) -> dict[str, Any]:
    described = {}
    for identifier, parameter in parameters.items():
        if isinstance(parameter, dict) and "additionalParameters" in parameter:
            parameter = {
                **parameter,
                "additionalParameters": ogc_additional_parameters(
                    parameter["additionalParameters"]
                ),
            }
        described[identifier] = parameter
    return described


def process_description(request: HttpRequest, process: Process) -> dict[str, Any]:
    document = process_summary(request, process)
    document["inputs"] = _described(process.description.get("inputs", {}))
    document["outputs"] = _described(process.description.get("outputs", {}))
    document["links"] = [
        *_process_links(request, process, rel="self"),
        link(
            request,
            "/ogcapi/jobs",
            rel=JOB_LIST_REL,
            type=JSON,
            title="Jobs",
            query={"processID": process.identifier},
        ),
    ]
    return document
