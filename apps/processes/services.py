"""Process registry changes: built-ins, and deploying, reviewing and removing packages.

A deployed application is private to its developer until they submit it and an
administrator publishes it (§6.8 note). Every deployment is kept as a revision: a
published application replaced by its developer keeps serving its published revision
until the new one is published in turn, and jobs always run the revision they were
accepted with.
"""

from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Role, User
from apps.accounts.services import user_has_role
from apps.catalogue.registration import process_record_remove, process_record_sync
from apps.notifications.events import EventType, record_event
from apps.ogc.errors import ApplicationError, ConflictError, PermissionDeniedError
from apps.ogc.links import public_request
from apps.processes.models import (
    REVISED_FIELDS,
    ExecutionUnitType,
    Process,
    ProcessRevision,
    ProcessState,
    RevisionState,
)
from apps.processes.packages import Package, package_review
from apps.processes.registry import BuiltinProcess, registered_processes

DUPLICATE_PROCESS = (
    "http://www.opengis.net/def/exceptions/ogcapi-processes-2/1.0/duplicated-process"
)
IMMUTABLE_PROCESS = "http://www.opengis.net/def/exceptions/ogcapi-processes-2/1.0/immutable-process"


def _builtin_fields(builtin: BuiltinProcess) -> dict[str, object]:
    return {
        "version": builtin.version,
        "title": builtin.title,
        "description": builtin.description_document(),
        "execution_unit": {"type": ExecutionUnitType.BUILTIN, "function": builtin.id},
        "execution_unit_type": ExecutionUnitType.BUILTIN,
        "job_control_options": list(builtin.job_control_options),
        "state": ProcessState.PUBLISHED,
        "owner": None,
    }


@transaction.atomic
def processes_sync_builtins() -> list[Process]:
    """Make the process table match the registered built-ins (created or refreshed)."""
    synced = []
    for builtin in registered_processes().values():
        process, _created = Process.objects.update_or_create(
            identifier=builtin.id, defaults=_builtin_fields(builtin)
        )
        process_record_sync(process)
        synced.append(process)
    return synced


# --- Deploy, replace, undeploy (OGC API - Processes - Part 2) ---------------------------


def user_may_deploy(user: User | None) -> bool:
    return bool(
        user
        and user.is_authenticated
        and (user_has_role(user, Role.DEVELOPER) or user_has_role(user, Role.ADMINISTRATOR))
    )


def _deployer_check(user: User) -> None:
    if not user_may_deploy(user):
        raise PermissionDeniedError("Only developers may deploy, replace or undeploy processes.")


def _owner_check(user: User, process: Process) -> None:
    if process.execution_unit_type == ExecutionUnitType.BUILTIN:
        raise ApplicationError(
            f"{process.identifier!r} is built into the platform and cannot be changed.",
            status=403,
            type=IMMUTABLE_PROCESS,
        )
    if process.owner_id != user.pk and not user_has_role(user, Role.ADMINISTRATOR):
        raise PermissionDeniedError(f"The process {process.identifier!r} is not yours.")


def _revised_fields(source: Package | ProcessRevision) -> dict[str, Any]:
    """The fields a revision holds and its process shows while it is live."""
    return {name: getattr(source, name) for name in REVISED_FIELDS}


def _revision_create(process: Process, package: Package, user: User, state: str) -> ProcessRevision:
    number = process.revisions.order_by("-number").values_list("number", flat=True).first() or 0
    return ProcessRevision.objects.create(
        process=process,
        number=number + 1,
        **_revised_fields(package),
        package=package.document,
        state=state,
        created_by=user,
    )


def _apply(process: Process, revision: ProcessRevision) -> None:
    """Make the revision the one the process shows and new jobs run."""
    for name, value in _revised_fields(revision).items():
        setattr(process, name, value)
    process.live_revision = revision
    process.revisions.filter(state=RevisionState.LIVE).exclude(pk=revision.pk).update(
        state=RevisionState.SUPERSEDED
    )
    revision.state = RevisionState.LIVE
    revision.save(update_fields=["state"])


