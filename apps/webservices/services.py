"""Writing services: publish files or a job's outputs, add to them, retitle, open, share, remove.

Every write that changes what a service serves copies the data in (features into PostGIS,
raster grids and a render style), refreshes the service's catalogue record and records the
events of §13.1.12-17 (see `announcements`). Only the owner manages a service
(PermissionDeniedError otherwise); only an administrator publishes TEP holdings.
"""

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from apps.accounts.models import Role, User
from apps.accounts.services import user_has_role
from apps.catalogue.registration import service_record_remove, service_record_sync
from apps.jobs.models import Job
from apps.ogc.errors import ApplicationError, ConflictError, PermissionDeniedError
from apps.webservices import loading
from apps.webservices.announcements import EVERYBODY, Change, announce
from apps.webservices.models import Service, ServiceKind
from apps.webservices.selectors import service_can_manage

IDENTIFIER = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
ENDPOINT_PATH = re.compile(r"^/services/(?P<username>[^/]+)/collections/(?P<identifier>[^/]+)/?$")


def _require_manager(service: Service, user: User) -> None:
    if not service_can_manage(service, user):
        raise PermissionDeniedError("Only the owner of a web service may change it.")


def _locked(service: Service) -> Service:
    return Service.objects.select_for_update().select_related("owner").get(pk=service.pk)


def _free_identifier(owner: User, wanted: str) -> str:
    base = slugify(wanted)[:80].strip("-_") or "service"
    taken = set(
        Service.objects.filter(owner=owner, identifier__startswith=base).values_list(
            "identifier", flat=True
        )
    )
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def _identifier_for(owner: User, identifier: str, title: str) -> str:
    if not identifier:
        return _free_identifier(owner, title)
    if not IDENTIFIER.match(identifier):
        raise ApplicationError(
            f"The identifier {identifier[:100]!r} must be lower-case letters, digits, - and _."
        )
    if Service.objects.filter(owner=owner, identifier=identifier).exists():
        raise ConflictError(f"You already have a web service called {identifier!r}.")
    return identifier


def _title_checked(title: str) -> str:
    title = (title or "").strip()
    if not title or len(title) > 300:
        raise ApplicationError("A web service needs a title of 1 to 300 characters.")
    return title


@transaction.atomic
def service_create(
    *,
    owner: User,
    title: str,
    files: Sequence[str] = (),
    job: Job | None = None,
    identifier: str = "",
    description: str = "",
    kind: str | None = None,
    public: bool = False,
    holdings: bool = False,
) -> Service:
    """Serve `files` (storage keys) and/or the outputs of `job` as a new collection.

    The kind follows from the files unless given (a job's folder of mixed results needs it).
    `holdings` (administrators only) publishes it as a public TEP holding.
    """
    if holdings and not user_has_role(owner, Role.ADMINISTRATOR):
        raise PermissionDeniedError("Only administrators publish TEP-holdings web services.")
    if kind is not None and kind not in ServiceKind.values:
        raise ApplicationError(f"The kind of a web service is one of {ServiceKind.values}.")
    sources = loading.sources_for(owner=owner, keys=files, job=job, kind=kind)
    service = Service.objects.create(
        owner=owner,
        identifier=_identifier_for(owner, identifier, title),
        title=_title_checked(title),
        description=description,
        kind=sources[0].kind,
        is_public=public or holdings,
        holdings=holdings,
    )
    loading.sources_load(service, sources)
    record = service_record_sync(service)
    announce(service, Change.ADDED, record=record)
    return service


@transaction.atomic
def service_add_files(
    *, service: Service, user: User, files: Sequence[str] = (), job: Job | None = None
) -> Service:
    """Serve more files (or a job's outputs of the service's kind); a served file is re-read."""
    _require_manager(service, user)
    service = _locked(service)
    sources = loading.sources_for(owner=service.owner, keys=files, job=job, kind=service.kind)
    area = loading.sources_load(service, sources)
    record = service_record_sync(service)
    announce(service, Change.UPDATED, record=record, bbox=area)
    return service


