import importlib
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import AnonymousUser
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Polygon
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries, Settings
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from apps.accounts.access import (
    AccessDecision,
    Identity,
    access_check,
    access_permission,
    access_require,
    access_resource_filter,
    access_rules_matching,
    identity_from_request,
)
from apps.accounts.models import AccessRule, AppliesTo, Role, User
from apps.ogc.errors import PermissionDeniedError

pytestmark = pytest.mark.django_db

default_rules_migration = importlib.import_module(
    "apps.accounts.migrations.0003_default_access_rules"
)

OUTSIDE = AccessDecision(False, "The requested area lies outside the area you may use.")
INSIDE = AccessDecision(True, "The requested area lies inside the area you may use.")
BY_RULE = AccessDecision(True, "Allowed by an access rule.")


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


def _box(bbox: tuple[float, float, float, float], *, srid: int | None = 4326) -> Polygon:
    box = Polygon.from_bbox(bbox)
    box.srid = srid
    return box


def _square(x: float, y: float, size: float = 10) -> MultiPolygon:
    return MultiPolygon(Polygon.from_bbox((x, y, x + size, y + size)), srid=4326)


def _execute(
    identity: Identity, resource_id: str, footprint: GEOSGeometry | None = None
) -> AccessDecision:
    return access_check(
        identity=identity,
        operation="execute",
        resource_type="process",
        resource_id=resource_id,
        footprint=footprint,
    )


def _may(identity: Identity, resource_id: str, footprint: GEOSGeometry | None = None) -> bool:
    return _execute(identity, resource_id, footprint).allowed


# Which rules apply


def test_rules_grant_their_union(alice: User) -> None:
    # given a rule for alice's role on process A and a personal rule on process B
    _rule(name="users run A", applies_to=AppliesTo.ROLE, role=Role.USER, resource_pattern="A")
    _rule(name="alice runs B", applies_to=AppliesTo.USER, user=alice, resource_pattern="B")
    me = Identity(user=alice)

    # when she asks for A, B and C
    decisions = [_execute(me, name) for name in ("A", "B", "C")]

    # then A and B are allowed, C is refused with the reason
    assert decisions == [
        BY_RULE,
        BY_RULE,
        AccessDecision(False, "No rule lets you execute process 'C'."),
    ]


def test_matching_rules_are_those_of_the_identity_operation_type_and_id(
    alice: User, dana: User
) -> None:
    # given rules for alice, her role, everybody, another user, another role, another
    # operation, another type and another id
    _rule(name="alice", applies_to=AppliesTo.USER, user=alice)
    _rule(name="users", applies_to=AppliesTo.ROLE, role=Role.USER)
    _rule(name="everybody", operations=["*"], resource_types=["*"])
    _rule(name="dana", applies_to=AppliesTo.USER, user=dana)
    _rule(name="developers", applies_to=AppliesTo.ROLE, role=Role.DEVELOPER)
    _rule(name="deploy", operations=["deploy"])
    _rule(name="records", resource_types=["record"])
    _rule(name="other process", resource_pattern="buffer")

    # when the rules letting alice execute ndvi are asked for
    rules = access_rules_matching(
        identity=Identity(user=alice),
        operation="execute",
        resource_type="process",
        resource_id="ndvi",
    )

    # then they are exactly hers, her role's and everybody's
    assert sorted(rules.values_list("name", flat=True)) == ["alice", "everybody", "users"]


def test_rule_of_another_user_or_role_does_not_apply(alice: User, dana: User) -> None:
    # given a rule for dana on A and one for developers on B
    _rule(applies_to=AppliesTo.USER, user=dana, resource_pattern="A")
    _rule(applies_to=AppliesTo.ROLE, role=Role.DEVELOPER, resource_pattern="B")

    # then alice (a plain user) may run neither; dana may run both
    assert [_may(Identity(user=alice), name) for name in ("A", "B")] == [False, False]
    assert [_may(Identity(user=dana), name) for name in ("A", "B")] == [True, True]