@transaction.atomic
def process_deploy(*, user: User, package: Package) -> Process:
    """Deploy a package as a new process, private to its developer."""
    _deployer_check(user)
    if Process.objects.select_for_update().filter(identifier=package.identifier).exists():
        raise ConflictError(
            f"A process {package.identifier!r} exists already; replace it with PUT.",
            type=DUPLICATE_PROCESS,
            title="Duplicated process",
        )
    process = Process.objects.create(
        identifier=package.identifier,
        **_revised_fields(package),
        owner=user,
        state=ProcessState.PRIVATE,
    )
    _apply(process, _revision_create(process, package, user, RevisionState.LIVE))
    process.save()
    process_record_sync(process)
    return process


@transaction.atomic
def process_replace(*, user: User, process: Process, package: Package) -> ProcessRevision:
    """Replace a process's package.

    Unpublished, the new revision takes effect at once (a rejected app becomes private
    again). Published, it waits as a draft until it is submitted and published, so users
    keep the version an administrator approved.
    """
    _deployer_check(user)
    _owner_check(user, process)
    if package.identifier != process.identifier:
        raise ApplicationError(
            f"The package describes {package.identifier!r}, not {process.identifier!r}."
        )
    process = Process.objects.select_for_update().get(pk=process.pk)
    if process.state == ProcessState.PUBLISHED:
        process.revisions.filter(state__in=[RevisionState.DRAFT, RevisionState.SUBMITTED]).update(
            state=RevisionState.SUPERSEDED
        )
        return _revision_create(process, package, user, RevisionState.DRAFT)
    revision = _revision_create(process, package, user, RevisionState.LIVE)
    _apply(process, revision)
    if process.state == ProcessState.REJECTED:
        process.state, process.rejection_reason = ProcessState.PRIVATE, ""
    process.save()
    process_record_sync(process)
    if process.state == ProcessState.SUBMITTED:
        _review_checks_keep(revision)
    return revision


@transaction.atomic
def process_undeploy(*, user: User, process: Process) -> None:
    """Remove a process; jobs keep their results and history, a published app's removal
    is announced (appRemoved)."""
    _deployer_check(user)
    _owner_check(user, process)
    was_published = process.state == ProcessState.PUBLISHED
    title = process.title
    process_record_remove(process.identifier)
    process.delete()
    if was_published:
        record_event(EventType.APP_REMOVED, appTitle=title)


# --- Submission and review (§6.8 note) -------------------------------------------------


PENDING_REVISION_STATES = (RevisionState.DRAFT, RevisionState.SUBMITTED, RevisionState.REJECTED)


def process_pending_revision(process: Process) -> ProcessRevision | None:
    """A published app's newer revision waiting to be submitted or reviewed."""
    return process.revisions.filter(state__in=PENDING_REVISION_STATES).order_by("-number").first()


def pending_revision_among(revisions: Iterable[ProcessRevision]) -> ProcessRevision | None:
    """`process_pending_revision` from revisions already read (a page's rows)."""
    pending = [revision for revision in revisions if revision.state in PENDING_REVISION_STATES]
    return max(pending, key=lambda revision: revision.number, default=None)


def process_may_submit(process: Process, pending: ProcessRevision | None) -> bool:
    """Whether `process_submit` accepts the app, given its pending revision."""
    if process.state == ProcessState.PUBLISHED:
        return pending is not None and pending.state != RevisionState.SUBMITTED
    return process.state in (ProcessState.PRIVATE, ProcessState.REJECTED)


def process_may_withdraw(process: Process, pending: ProcessRevision | None) -> bool:
    """Whether `process_withdraw` accepts the app, given its pending revision."""
    if process.state == ProcessState.SUBMITTED:
        return True
    return pending is not None and pending.state == RevisionState.SUBMITTED


@transaction.atomic
def process_submit(*, user: User, process: Process) -> Process:
    """Ask for publication: of the app, or of a published app's new revision."""
    _owner_check(user, process)
    process = Process.objects.select_for_update().get(pk=process.pk)
    pending = process_pending_revision(process)
    if not process_may_submit(process, pending):
        if process.state == ProcessState.SUBMITTED:
            raise ConflictError("The application is already waiting for review.")
        raise ConflictError("There is no new revision of this application to submit.")
    under_review: ProcessRevision | None
    if process.state == ProcessState.PUBLISHED and pending is not None:
        pending.state, pending.rejection_reason = RevisionState.SUBMITTED, ""
        pending.save(update_fields=["state", "rejection_reason"])
        under_review = pending
    else:
        process.state, process.rejection_reason = ProcessState.SUBMITTED, ""
        under_review = process.live_revision
    process.submitted_at = timezone.now()
    process.save()
    if under_review is not None:
        _review_checks_keep(under_review)
    return process


