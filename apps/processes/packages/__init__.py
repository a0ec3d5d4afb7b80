"""OGC Application Packages (§17, §19.3): read, normalise and check one.

Packages come in several encodings: the description directly under `processDescription`
or under `processDescription.process`; inputs and outputs as a list of objects with an
`id` (§17.2.3, §19.3) or as a map by id (§16.2.2, OGC API - Processes 1.0); `abstract`
for `description`; `formats` instead of a schema; one execution unit or a list of them;
or a bare CWL document. Every package is normalised to one form: an OGC 1.0 process
description plus one execution unit of a known type. Every problem found is reported at
once, so a developer fixes a package in one round.
"""

from dataclasses import dataclass, field
from typing import Any

import yaml

from apps.processes.packages.description import IDENTIFIER, process_description
from apps.processes.packages.review import ReviewCheck, package_review
from apps.processes.packages.units import (
    IMAGE_REFERENCE,
    cwl_unit,
    execution_unit,
    python_callable,
    unit_problems,
)

__all__ = [
    "CWL_MEDIA_TYPES",
    "IDENTIFIER",
    "IMAGE_REFERENCE",
    "PACKAGE_MEDIA_TYPE",
    "Package",
    "PackageError",
    "ReviewCheck",
    "package_read",
    "package_review",
    "python_callable",
]

PACKAGE_MEDIA_TYPE = "application/ogcapppkg+json"
CWL_MEDIA_TYPES = ("application/cwl+yaml", "application/cwl+json", "application/cwl")


class PackageError(ValueError):
    """The package cannot be deployed; `problems` says why, each in one sentence."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class Package:
    """A package in the one form the platform keeps and runs."""

    identifier: str
    version: str
    title: str
    description: dict[str, Any]
    execution_unit: dict[str, Any]
    job_control_options: list[str]
    document: dict[str, Any] = field(default_factory=dict)

    @property
    def execution_unit_type(self) -> str:
        return str(self.execution_unit["type"])


def package_read(body: bytes | str | dict[str, Any], media_type: str = "") -> Package:
    """The package a request body carries, normalised; PackageError lists every problem."""
    media_type = media_type.split(";")[0].strip().lower()
    if media_type in CWL_MEDIA_TYPES:
        return _package_from_cwl(body)
    document = body if isinstance(body, dict) else _json_or_yaml(body)
    if not isinstance(document, dict):
        raise PackageError(["The package must be a JSON object."])
    if "cwlVersion" in document:
        return _package_from_cwl(document)
    return _package_from_document(document)


def _json_or_yaml(body: bytes | str) -> Any:
    try:
        return yaml.safe_load(body)
    except yaml.YAMLError as error:
        raise PackageError([f"The package is not valid JSON or YAML: {error}"]) from error


def _package_from_cwl(body: bytes | str | dict[str, Any]) -> Package:
    from apps.processes import cwl

    problems: list[str] = []
    unit = cwl_unit(body.decode() if isinstance(body, bytes) else body, problems)
    if problems:
        raise PackageError(problems)
    description = cwl.cwl_description(unit["unit"])
    job_control_options = description.get("jobControlOptions", ["async-execute", "sync-execute"])
    return _package_of(description, {"jobControlOptions": job_control_options}, unit, problems)


def _package_from_document(document: dict[str, Any]) -> Package:
    problems: list[str] = []
    raw_description = document.get("processDescription")
    if isinstance(raw_description, dict) and isinstance(raw_description.get("process"), dict):
        raw_description = {**raw_description["process"], **_outside(raw_description)}
    if not isinstance(raw_description, dict):
        raise PackageError(["`processDescription` is missing or not an object."])
    unit = execution_unit(document.get("executionUnit"), problems)
    return _package_of(raw_description, document, unit, problems)


def _package_of(
    raw_description: dict[str, Any],
    document: dict[str, Any],
    unit: dict[str, Any],
    problems: list[str],
) -> Package:
    """The package of a description and an execution unit already read and checked."""
    description = process_description(raw_description, document, unit, problems)
    if unit:
        problems += unit_problems(unit, description)
    if problems:
        raise PackageError(problems)
    return Package(
        identifier=description["id"],
        version=description["version"],
        title=description.get("title") or description["id"],
        description=description,
        execution_unit=unit,
        job_control_options=description["jobControlOptions"],
        document={"processDescription": {"process": description}, "executionUnit": unit},
    )


def _outside(wrapper: dict[str, Any]) -> dict[str, Any]:
    """Members beside `process` in `processDescription` (jobControlOptions, …)."""
    return {key: value for key, value in wrapper.items() if key != "process"}
