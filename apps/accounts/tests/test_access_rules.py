from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Polygon
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.accounts.access import (
    AccessDecision,
    Identity,
    access_check,
    access_require,
    access_resource_filter,
)
from apps.accounts.models import AccessRule, AppliesTo, Role, User
from apps.ogc.errors import PermissionDeniedError

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _only_the_rules_of_each_test() -> None:
    AccessRule.objects.all().delete()


def _rule(**fields: object) -> AccessRule:
    defaults: dict[str, object] = {
        "name": "rule",
        "applies_to": AppliesTo.EVERYBODY,
        "operations": ["execute"],
        "resource_types": ["process"],
    }
    rule = AccessRule(**{**defaults, **fields})
    rule.full_clean()
    rule.save()
    return rule


def _box(bbox: tuple[float, float, float, float], *, srid: int = 4326) -> Polygon:
    box = Polygon.from_bbox(bbox)
    box.srid = srid
    return box


def _square(x: float, y: float, size: float = 10) -> MultiPolygon:
    return MultiPolygon(Polygon.from_bbox((x, y, x + size, y + size)), srid=4326)


def _may(identity: Identity, resource_id: str, footprint: GEOSGeometry | None = None) -> bool:
    return access_check(
        identity=identity,
        operation="execute",
        resource_type="process",
        resource_id=resource_id,
        footprint=footprint,
    ).allowed


def test_rules_grant_their_union(alice: User) -> None:
    # given a rule for alice's role on process A and a personal rule on process B
    _rule(applies_to=AppliesTo.ROLE, role=Role.USER, resource_pattern="A")
    _rule(applies_to=AppliesTo.USER, user=alice, resource_pattern="B")
    me = Identity(user=alice)

    # then she may run A and B, and nothing else
    assert [_may(me, name) for name in ("A", "B", "C")] == [True, True, False]


def test_rule_of_another_user_or_role_does_not_apply(alice: User, dana: User) -> None:
    _rule(applies_to=AppliesTo.USER, user=dana, resource_pattern="A")
    _rule(applies_to=AppliesTo.ROLE, role=Role.DEVELOPER, resource_pattern="B")
    assert not _may(Identity(user=alice), "A")
    assert not _may(Identity(user=alice), "B")
    assert _may(Identity(user=dana), "A")


def test_expired_and_inactive_rules_grant_nothing(alice: User) -> None:
    now = timezone.now()
    _rule(resource_pattern="old", expires_at=now - timedelta(seconds=1))
    _rule(resource_pattern="current", expires_at=now + timedelta(days=30))
    _rule(resource_pattern="paused", is_active=False)
    me = Identity(user=alice)
    assert [_may(me, name) for name in ("old", "current", "paused")] == [False, True, False]


@pytest.mark.parametrize(
    ("rule_address", "address", "allowed"),
    [
        ("10.1.0.0/16", "10.1.2.3", True),
        ("10.1.0.0/16", "10.2.0.1", False),
        ("192.0.2.7", "192.0.2.7", True),
        ("192.0.2.7", "192.0.2.8", False),
        ("2001:db8::/32", "2001:db8:1::5", True),
        ("2001:db8::/32", "2001:db9::1", False),
        ("10.1.0.0/16", "not-an-address", False),
    ],
)
def test_address_ranges(rule_address: str, address: str, allowed: bool) -> None:
    _rule(applies_to=AppliesTo.ADDRESS, address=rule_address)
    assert _may(Identity(user=AnonymousUser(), address=address), "ndvi") is allowed


def test_everybody_includes_anonymous() -> None:
    _rule(operations=["read"], resource_types=["record"])
    decision = access_check(
        identity=Identity(user=AnonymousUser()), operation="read", resource_type="record"
    )
    assert decision.allowed


def test_resource_patterns_glob(alice: User) -> None:
    _rule(resource_pattern="sentinel-2/*")
    me = Identity(user=alice)
    assert _may(me, "sentinel-2/L2A")
    assert not _may(me, "sentinel-1/GRD")


def test_allowed_area_inside_outside_and_partly(alice: User) -> None:
    _rule(allowed_area=_square(0, 0))
    me = Identity(user=alice)
    inside, outside, partly = _box((2, 2, 4, 4)), _box((20, 20, 22, 22)), _box((8, 8, 12, 12))
    assert _may(me, "ndvi", footprint=inside)
    assert not _may(me, "ndvi", footprint=outside)
    decision = access_check(
        identity=me,
        operation="execute",
        resource_type="process",
        resource_id="ndvi",
        footprint=partly,
    )
    assert decision == AccessDecision(
        False, "The requested area lies outside the area you may use."
    )


def test_footprint_covered_by_the_union_of_two_areas(alice: User) -> None:
    _rule(name="west", allowed_area=_square(0, 0))
    _rule(name="east", allowed_area=_square(10, 0))
    straddling = _box((8, 2, 12, 4), srid=4326)
    assert _may(Identity(user=alice), "ndvi", footprint=straddling)


def test_rule_without_area_allows_everywhere(alice: User) -> None:
    _rule(name="limited", allowed_area=_square(0, 0))
    _rule(name="anywhere")
    far = _box((100, 50, 101, 51), srid=4326)
    assert _may(Identity(user=alice), "ndvi", footprint=far)


def test_footprint_in_web_mercator_is_transformed(alice: User) -> None:
    _rule(allowed_area=_square(0, 0))
    inside_in_3857 = _box((222638, 222684, 445277, 445640), srid=3857)
    outside_in_3857 = _box((2226389, 2273030, 2448000, 2500000), srid=3857)
    assert _may(Identity(user=alice), "ndvi", footprint=inside_in_3857)
    assert not _may(Identity(user=alice), "ndvi", footprint=outside_in_3857)


def test_administrators_are_always_allowed(administrator: User) -> None:
    far = _box((100, 50, 101, 51), srid=4326)
    assert _may(Identity(user=administrator), "anything", footprint=far)


def test_access_require_raises_with_the_reason(alice: User) -> None:
    with pytest.raises(PermissionDeniedError) as denied:
        access_require(
            identity=Identity(user=alice),
            operation="deploy",
            resource_type="process",
            resource_id="ndvi",
        )
    assert denied.value.status == 403
    assert denied.value.detail == "No rule lets you deploy process 'ndvi'."


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"applies_to": AppliesTo.USER}, "user"),
        ({"applies_to": AppliesTo.ROLE}, "role"),
        ({"applies_to": AppliesTo.ADDRESS, "address": "10.0.0.0/33"}, "address"),
        ({"operations": []}, "operations"),
    ],
)
def test_invalid_rules_are_refused(fields: dict, field: str) -> None:
    with pytest.raises(ValidationError) as invalid:
        _rule(**fields)
    assert field in invalid.value.message_dict
    assert not AccessRule.objects.exists()


def test_resource_filter_reads_the_rules_once(alice: User, django_assert_num_queries) -> None:
    _rule(resource_pattern="sentinel-*")
    _rule(resource_pattern="ndvi")
    with django_assert_num_queries(2):  # the user's roles, then the rules
        may_run = access_resource_filter(
            identity=Identity(user=alice), operation="execute", resource_type="process"
        )
    assert [may_run(name) for name in ("ndvi", "sentinel-2", "buffer")] == [True, True, False]
