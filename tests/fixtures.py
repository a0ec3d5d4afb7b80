"""Fixtures shared by every app's tests."""

from collections.abc import Callable, Iterator

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from apps.accounts.models import Role, User
from apps.accounts.services import user_approve, user_set_roles

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    """Throttle counters and revocations live in Redis; start every test clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    def make(
        username: str,
        *,
        roles: tuple[str, ...] = (Role.USER,),
        approved: bool = True,
        password: str = PASSWORD,
        **fields: str,
    ) -> User:
        user = User.objects.create_user(
            username=username,
            email=fields.pop("email", f"{username}@example.org"),
            password=password,
            **fields,
        )
        if approved:
            user = user_approve(user=user, approved_by=None)
        user_set_roles(user=user, roles=roles)
        return user

    return make


@pytest.fixture
def alice(make_user: Callable[..., User]) -> User:
    return make_user("alice", first_name="Alice", last_name="Liddell")


@pytest.fixture
def dana(make_user: Callable[..., User]) -> User:
    return make_user("dana", roles=(Role.USER, Role.DEVELOPER))


@pytest.fixture
def administrator(make_user: Callable[..., User]) -> User:
    return make_user("root-admin", roles=(Role.USER, Role.ADMINISTRATOR))


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()
