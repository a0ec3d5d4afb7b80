"""Fixtures of the `docker` unit tests (test_engine.py, test_kubernetes.py)."""

from pathlib import Path

import pytest
from pytest_django.fixtures import Settings

from apps.processes.tests.docker_packages import holdings_file


@pytest.fixture
def storage_root(settings: Settings, tmp_path: Path) -> Path:
    """The test's own storage, on the filesystem backend."""
    settings.STORAGE_ROOT = tmp_path / "storage"
    settings.STORAGE_BACKEND = "filesystem"
    settings.STORAGE_ROOT.mkdir()
    return Path(settings.STORAGE_ROOT)


@pytest.fixture
def scene(storage_root: Path) -> Path:
    """A Sentinel-2 scene in the holdings, for NDVI to read."""
    return holdings_file("s2/S2A_MSIL2A_scene.tif", b"scene")
