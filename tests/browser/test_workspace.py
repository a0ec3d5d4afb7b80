"""From an uploaded file to a public map service, in Chromium (§9.1, §9.5, §9.6, §19.11)."""

import re
from collections.abc import Callable

import numpy as np
import pytest
from playwright.sync_api import Browser, Dialog, Page, expect
from rasterio.io import MemoryFile

from apps.accounts.models import User
from apps.processes.demo import demo_holdings_create
from apps.processes.services import processes_sync_builtins
from apps.workspaces.models import Workspace
from apps.workspaces.services import workspace_quota_set
from apps.workspaces.storage import platform_storage
from tests.browser.test_modes import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("celery_worker_process", "default_access_rules"),
]


def _answer(text: str) -> Callable[[Dialog], None]:
    return lambda dialog: dialog.accept(text)


def _not_blank(png: bytes) -> bool:
    with MemoryFile(png) as memory, memory.open() as image:
        pixels = image.read()
    return bool(np.std(pixels[:3].astype(float)) > 5)


@pytest.mark.filterwarnings("ignore::rasterio.errors.NotGeoreferencedWarning")
def test_upload_run_ndvi_publish_and_share_a_map(
    asgi_server: str, alice: User, make_user: Callable[..., User], browser: Browser, page: Page
) -> None:
    processes_sync_builtins()
    [scene, *_rest] = demo_holdings_create()
    platform_storage().delete(f"users/alice/workspace/{scene.name}")  # from an earlier run
    workspace_quota_set(workspace=Workspace.objects.get(owner=alice), quota_bytes=2_000_000)
    sign_in(page, asgi_server, "alice")

    # alice uploads the demo GeoTIFF and the quota bar moves
    page.goto(f"{asgi_server}/workspace/")
    expect(page.locator("#quota-text")).to_contain_text("of 2.0 MB used (0.0%)")
    page.set_input_files("#upload-files", str(scene))
    row = page.locator("#workspace-entries tr", has_text=scene.name)
    expect(row).to_be_visible()
    expect(page.locator("#quota-text")).not_to_contain_text("(0.0%)")
    assert float(page.locator("#quota-progress").get_attribute("aria-valuenow") or 0) > 0

    # runs NDVI on it from the file's menu
    row.locator(".entry-select").check()
    page.click("#run-selected")
    page.click(".run-process[data-process='ndvi']")
    expect(page.locator("#input-image")).to_have_value(f"workspace/{scene.name}")
    page.click("#execute-submit")
    expect(page.locator("#job-status")).to_have_text("successful", timeout=60_000)
    job_id = page.locator("#job-live").get_attribute("data-job-id")

    # exposes the result as a web service from the job's folder in her workspace
    page.goto(f"{asgi_server}/workspace/jobs/{job_id}")
    page.locator("#workspace-entries tr", has_text="ndvi.tif").locator(".entry-select").check()
    page.once("dialog", _answer("NDVI of the demo fields"))
    page.click("#expose-selected")
    expect(page.locator("#service-title")).to_have_text("NDVI of the demo fields")
    service_url = page.url

    # makes it public; the map preview shows rendered tiles
    page.check("#service-public")
    expect(page.locator("#service-visibility")).to_have_text("public")
    tiles = page.locator("#service-map img.leaflet-tile-loaded[src*='/map/tiles/']")
    expect(tiles.first).to_be_visible(timeout=20_000)
    assert _not_blank(page.locator("#service-map").screenshot())

    # bob opens the public service, but not alice's workspace
    make_user("bob")
    context = browser.new_context()
    bob_page = context.new_page()
    sign_in(bob_page, asgi_server, "bob")
    bob_page.goto(service_url)
    expect(bob_page.locator("#service-title")).to_have_text("NDVI of the demo fields")
    expect(bob_page.locator("#service-manage")).to_have_count(0)
    listing = bob_page.request.get(f"{asgi_server}/api/workspace/files/shared/alice/")
    assert listing.status == 404
    bob_page.goto(f"{asgi_server}/workspace/")
    expect(bob_page.locator("#workspace-entries")).not_to_contain_text(scene.name)
    expect(bob_page).to_have_url(re.compile(r"/workspace/$"))
    context.close()