@transaction.atomic
def service_retitle(
    *, service: Service, user: User, title: str, description: str | None = None
) -> Service:
    _require_manager(service, user)
    service = _locked(service)
    service.title = _title_checked(title)
    if description is not None:
        service.description = description
    service.save()
    service_record_sync(service)
    return service


@transaction.atomic
def service_set_public(*, service: Service, user: User, public: bool) -> Service:
    """Open the service to everybody, or close it to its owner and grantees again."""
    _require_manager(service, user)
    service = _locked(service)
    if service.is_public == public:
        return service
    if not public:
        announce(service, Change.REMOVED, to=[EVERYBODY])
    service.is_public = public
    service.save()
    record = service_record_sync(service)
    if public:
        announce(service, Change.ADDED, record=record, to=[EVERYBODY])
    return service


@transaction.atomic
def service_share(*, service: Service, user: User, grantee: User | None) -> Service:
    """Let `grantee` use the private service; `None` shares it with everybody (public)."""
    if grantee is None:
        return service_set_public(service=service, user=user, public=True)
    _require_manager(service, user)
    service = _locked(service)
    if grantee.pk == service.owner_id:
        raise ApplicationError("The owner of a web service always has access to it.")
    _grant, created = Service.readers.through.objects.get_or_create(
        service_id=service.pk, user_id=grantee.pk
    )
    if created:
        record = service_record_sync(service)
        if not service.is_public:
            announce(service, Change.ADDED, record=record, to=[grantee])
    return service


@transaction.atomic
def service_unshare(*, service: Service, user: User, grantee: User | None) -> Service:
    """Withdraw `grantee`'s access; `None` makes the service private again."""
    if grantee is None:
        return service_set_public(service=service, user=user, public=False)
    _require_manager(service, user)
    service = _locked(service)
    deleted, _rows = Service.readers.through.objects.filter(
        service_id=service.pk, user_id=grantee.pk
    ).delete()
    if deleted:
        service_record_sync(service)
        if not service.is_public:
            announce(service, Change.REMOVED, to=[grantee])
    return service


@transaction.atomic
def service_remove(*, service: Service, user: User) -> None:
    """Stop serving: the features, the record and the service go; the files stay."""
    _require_manager(service, user)
    service = _locked(service)
    announce(service, Change.REMOVED)
    service_record_remove(service)
    service.delete()


# --- response=publish (§19.11) -------------------------------------------------------------


def endpoint_parse(endpoint: str, *, owner: User) -> str:
    """The service identifier an execute request's `endpoint` names for `owner`.

    `endpoint` is the collection's URL (its host is not checked), its path
    (`/services/{username}/collections/{identifier}`) or the bare identifier.
    """
    text = (endpoint or "").strip()
    if IDENTIFIER.match(text):
        return text
    match = ENDPOINT_PATH.match(urlsplit(text).path)
    if match is None:
        raise ApplicationError(
            f"The endpoint {text[:200]!r} is not a collection such as "
            f"/services/{owner.username}/collections/my-results."
        )
    if match.group("username") != owner.username:
        raise PermissionDeniedError("Results are published to your own web services only.")
    identifier = match.group("identifier")
    if not IDENTIFIER.match(identifier):
        raise ApplicationError(f"{identifier[:100]!r} is not a web service identifier.")
    return identifier


def service_publish_job(*, job: Job, endpoint: str) -> Service:
    """Publish a successful job's outputs to the owner's collection `endpoint`.

    The collection is created (private, titled by its identifier) if missing; later runs
    add to it. Safe when two jobs publish to a new endpoint at once.
    """
    owner = job.owner
    identifier = endpoint_parse(endpoint, owner=owner)
    for _attempt in range(2):
        existing = Service.objects.filter(owner=owner, identifier=identifier).first()
        if existing is not None:
            return service_add_files(service=existing, user=owner, job=job)
        try:
            return service_create(owner=owner, title=identifier, identifier=identifier, job=job)
        except (IntegrityError, ConflictError):
            continue
    raise ConflictError(f"The web service {identifier!r} changed while publishing; try again.")
