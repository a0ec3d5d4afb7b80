"""May this identity do this operation on this resource, here? (§8.4)

Rules only grant. An identity may do what the union of its matching, unexpired rules
allows; a footprint must lie inside the union of those rules' allowed areas, where a
matching rule without an area allows everywhere. Administrators may do everything.
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
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from apps.accounts.models import AccessRule, AppliesTo, Role, User
from apps.accounts.services import user_roles
from apps.ogc.errors import PermissionDeniedError

ANY = "*"
WGS84 = 4326


@dataclass(frozen=True)
class Identity:
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


@dataclass(frozen=True)
class AccessDecision:
    allowed: bool
    reason: str


def identity_from_request(request: HttpRequest | Request) -> Identity:
    return Identity(user=request.user, address=request.META.get("REMOTE_ADDR", ""))


def _address_matches(rule_address: str, address: str) -> bool:
    try:
        return ipaddress.ip_address(address) in ipaddress.ip_network(rule_address, strict=False)
    except ValueError:
        return False


def _applies_to(identity: Identity) -> Q:
    applies = Q(applies_to=AppliesTo.EVERYBODY)
    user = identity.signed_in_user
    if user is not None:
        applies |= Q(applies_to=AppliesTo.USER, user=user)
        applies |= Q(applies_to=AppliesTo.ROLE, role__in=identity.roles)
    if identity.address:
        applies |= Q(applies_to=AppliesTo.ADDRESS)
    return applies


def _names_cover(names: Iterable[str], wanted: str) -> bool:
    return ANY in names or wanted in names


def _rules_granting(*, identity: Identity, operation: str, resource_type: str) -> list[AccessRule]:
    """Active, unexpired rules for this identity granting the operation on the type."""
    now = timezone.now()
    candidates = AccessRule.objects.filter(
        _applies_to(identity),
        Q(expires_at__isnull=True) | Q(expires_at__gt=now),
        is_active=True,
    ).defer("allowed_area")
    return [
        rule
        for rule in candidates
        if _names_cover(rule.operations, operation)
        and _names_cover(rule.resource_types, resource_type)
        and (
            rule.applies_to != AppliesTo.ADDRESS or _address_matches(rule.address, identity.address)
        )
    ]


def access_rules_matching(
    *, identity: Identity, operation: str, resource_type: str, resource_id: str = ANY
) -> QuerySet[AccessRule]:
    """The active, unexpired rules that grant this operation on this resource."""
    rules = _rules_granting(identity=identity, operation=operation, resource_type=resource_type)
    matching = [rule.pk for rule in rules if fnmatchcase(resource_id, rule.resource_pattern)]
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
    if _is_administrator(identity):
        return AccessDecision(True, "Administrators may do everything.")
    rules = access_rules_matching(
        identity=identity, operation=operation, resource_type=resource_type, resource_id=resource_id
    )
    if not rules.exists():
        return AccessDecision(
            False, f"No rule lets you {operation} {resource_type} '{resource_id}'."
        )
    if footprint is None or rules.filter(allowed_area__isnull=True).exists():
        return AccessDecision(True, "Allowed by an access rule.")
    allowed_area = rules.aggregate(area=Union("allowed_area"))["area"]
    if allowed_area is not None and allowed_area.covers(_in_wgs84(footprint)):
        return AccessDecision(True, "The requested area lies inside the area you may use.")
    return AccessDecision(False, "The requested area lies outside the area you may use.")


def access_require(**check: Any) -> None:
    """`access_check(**check)`, raising PermissionDeniedError with the reason when denied."""
    decision = access_check(**check)
    if not decision.allowed:
        raise PermissionDeniedError(decision.reason)


def access_permission(
    operation: str, resource_type: str, *, kwarg: str | None = None
) -> type[BasePermission]:
    """A DRF permission class that checks the rules for the resource named by a URL kwarg."""

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
