"""May this identity do this operation on this resource, here? (§8.4)

Rules only grant. An identity may do what the union of its matching, unexpired rules
allows; a footprint must lie inside the union of those rules' allowed areas, where a
matching rule without an area allows everywhere. Administrators may do everything.

The same functions serve every representation (HTML, JSON, Atom, WebSocket, downloads):
views build an `Identity` with `identity_from_request` and call `access_require`, or use
`access_permission(...)` as a DRF permission class.
"""

import ipaddress
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cached_property
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.contrib.gis.db.models.aggregates import Union
from django.contrib.gis.geos import GEOSGeometry
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from apps.accounts.models import AccessRule, AppliesTo, Role, User
from apps.accounts.rule_cache import active_access_rules
from apps.accounts.services import user_roles
from apps.accounts.throttling import client_address
from apps.ogc.errors import PermissionDeniedError

ANY = "*"
WGS84 = 4326


@dataclass(frozen=True)
class Identity:
    """Who is asking: a user (or nobody signed in) calling from an IP address."""

    user: User | AnonymousUser | None
    address: str = ""

    @property
    def signed_in_user(self) -> User | None:
        user = self.user
        return user if isinstance(user, User) and user.is_authenticated else None

    @cached_property
    def roles(self) -> list[str]:
        user = self.signed_in_user
        return user_roles(user) if user is not None else []

    @cached_property
    def active_rules(self) -> list["AccessRule"]:
        """The active, unexpired rules that apply to this caller, chosen once per identity
        (a request checks several operations: reading a process, then executing it)."""
        now = timezone.now()
        return [
            rule
            for rule in active_access_rules()
            if (rule.expires_at is None or rule.expires_at > now) and _applies_to(rule, self)
        ]


@dataclass(frozen=True)
class AccessDecision:
    allowed: bool
    reason: str


def identity_from_request(request: HttpRequest | Request) -> Identity:
    """The caller of a request, with its client address.

    The address is REMOTE_ADDR, or behind `TRUSTED_PROXY_COUNT` reverse proxies the address
    the outermost proxy saw; otherwise an address rule for the proxy's network would grant
    every caller.
    """
    http_request = request._request if isinstance(request, Request) else request
    identity = getattr(http_request, "_access_identity", None)
    if identity is None or identity.user is not request.user:
        identity = Identity(user=request.user, address=client_address(http_request))
        http_request._access_identity = identity  # type: ignore[attr-defined]
    return identity


def _address_matches(rule_address: str, address: str) -> bool:
    try:
        return ipaddress.ip_address(address) in ipaddress.ip_network(rule_address, strict=False)
    except ValueError:
        return False


def _applies_to(rule: AccessRule, identity: Identity) -> bool:
    if rule.applies_to == AppliesTo.EVERYBODY:
        return True
    if rule.applies_to == AppliesTo.ADDRESS:
        return bool(identity.address) and _address_matches(rule.address, identity.address)
    user = identity.signed_in_user
    if user is None:
        return False
    if rule.applies_to == AppliesTo.USER:
        return rule.user_id == user.pk
    return rule.applies_to == AppliesTo.ROLE and rule.role in identity.roles


def _names_cover(names: Iterable[str], wanted: str) -> bool:
    return ANY in names or wanted in names


def _rules_granting(*, identity: Identity, operation: str, resource_type: str) -> list[AccessRule]:
    """Active, unexpired rules for this identity granting the operation on the type."""
    return [
        rule
        for rule in identity.active_rules
        if _names_cover(rule.operations, operation)
        and _names_cover(rule.resource_types, resource_type)
    ]


def _matching_rule_ids(
    *, identity: Identity, operation: str, resource_type: str, resource_id: str
) -> list[int]:
    rules = _rules_granting(identity=identity, operation=operation, resource_type=resource_type)
    return [rule.pk for rule in rules if fnmatchcase(resource_id, rule.resource_pattern)]


