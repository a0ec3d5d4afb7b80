"""Process definitions from files (seed 004): a folder of packages kept deployed."""

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from apps.accounts.models import User
from apps.ogc.errors import ApplicationError
from apps.processes.models import Process, ProcessState
from apps.processes.packages import CWL_MEDIA_TYPES, Package, PackageError, package_read
from apps.processes.services import (
    process_deploy,
    process_pending_revision,
    process_publish,
    process_replace,
    process_submit,
)

PACKAGE_SUFFIXES = {".json": "", ".yaml": "", ".yml": "", ".cwl": CWL_MEDIA_TYPES[0]}


@dataclass(frozen=True)
class LoadOutcome:
    """What happened to one file: deployed, updated, unchanged or invalid."""

    path: Path
    action: str
    identifier: str = ""
    problems: list[str] = field(default_factory=list)


def package_files(folder: Path) -> list[Path]:
    return sorted(
        path
        for path in folder.iterdir()
        if path.is_file() and path.suffix.lower() in PACKAGE_SUFFIXES
    )


def packages_load(folder: Path, *, owner: User, publish: bool = False) -> list[LoadOutcome]:
    """Deploy or update the process of every package file in the folder."""
    return [_load(path, owner=owner, publish=publish) for path in package_files(folder)]


def _load(path: Path, *, owner: User, publish: bool) -> LoadOutcome:
    try:
        package = package_read(path.read_bytes(), PACKAGE_SUFFIXES[path.suffix.lower()])
    except PackageError as error:
        return LoadOutcome(path, "invalid", problems=error.problems)
    try:
        action = _deploy_or_update(package, owner=owner, publish=publish)
    except ApplicationError as error:
        return LoadOutcome(path, "invalid", package.identifier, [error.detail])
    return LoadOutcome(path, action, package.identifier)


@transaction.atomic
def _deploy_or_update(package: Package, *, owner: User, publish: bool) -> str:
    process = Process.objects.filter(identifier=package.identifier).first()
    if process is None:
        process = process_deploy(user=owner, package=package)
        action = "deployed"
    elif _latest_package(process) == package.document:
        action = "unchanged"
    else:
        process_replace(user=owner, process=process, package=package)
        action = "updated"
    if publish and _awaits_publication(process):
        _publish(process, owner)
    return action


def _latest_package(process: Process) -> dict | None:
    """The package most recently deployed for the process, pending or live."""
    pending = process_pending_revision(process)
    revision = pending or process.live_revision
    return revision.package if revision is not None else None


def _awaits_publication(process: Process) -> bool:
    process.refresh_from_db()
    return process.state != ProcessState.PUBLISHED or process_pending_revision(process) is not None


def _publish(process: Process, owner: User) -> None:
    process.refresh_from_db()
    if process.state != ProcessState.SUBMITTED and not _has_submitted_revision(process):
        process_submit(user=owner, process=process)
    process_publish(user=owner, process=process)


def _has_submitted_revision(process: Process) -> bool:
    pending = process_pending_revision(process)
    return pending is not None and pending.state == "submitted"
