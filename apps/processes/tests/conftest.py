"""Fixtures of the `docker` unit tests (test_engine.py, test_kubernetes.py), and cwltool's
validations counted."""

from pathlib import Path
from typing import Any

import pytest
from pytest_django.fixtures import Settings

from apps.processes.cwl import loading as cwl_loading
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


@pytest.fixture
def cwl_validations(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The documents cwltool validates during the test, one entry per validation."""
    validated: list[object] = []
    validate = cwl_loading.load_tool

    def counted(document: Any, *arguments: Any, **options: Any) -> Any:
        validated.append(document)
        return validate(document, *arguments, **options)

    monkeypatch.setattr(cwl_loading, "load_tool", counted)
    return validated
