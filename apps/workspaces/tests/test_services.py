"""Workspace life cycle: made on approval, removed with its owner, on either backend."""

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest

from apps.accounts.models import User
from apps.accounts.services import user_delete
from apps.workspaces.services import workspace_file_write
from apps.workspaces.storage import Storage
from apps.workspaces.tests.conftest import workspace_of

pytestmark = pytest.mark.django_db


def test_approval_makes_the_workspace_and_its_jobs_folder(
    make_user: Callable[..., User], storage: Storage
) -> None:
    paul = make_user("paul")

    assert workspace_of(paul).used_bytes == 0
    assert storage.stat("users/paul/workspace/jobs/") is not None


def test_deleting_the_owner_removes_every_file(
    alice: User,
    storage: Storage,
    django_capture_on_commit_callbacks: Callable[..., AbstractContextManager[Any]],
) -> None:
    workspace_file_write(workspace=workspace_of(alice), path="a/b.txt", chunks=[b"x"], size=1)
    storage.write("users/alice/uploads/1/000000000000000-abcd", [b"part"])

    with django_capture_on_commit_callbacks(execute=True):
        user_delete(user=alice)

    assert list(storage.walk("users/alice/")) == []
    assert storage.stat("users/alice/workspace/") is None
