"""A user runs applications from their pages and watches the jobs live (§21.1.2)."""

import re

import pytest
from playwright.sync_api import Page, expect

from apps.accounts.models import User
from apps.jobs.models import Job, JobStatus
from apps.processes.demo import demo_holdings_create
from apps.processes.services import processes_sync_builtins
from tests.browser.test_modes import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("celery_worker_process", "default_access_rules"),
]


def _progress(page: Page) -> int:
    return int(page.locator("#job-live .progress").get_attribute("aria-valuenow") or 0)


def test_countdown_progress_live_then_cancel(asgi_server: str, alice: User, page: Page) -> None:
    # given alice on the countdown page
    processes_sync_builtins()
    sign_in(page, asgi_server, "alice")
    page.goto(f"{asgi_server}/ogcapi/processes/countdown?f=html")

    # when she runs it for 20 seconds from the form
    page.fill("#input-seconds", "20")
    page.click("#execute-submit")

    # then the job page shows the progress advancing without a reload
    expect(page).to_have_url(re.compile(r"/ogcapi/jobs/[0-9a-f-]+\?f=html$"))
    page.evaluate("window.__notReloaded = true")
    expect(page.locator("#job-status")).to_have_text("running", timeout=15_000)
    expect(page.locator("#job-progress-bar")).not_to_have_text("0%", timeout=15_000)
    first = _progress(page)
    page.wait_for_function(
        f"parseInt(document.getElementById('job-progress-bar').style.width) > {first}",
        timeout=15_000,
    )
    assert page.evaluate("window.__notReloaded") is True

    # and cancelling dismisses it
    page.click("#job-cancel")
    expect(page.locator("#job-status")).to_have_text("dismissed")
    assert Job.objects.get().status == JobStatus.DISMISSED

    # and running it again starts a new job with the same request
    first_url = page.url
    page.click("#job-rerun")
    page.wait_for_url(lambda url: url != first_url and "/ogcapi/jobs/" in url)
    expect(page.locator("#job-status")).to_have_text("running", timeout=15_000)
    newest = Job.objects.order_by("-created").first()
    assert newest is not None
    assert newest.inputs == {"seconds": 20}
    assert Job.objects.count() == 2


def test_ndvi_result_downloads_with_a_preview(asgi_server: str, alice: User, page: Page) -> None:
    processes_sync_builtins()
    demo_holdings_create()
    sign_in(page, asgi_server, "alice")
    page.goto(f"{asgi_server}/ogcapi/processes/ndvi?f=html")

    page.fill("#input-image", "holdings/demo/sentinel2-l2a-demo.tif")
    page.click("#execute-submit")

    expect(page.locator("#job-status")).to_have_text("successful", timeout=30_000)
    preview = page.locator("#job-results img.job-preview-image")
    expect(preview).to_be_visible()
    page.wait_for_function(
        "document.querySelector('#job-results img.job-preview-image').naturalWidth > 0"
    )
    ndvi = page.locator("#job-results li", has_text="ndvi:")
    link = ndvi.locator("a", has_text="download")
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == "ndvi.tif"
    with open(download.path(), "rb") as file:
        assert file.read(4) == b"II*\x00"


def test_job_table_follows_jobs_and_cancels(asgi_server: str, alice: User, page: Page) -> None:
    processes_sync_builtins()
    sign_in(page, asgi_server, "alice")
    page.goto(f"{asgi_server}/ogcapi/processes/countdown?f=html")
    page.fill("#input-seconds", "20")
    page.click("#execute-submit")
    expect(page.locator("#job-status")).to_have_text("running", timeout=15_000)

    page.goto(f"{asgi_server}/ogcapi/jobs?f=html")
    row = page.locator("#job-table tbody tr").first
    before = int(row.locator(".progress").get_attribute("aria-valuenow") or 0)
    expect(row.locator(".progress")).not_to_have_attribute(
        "aria-valuenow", str(before), timeout=10_000
    )
    row.locator("[data-dismiss-job]").click()

    expect(row.locator(".badge")).to_have_text("dismissed")
    assert Job.objects.get().status == JobStatus.DISMISSED


def test_clip_box_drawn_on_the_map(asgi_server: str, alice: User, page: Page) -> None:
    # given the clip form, whose bbox input has a map under it
    processes_sync_builtins()
    demo_holdings_create()
    sign_in(page, asgi_server, "alice")
    page.goto(f"{asgi_server}/ogcapi/processes/clip-raster?f=html")
    page.fill("#input-image", "holdings/demo/sentinel2-l2a-demo.tif")

    # when alice drags a box on the map
    box = page.locator("#input-bbox-map").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.4)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.6, steps=5)
    page.mouse.up()

    # then the input holds the box (west < east, south < north) and the clip succeeds
    west, south, east, north = map(float, page.input_value("#input-bbox").split(","))
    assert west < east
    assert south < north
    page.click("#execute-submit")
    expect(page.locator("#job-status")).to_have_text("successful", timeout=30_000)
    (job,) = Job.objects.all()
    assert job.inputs["bbox"]["bbox"] == pytest.approx([west, south, east, north])