def test_expired_and_inactive_rules_grant_nothing(alice: User) -> None:
    # given an expired rule, one expiring in a month and an inactive one
    now = timezone.now()
    _rule(resource_pattern="old", expires_at=now - timedelta(seconds=1))
    _rule(resource_pattern="current", expires_at=now + timedelta(days=30))
    _rule(resource_pattern="paused", is_active=False)
    me = Identity(user=alice)

    # when / then only the unexpired, active rule grants
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
        ("2001:db8::7", "2001:db8::7", True),
        ("10.1.0.0/16", "2001:db8::1", False),
        ("10.1.0.0/16", "not-an-address", False),
        ("10.1.0.0/16", "", False),
    ],
)
def test_address_ranges(rule_address: str, address: str, allowed: bool) -> None:
    # given a rule for an address or a range
    _rule(applies_to=AppliesTo.ADDRESS, address=rule_address)

    # when an anonymous caller asks from an address
    decision = _execute(Identity(user=AnonymousUser(), address=address), "ndvi")

    # then it is allowed exactly when the address lies in the range
    assert decision.allowed is allowed


def test_everybody_includes_anonymous() -> None:
    # given a rule letting everybody read records
    _rule(operations=["read"], resource_types=["record"])

    # when nobody signed in asks, without even an address
    decision = access_check(
        identity=Identity(user=AnonymousUser()), operation="read", resource_type="record"
    )

    # then it is allowed
    assert decision == BY_RULE


def test_resource_patterns_glob(alice: User) -> None:
    # given a rule for the ids under sentinel-2/
    _rule(resource_pattern="sentinel-2/*")
    me = Identity(user=alice)

    # when / then
    assert [_may(me, name) for name in ("sentinel-2/L2A", "sentinel-1/GRD", "sentinel-2")] == [
        True,
        False,
        False,
    ]


def test_a_specific_rule_does_not_grant_every_resource(alice: User) -> None:
    # given a rule for ndvi only
    _rule(resource_pattern="ndvi")

    # when access to every process (the default resource id) is asked for
    decision = access_check(
        identity=Identity(user=alice), operation="execute", resource_type="process"
    )

    # then it is refused
    assert decision == AccessDecision(False, "No rule lets you execute process '*'.")


# Allowed areas


def test_allowed_area_inside_outside_and_partly(alice: User) -> None:
    # given a rule for the square (0, 0)-(10, 10)
    _rule(allowed_area=_square(0, 0))
    me = Identity(user=alice)

    # when footprints inside, outside and partly outside are asked for
    decisions = [
        _execute(me, "ndvi", footprint=_box(bbox))
        for bbox in ((2, 2, 4, 4), (20, 20, 22, 22), (8, 8, 12, 12))
    ]

    # then only the one inside is allowed
    assert decisions == [INSIDE, OUTSIDE, OUTSIDE]


def test_footprint_covered_by_the_union_of_two_areas(alice: User) -> None:
    # given two rules for adjacent squares
    _rule(name="west", allowed_area=_square(0, 0))
    _rule(name="east", allowed_area=_square(10, 0))

    # when a footprint straddling both (inside neither alone) is asked for
    decision = _execute(Identity(user=alice), "ndvi", footprint=_box((8, 2, 12, 4)))

    # then the union covers it
    assert decision == INSIDE


def test_area_of_a_rule_for_another_resource_does_not_count(alice: User) -> None:
    # given a west square for ndvi and an east square for another process
    _rule(name="west", allowed_area=_square(0, 0), resource_pattern="ndvi")
    _rule(name="east", allowed_area=_square(10, 0), resource_pattern="buffer")

    # when ndvi is asked for over both squares
    decision = _execute(Identity(user=alice), "ndvi", footprint=_box((8, 2, 12, 4)))

    # then only ndvi's own area counts
    assert decision == OUTSIDE


def test_rule_without_area_allows_everywhere(alice: User) -> None:
    # given a rule limited to a square and one without an area
    _rule(name="limited", allowed_area=_square(0, 0))
    _rule(name="anywhere")

    # when a far footprint is asked for
    decision = _execute(Identity(user=alice), "ndvi", footprint=_box((100, 50, 101, 51)))

    # then the unrestricted rule allows it
    assert decision == BY_RULE


