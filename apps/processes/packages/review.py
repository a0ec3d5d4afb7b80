"""The review of a submitted package (§6.8 note): what an administrator checks."""

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from apps.processes.models import ExecutionUnitType
from apps.processes.packages.units import IMAGE_REFERENCE, numbers


@dataclass(frozen=True)
class ReviewCheck:
    name: str
    passed: bool
    detail: str


def package_review(description: dict[str, Any], unit: dict[str, Any]) -> list[ReviewCheck]:
    """What an administrator checks before publishing: each check passed or why not."""
    checks = [_description_check(description)]
    if unit.get("type") == ExecutionUnitType.DOCKER:
        image = str(unit.get("image", ""))
        checks.append(
            ReviewCheck(
                "Image reference",
                bool(IMAGE_REFERENCE.match(image)) and not image.endswith(":latest"),
                f"{image}"
                + (
                    " (a moving tag: prefer a fixed tag or digest)"
                    if image.endswith(":latest")
                    else ""
                ),
            )
        )
        checks.append(_limits_check(unit.get("config") or {}, description))
    if unit.get("type") == ExecutionUnitType.CWL:
        from apps.processes import cwl

        problems = cwl.cwl_problems(unit.get("unit") or {})
        checks.append(ReviewCheck("CWL valid", not problems, "; ".join(problems) or "valid"))
    return checks


def _description_check(description: dict[str, Any]) -> ReviewCheck:
    missing = []
    if not description.get("description"):
        missing.append("the process's description")
    for kind in ("inputs", "outputs"):
        for identifier, parameter in (description.get(kind) or {}).items():
            if not parameter.get("title") or parameter.get("title") == identifier:
                missing.append(f"a title for {kind[:-1]} '{identifier}'")
            if not parameter.get("schema"):
                missing.append(f"a schema for {kind[:-1]} '{identifier}'")
    return ReviewCheck(
        "Description complete",
        not missing,
        "missing " + ", ".join(missing) if missing else "complete",
    )


def _limits_check(config: dict[str, Any], description: dict[str, Any]) -> ReviewCheck:
    limits = {
        "cpuMax": settings.PROCESS_MAX_CPU,
        "cpuMin": settings.PROCESS_MAX_CPU,
        "memoryMax": settings.PROCESS_MAX_MEMORY_GB,
        "memoryMin": settings.PROCESS_MAX_MEMORY_GB,
        "storageTempMin": settings.PROCESS_MAX_STORAGE_GB,
        "storageOutputsMin": settings.PROCESS_MAX_STORAGE_GB,
    }
    over = [
        f"{name} {config[name]} > {limit:g}"
        for name, limit in limits.items()
        if numbers(config.get(name)) and config[name] > limit
    ]
    timeout = description.get("jobTimeout")
    if numbers(timeout) and timeout > settings.PROCESS_MAX_TIMEOUT_SECONDS:
        over.append(f"jobTimeout {timeout} > {settings.PROCESS_MAX_TIMEOUT_SECONDS}")
    return ReviewCheck(
        "Resource limits", not over, "; ".join(over) if over else "within the platform's limits"
    )
