"""Two deployed `docker` packages of the seed, normalised as deployment stores them, and
helpers to make their Process rows and accepted jobs.

- NDVI (§17.2.3): inputs bound as `prefix=value` (prefix + argumentSeparator "=").
- dsi (§19.3): its product references go in a parameter file at position 1.
"""

import copy
from pathlib import Path
from typing import Any

from django.conf import settings

from apps.accounts.models import User
from apps.jobs.models import Job, JobLogLine
from apps.processes.models import Process
from apps.processes.validation import execute_request_check


def _prefixed(prefix: str) -> list[dict[str, Any]]:
    return [
        {
            "role": "inputBinding",
            "parameters": [
                {"name": "prefix", "value": [prefix]},
                {"name": "argumentSeparator", "value": ["="]},
            ],
        }
    ]


def _band(title: str, prefix: str) -> dict[str, Any]:
    return {
        "title": title,
        "minOccurs": 0,
        "maxOccurs": 1,
        "schema": {"type": "integer", "minimum": 1, "maximum": 13},
        "additionalParameters": _prefixed(prefix),
    }


def _factor(title: str, prefix: str) -> dict[str, Any]:
    return {
        "title": title,
        "minOccurs": 0,
        "maxOccurs": 1,
        "schema": {"type": "number", "default": 1.0, "minimum": 0.0},
        "additionalParameters": _prefixed(prefix),
    }


def _cloud_coverage(title: str, prefix: str) -> dict[str, Any]:
    return {
        "title": title,
        "minOccurs": 0,
        "maxOccurs": 1,
        "schema": {"type": "integer", "minimum": 0, "maximum": 100},
        "additionalParameters": _prefixed(prefix),
    }


NDVI_DESCRIPTION: dict[str, Any] = {
    "id": "NdviCalculation",
    "title": "Calculation of NDVI using the SNAP toolbox for Sentinel-2",
    "description": "Calculation of NDVI using the SNAP toolbox for Sentinel-2",
    "version": "1.0.0",
    "keywords": ["Vegetation", "NDVI"],
    "jobControlOptions": ["async-execute"],
    "outputTransmission": ["value", "reference"],
    "inputs": {
        "source": {
            "title": "Source Input Image (sentinel-2 product in SAFE format)",
            "minOccurs": 1,
            "maxOccurs": 1,
            "schema": {
                "oneOf": [
                    {"type": "string"},
                    {"type": "string", "format": "uri"},
                    {
                        "type": "string",
                        "contentEncoding": "base64",
                        "contentMediaType": "application/zip",
                    },
                ]
            },
            "additionalParameters": _prefixed("sourceImage"),
        },
        "red_source_band": _band("the band to be used for the red band", "red_band"),
        "nir_source_band": _band("the band to be used for the near-infrared band", "nir_band"),
        "red_factor": _factor("the factor of the NRI", "red_factor"),
        "nir_factor": _factor("the factor of the NIR", "nir_factor"),
        "cloud_coverage": _cloud_coverage("The cloud coverage of the scene.", "cc"),
        "max_cloud_coverage": _cloud_coverage("The maximum cloud coverage of the scene.", "max_cc"),
    },
    "outputs": {
        "raster": {
            "title": "The raster of the resulting NDVI calculation",
            "schema": {
                "type": "string",
                "contentEncoding": "binary",
                "contentMediaType": "image/tiff; application=geotiff",
            },
        }
    },
    "jobTimeout": 600,
}

NDVI_UNIT: dict[str, Any] = {
    "type": "docker",
    "image": "eoc/ndvi:latest",
    "config": {
        "cpuMin": 2,
        "cpuMax": 4,
        "memoryMin": 1,
        "memoryMax": 3,
        "storageTempMin": 1,
        "storageOutputsMin": 1,
        "jobTimeout": 600,
    },
}

DSI_DESCRIPTION: dict[str, Any] = {
    "id": "dsi",
    "title": "Ship Detection Process",
    "description": (
        "A Process that detects ships in SAR images and outputs the detections into various "
        "output file formats including GeoJSON. SAR images from RS2 , RCM and Sentinel-1 "
        "are supported."
    ),
    "version": "1.0.0",
    "jobControlOptions": ["async-execute"],
    "outputTransmission": ["reference"],
    "inputs": {
        "productRef": {
            "title": "SAR Product Reference",
            "description": "A reference to a SAR product.",
            "minOccurs": 1,
            "maxOccurs": "unbounded",
            "schema": {"type": "string", "contentMediaType": "application/directory"},
            "additionalParameters": [
                {
                    "role": "inputBinding",
                    "parameters": [
                        {"name": "position", "value": ["1"]},
                        {"name": "valueForm", "value": ["parameterFile"]},
                    ],
                },
                {
                    "role": "clientHints",
                    "parameters": [{"name": "htmlInputType", "value": ["file"]}],
                },
            ],
        }
    },
    "outputs": {
        "output": {
            "title": "Ship Locations",
            "description": "Detected shop locations in GeoJSON.",
            "schema": {"type": "string", "contentMediaType": "application/geo+json"},
        }
    },
}

DSI_UNIT: dict[str, Any] = {
    "type": "docker",
    "image": "pvretano/dsi:latest",
    "config": {"cpuMin": 4},
}


def docker_process_create(
    owner: User,
    description: dict[str, Any],
    unit: dict[str, Any],
    *,
    identifier: str | None = None,
) -> Process:
    """A published process with this (normalised) description and docker unit."""
    return Process.objects.create(
        identifier=identifier or description["id"],
        title=description["title"],
        description=copy.deepcopy(description),
        execution_unit=copy.deepcopy(unit),
        execution_unit_type="docker",
        job_control_options=["async-execute"],
        state="published",
        owner=owner,
    )


def job_accept(user: User, process: Process, body: dict[str, Any]) -> Job:
    """An accepted job, as job_submit makes it, but queued nowhere: the test runs it."""
    request = execute_request_check(process.description, body)
    timeout = process.description.get("jobTimeout") or settings.JOB_DEFAULT_TIMEOUT_SECONDS
    job = Job.objects.create(
        owner=user,
        process=process,
        process_identifier=process.identifier,
        process_version=process.version,
        execute_request=body,
        inputs=request.inputs,
        response=request.response,
        job_timeout_seconds=int(timeout),
    )
    JobLogLine.objects.create(job=job, line=f"accepted: {process.identifier} {process.version}")
    return job


def holdings_file(relative: str, content: bytes) -> Path:
    """A file in the platform's holdings (`holdings/<relative>`), on the filesystem backend."""
    path = Path(settings.STORAGE_ROOT) / "holdings" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def log_lines(job: Job) -> list[str]:
    return list(job.log_lines.values_list("line", flat=True))