def test_footprint_in_web_mercator_is_transformed(alice: User) -> None:
    # given a rule for the square (0, 0)-(10, 10) in WGS 84
    _rule(allowed_area=_square(0, 0))
    inside_in_3857 = _box((222638, 222684, 445277, 445640), srid=3857)  # about (2, 2)-(4, 4)
    outside_in_3857 = _box((2226389, 2273030, 2448000, 2500000), srid=3857)  # about (20, 20)

    # when / then
    assert _execute(Identity(user=alice), "ndvi", footprint=inside_in_3857) == INSIDE
    assert _execute(Identity(user=alice), "ndvi", footprint=outside_in_3857) == OUTSIDE


def test_footprint_without_srid_is_taken_as_wgs84(alice: User) -> None:
    # given a rule for the square (0, 0)-(10, 10)
    _rule(allowed_area=_square(0, 0))

    # when a footprint without an SRID is asked for
    decision = _execute(Identity(user=alice), "ndvi", footprint=_box((2, 2, 4, 4), srid=None))

    # then it is read as longitude/latitude
    assert decision == INSIDE


def test_check_with_footprint_takes_three_queries(
    alice: User, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    # given two area rules
    _rule(name="west", allowed_area=_square(0, 0))
    _rule(name="east", allowed_area=_square(10, 0))
    me = Identity(user=alice)

    # when / then: the roles, the rules, and one aggregate over the matching rules' areas
    with django_assert_num_queries(3):
        assert _execute(me, "ndvi", footprint=_box((8, 2, 12, 4))) == INSIDE


# Administrators


def test_administrators_are_always_allowed(administrator: User) -> None:
    # given no rules at all
    # when an administrator asks for anything, anywhere
    decision = _execute(
        Identity(user=administrator), "anything", footprint=_box((100, 50, 101, 51))
    )

    # then it is allowed
    assert decision == AccessDecision(True, "Administrators may do everything.")


def test_superusers_are_administrators() -> None:
    # given a superuser without any role group
    root = User.objects.create_superuser(username="root", email="root@example.org")

    # when / then
    assert _execute(Identity(user=root), "anything") == AccessDecision(
        True, "Administrators may do everything."
    )


# The ways views use it


def test_access_require_raises_with_the_reason(alice: User) -> None:
    # given no rule for deploying
    # when alice must be allowed to deploy
    with pytest.raises(PermissionDeniedError) as denied:
        access_require(
            identity=Identity(user=alice),
            operation="deploy",
            resource_type="process",
            resource_id="ndvi",
        )

    # then a 403 carries the reason
    assert denied.value.status == 403
    assert denied.value.detail == "No rule lets you deploy process 'ndvi'."


def test_access_require_passes_when_allowed(alice: User) -> None:
    # given a rule for ndvi
    _rule(resource_pattern="ndvi")

    # when / then nothing is raised
    access_require(
        identity=Identity(user=alice),
        operation="execute",
        resource_type="process",
        resource_id="ndvi",
    )


class _ProcessExecuteProbe(APIView):
    permission_classes = (access_permission("execute", "process", kwarg="process_id"),)

    def post(self, request: Request, process_id: str) -> Response:
        return Response({"ran": process_id})


@pytest.mark.parametrize(
    ("process_id", "status", "body"),
    [
        ("ndvi", 200, {"ran": "ndvi"}),
        (
            "buffer",
            403,
            {
                "type": "about:blank",
                "title": "Forbidden",
                "status": 403,
                "detail": "No rule lets you execute process 'buffer'.",
            },
        ),
    ],
)
def test_drf_permission_checks_the_url_kwarg(
    alice: User, process_id: str, status: int, body: dict[str, object]
) -> None:
    # given a rule for ndvi only
    _rule(resource_pattern="ndvi")
    request = APIRequestFactory().post(f"/probe/{process_id}")
    force_authenticate(request, user=alice)

    # when alice calls a view guarded by the permission
    response = _ProcessExecuteProbe.as_view()(request, process_id=process_id)

    # then only the process the rules grant runs, and the refusal gives the reason
    assert (response.status_code, response.data) == (status, body)


def test_identity_from_request_uses_the_client_address(
    alice: User, rf: RequestFactory, settings: Settings
) -> None:
    # given a direct request, and one through a trusted proxy at 10.0.0.1
    direct = rf.get("/", REMOTE_ADDR="192.0.2.7")
    direct.user = alice
    settings.TRUSTED_PROXY_COUNT = 0
    direct_identity = identity_from_request(direct)
    proxied = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="spoofed, 198.51.100.4")
    proxied.user = AnonymousUser()
    settings.TRUSTED_PROXY_COUNT = 1

    # when the identities are built
    proxied_identity = identity_from_request(Request(proxied))

    # then each is the caller, not the proxy
    assert direct_identity == Identity(user=alice, address="192.0.2.7")
    assert proxied_identity.address == "198.51.100.4"
    assert proxied_identity.signed_in_user is None