def access_rules_matching(
    *, identity: Identity, operation: str, resource_type: str, resource_id: str = ANY
) -> QuerySet[AccessRule]:
    """The active, unexpired rules for this identity that grant this operation on this resource.

    `resource_id` is matched against each rule's shell-style pattern; the default "*" is
    matched only by rules for every resource of the type.
    """
    matching = _matching_rule_ids(
        identity=identity, operation=operation, resource_type=resource_type, resource_id=resource_id
    )
    return AccessRule.objects.filter(pk__in=matching)


def _is_administrator(identity: Identity) -> bool:
    return Role.ADMINISTRATOR in identity.roles


def _in_wgs84(footprint: GEOSGeometry) -> GEOSGeometry:
    if footprint.srid in (None, WGS84):
        footprint = footprint.clone()
        footprint.srid = WGS84
        return footprint
    return footprint.transform(WGS84, clone=True)


def access_check(
    *,
    identity: Identity,
    operation: str,
    resource_type: str,
    resource_id: str = ANY,
    footprint: GEOSGeometry | None = None,
) -> AccessDecision:
    """Decide whether the identity may do the operation on the resource, within the footprint.

    Administrators (the role, or superusers) are always allowed. Anyone else needs at least
    one matching rule, and a footprint (in any SRID; one without an SRID is taken as WGS 84)
    must lie inside the union of the matching rules' areas unless one of them has no area.
    """
    if _is_administrator(identity):
        return AccessDecision(True, "Administrators may do everything.")
    matching = _matching_rule_ids(
        identity=identity, operation=operation, resource_type=resource_type, resource_id=resource_id
    )
    if not matching:
        return AccessDecision(
            False, f"No rule lets you {operation} {resource_type} '{resource_id}'."
        )
    if footprint is None:
        return AccessDecision(True, "Allowed by an access rule.")
    # One query: how many matching rules are unrestricted, and the union of the others'
    # areas (ST_Union skips the NULL areas).
    summary = AccessRule.objects.filter(pk__in=matching).aggregate(
        unrestricted=Count("pk", filter=Q(allowed_area__isnull=True)),
        area=Union("allowed_area"),
    )
    if summary["unrestricted"]:
        return AccessDecision(True, "Allowed by an access rule.")
    allowed_area: GEOSGeometry | None = summary["area"]
    if allowed_area is not None and allowed_area.covers(_in_wgs84(footprint)):
        return AccessDecision(True, "The requested area lies inside the area you may use.")
    return AccessDecision(False, "The requested area lies outside the area you may use.")


def access_require(
    *,
    identity: Identity,
    operation: str,
    resource_type: str,
    resource_id: str = ANY,
    footprint: GEOSGeometry | None = None,
) -> None:
    """`access_check`, raising PermissionDeniedError (403) with its reason when denied."""
    decision = access_check(
        identity=identity,
        operation=operation,
        resource_type=resource_type,
        resource_id=resource_id,
        footprint=footprint,
    )
    if not decision.allowed:
        raise PermissionDeniedError(decision.reason)


def access_permission(
    operation: str, resource_type: str, *, kwarg: str | None = None
) -> type[BasePermission]:
    """A DRF permission class checking the rules for the resource named by a URL kwarg.

    `permission_classes = [IsApprovedUser, access_permission("execute", "process",
    kwarg="process_id")]`. Without `kwarg`, the rules must grant every resource of the type.
    """

    class AccessRulePermission(BasePermission):
        message = f"You may not {operation} this {resource_type}."

        def has_permission(self, request: Request, view: Any) -> bool:
            resource_id = str(view.kwargs.get(kwarg, ANY)) if kwarg else ANY
            decision = access_check(
                identity=identity_from_request(request),
                operation=operation,
                resource_type=resource_type,
                resource_id=resource_id,
            )
            self.message = decision.reason
            return decision.allowed

    return AccessRulePermission


def access_resource_filter(
    *, identity: Identity, operation: str, resource_type: str
) -> Callable[[str], bool]:
    """A test of resource ids against the rules, reading the rules once (for lists)."""
    if _is_administrator(identity):
        return lambda resource_id: True
    rules = _rules_granting(identity=identity, operation=operation, resource_type=resource_type)
    patterns = [rule.resource_pattern for rule in rules]
    return lambda resource_id: any(fnmatchcase(resource_id, pattern) for pattern in patterns)