def _review_checks_keep(revision: ProcessRevision) -> None:
    """Keep what the review checks find in a revision under review, so that the review queue
    shows it without checking every row again (the CWL check runs cwltool)."""
    checks = package_review(revision.description, revision.execution_unit)
    ProcessRevision.objects.filter(pk=revision.pk).update(
        review_checks=[asdict(check) for check in checks]
    )


@transaction.atomic
def process_withdraw(*, user: User, process: Process) -> Process:
    """Take a submission back before it is reviewed."""
    _owner_check(user, process)
    process = Process.objects.select_for_update().get(pk=process.pk)
    pending = process_pending_revision(process)
    if not process_may_withdraw(process, pending):
        raise ConflictError("Nothing of this application is waiting for review.")
    if process.state == ProcessState.SUBMITTED:
        process.state = ProcessState.PRIVATE
        process.save()
    elif pending is not None:
        pending.state = RevisionState.DRAFT
        pending.save(update_fields=["state"])
    return process


def _reviewer_check(user: User) -> None:
    if not user_has_role(user, Role.ADMINISTRATOR):
        raise PermissionDeniedError("Only administrators review applications.")


def process_under_review(process: Process) -> ProcessRevision | None:
    """The revision an administrator is asked to publish, if any."""
    if process.state == ProcessState.SUBMITTED:
        return process.live_revision
    return _submitted(process_pending_revision(process))


def revision_under_review_among(
    process: Process, revisions: Iterable[ProcessRevision]
) -> ProcessRevision | None:
    """`process_under_review` from the process's revisions already read (a page's rows)."""
    if process.state == ProcessState.SUBMITTED:
        return process.live_revision
    return _submitted(pending_revision_among(revisions))


def _submitted(pending: ProcessRevision | None) -> ProcessRevision | None:
    return pending if pending is not None and pending.state == RevisionState.SUBMITTED else None


def _app_url(process: Process) -> str:
    return public_request().build_absolute_uri(f"/ogcapi/processes/{process.identifier}?f=html")


def _locked_for_review(process: Process) -> tuple[Process, ProcessRevision]:
    """The process, locked, and its revision waiting for review; ConflictError if none is."""
    process = Process.objects.select_for_update().get(pk=process.pk)
    revision = process_under_review(process)
    if revision is None:
        raise ConflictError("This application has nothing waiting for review.")
    return process, revision


@transaction.atomic
def process_publish(*, user: User, process: Process) -> Process:
    """Publish a submitted app (appAdded) or a published app's new revision (appUpdated)."""
    _reviewer_check(user)
    process, revision = _locked_for_review(process)
    now = timezone.now()
    if process.state == ProcessState.PUBLISHED:
        _apply(process, revision)
        event = EventType.APP_UPDATED
    else:
        process.state = ProcessState.PUBLISHED
        event = EventType.APP_ADDED
    ProcessRevision.objects.filter(pk=revision.pk).update(reviewed_by=user, reviewed_at=now)
    process.rejection_reason = ""
    process.save()
    process_record_sync(process)
    if event == EventType.APP_ADDED:
        record_event(
            event,
            appUrl=_app_url(process),
            appTitle=process.title,
            appDescription=process.description.get("description") or process.title,
        )
    else:
        record_event(event, appUrl=_app_url(process), appTitle=process.title)
    return process


@transaction.atomic
def process_reject(*, user: User, process: Process, reason: str) -> Process:
    """Refuse a submission, telling the developer why."""
    _reviewer_check(user)
    reason = reason.strip()
    if not reason:
        raise ApplicationError("Give the developer a reason for the rejection.")
    process, revision = _locked_for_review(process)
    now = timezone.now()
    if process.state == ProcessState.SUBMITTED:
        process.state, process.rejection_reason = ProcessState.REJECTED, reason
        process.save()
    ProcessRevision.objects.filter(pk=revision.pk).update(
        state=RevisionState.REJECTED if process.state == ProcessState.PUBLISHED else revision.state,
        rejection_reason=reason,
        reviewed_by=user,
        reviewed_at=now,
    )
    return process