def test_resource_filter_reads_the_rules_once(
    alice: User, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    # given rules for the sentinel-* processes and ndvi
    _rule(resource_pattern="sentinel-*")
    _rule(resource_pattern="ndvi")

    # when a filter is made for a list of processes
    with django_assert_num_queries(2):  # the roles, then the rules
        may_run = access_resource_filter(
            identity=Identity(user=alice), operation="execute", resource_type="process"
        )

    # then it needs no further queries
    with django_assert_num_queries(0):
        assert [may_run(name) for name in ("ndvi", "sentinel-2", "buffer")] == [True, True, False]


# Rules themselves


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"applies_to": AppliesTo.USER}, "user"),
        ({"applies_to": AppliesTo.ROLE}, "role"),
        ({"applies_to": AppliesTo.ADDRESS, "address": "10.0.0.0/33"}, "address"),
        ({"operations": []}, "operations"),
        ({"resource_types": "process"}, "resource_types"),
    ],
)
def test_invalid_rules_are_refused(fields: dict[str, object], field: str) -> None:
    # when an invalid rule is saved
    with pytest.raises(ValidationError) as invalid:
        _rule(**fields)

    # then the field is named and no rule exists
    assert field in invalid.value.message_dict
    assert not AccessRule.objects.exists()


def test_default_rules_let_users_run_and_everybody_read(alice: User, dana: User) -> None:
    # given a fresh installation's rules (the data migration, run twice: it is idempotent)
    default_rules_migration.create_default_rules(django_apps, None)
    default_rules_migration.create_default_rules(django_apps, None)
    anonymous = Identity(user=AnonymousUser(), address="198.51.100.4")

    def allowed(identity: Identity, operation: str, resource_type: str) -> bool:
        return access_check(
            identity=identity, operation=operation, resource_type=resource_type, resource_id="x"
        ).allowed

    # when / then
    assert sorted(AccessRule.objects.values_list("name", flat=True)) == [
        "Developers may deploy applications",
        "Everybody may read catalogue records and process descriptions",
        "Users may run applications and use their workspace",
    ]
    assert [
        allowed(anonymous, "read", "record"),
        allowed(anonymous, "read", "collection"),
        allowed(anonymous, "read", "process"),
        allowed(anonymous, "execute", "process"),
        allowed(anonymous, "read", "datastore"),
    ] == [True, True, True, False, False]
    assert [
        allowed(Identity(user=alice), "execute", "process"),
        allowed(Identity(user=alice), "read", "datastore"),
        allowed(Identity(user=alice), "deploy", "process"),
    ] == [True, True, False]
    assert [
        allowed(Identity(user=dana), operation, "process")
        for operation in ("deploy", "replace", "undeploy")
    ] == [True, True, True]


def test_default_rules_migration_reverses_by_name() -> None:
    # given the default rules and a rule an administrator added
    default_rules_migration.create_default_rules(django_apps, None)
    _rule(name="Partners may run ndvi", resource_pattern="ndvi")

    # when the migration is reversed
    default_rules_migration.remove_default_rules(django_apps, None)

    # then only the administrator's rule is left
    assert list(AccessRule.objects.values_list("name", flat=True)) == ["Partners may run ndvi"]
