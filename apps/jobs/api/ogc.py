"""OGC API - Processes documents for jobs: statusInfo, job list entries and results."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest

from apps.jobs.models import Job, JobOutput, JobStatus
from apps.ogc.links import HTML, JSON, link

RESULTS_REL = "http://www.opengis.net/def/rel/ogc/1.0/results"
EXCEPTION_TYPE = "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/"


def timestamp(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _job_links(request: HttpRequest, job: Job) -> list[dict[str, str]]:
    path = f"/ogcapi/jobs/{job.pk}"
    links = [
        link(request, path, rel="self", type=JSON, title="Job status", query={"f": "json"}),
        link(request, path, rel="monitor", type=JSON, title="Monitor the job"),
        link(
            request,
            path,
            rel="alternate",
            type=HTML,
            title="Job status as HTML",
            query={"f": "html"},
        ),
        link(request, f"{path}/runlog", rel="log", type="text/plain", title="Run log"),
    ]
    if not job.is_finished:
        links.append(link(request, path, rel="cancel", type=JSON, title="Dismiss the job"))
    else:
        links.append(link(request, path, rel="edit", type=JSON, title="Delete the job"))
    if job.status in (JobStatus.SUCCESSFUL, JobStatus.FAILED):
        links.append(link(request, f"{path}/results", rel=RESULTS_REL, type=JSON, title="Results"))
    return links


def status_info(request: HttpRequest, job: Job) -> dict[str, Any]:
    document: dict[str, Any] = {
        "processID": job.process_identifier,
        "type": "process",
        "jobID": str(job.pk),
        "status": job.status,
        "message": job.message,
        "created": timestamp(job.created),
        "started": timestamp(job.started),
        "finished": timestamp(job.finished),
        "updated": timestamp(job.updated),
        "progress": job.progress,
        "links": _job_links(request, job),
    }
    return {key: value for key, value in document.items() if value is not None}


def output_href(request: HttpRequest, job: Job, output: JobOutput) -> str:
    return request.build_absolute_uri(f"/ogcapi/jobs/{job.pk}/results/{output.output_id}")


def output_value(request: HttpRequest, job: Job, output: JobOutput, mode: str) -> Any:
    """One entry of a results document: inline value, qualified value or link."""
    if output.storage_path or mode == "reference":
        return {
            "href": output_href(request, job, output),
            "type": output.media_type,
            "rel": RESULTS_REL,
            "title": output.output_id,
        }
    if isinstance(output.value, dict):
        return {"value": output.value, "mediaType": "application/json"}
    return output.value


def _requested(output_id: str, requested: dict[str, Any]) -> dict[str, Any] | None:
    """How an output was requested; `raster` also requests `raster.1`, `raster.2`, …, the
    files of a job run in parallel batches. None when it was not."""
    base, _, number = output_id.rpartition(".")
    if output_id not in requested and base and number.isdigit():
        return requested.get(base)
    return requested.get(output_id)


def results_document(
    request: HttpRequest, job: Job, outputs: list[JobOutput], requested: dict[str, Any]
) -> dict[str, Any]:
    """The results of a successful job, restricted to the requested outputs if any."""
    chosen = [
        output
        for output in outputs
        if not requested or _requested(output.output_id, requested) is not None
    ]
    return {
        output.output_id: output_value(
            request,
            job,
            output,
            (_requested(output.output_id, requested) or {}).get("transmissionMode", "value"),
        )
        for output in chosen
    }


def no_such_job(job_id: str) -> dict[str, Any]:
    return {
        "type": EXCEPTION_TYPE + "no-such-job",
        "title": "No such job",
        "status": 404,
        "detail": f"There is no job {job_id!r}.",
    }
