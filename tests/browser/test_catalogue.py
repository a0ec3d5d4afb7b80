"""A user finds data on the map and follows it to an application that runs on it (§5.2)."""

import re

import pytest
from playwright.sync_api import Page, expect

from apps.accounts.models import User
from apps.catalogue.demo import demo_catalogue_seed
from tests.browser.test_modes import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("default_access_rules"),
]


def _drag(page: Page, selector: str, start: tuple[float, float], end: tuple[float, float]) -> None:
    box = page.locator(selector).bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] * start[0], box["y"] + box["height"] * start[1])
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * end[0], box["y"] + box["height"] * end[1], steps=8)
    page.mouse.up()


def test_from_a_box_on_the_map_to_the_ndvi_form(live_server, alice: User, page: Page) -> None:
    demo_catalogue_seed()
    sign_in(page, live_server.url, "alice")

    # alice opens the catalogue from the menu
    page.click("#mode-user > a")
    page.click("text=Catalogue")
    expect(page.locator("h1")).to_have_text("Catalogue")
    expect(page.locator(".catalogue-result")).not_to_have_count(0)

    # zooms the map (once its script has run) to the Netherlands and draws a box over the demo area
    page.wait_for_function("window.tepCatalogue !== undefined")
    page.evaluate("window.tepCatalogue.map.setView([52.37, 4.88], 9, { animate: false })")
    _drag(page, "#catalogue-map", (0.40, 0.40), (0.60, 0.60))
    expect(page).to_have_url(re.compile(r"bbox="))
    titles = page.locator(".catalogue-result .record-title")
    expect(titles.filter(has_text="Sentinel-2 Level-2A")).to_have_count(1)
    expect(titles.filter(has_text="RADARSAT")).to_have_count(0)

    # keeps only data product collections
    page.check("#type-dataset")
    page.click("#search-submit")
    expect(page).to_have_url(re.compile(r"type=dataset"))
    expect(page.locator(".catalogue-result .record-type").filter(has_text="process")).to_have_count(
        0
    )

    # opens the Sentinel-2 record and follows an application that operates on it
    titles.filter(has_text="Sentinel-2 Level-2A").click()
    expect(page.locator("#record-title")).to_have_text("Sentinel-2 Level-2A surface reflectance")
    applications = page.locator("#record-applications")
    expect(applications).to_contain_text("NDVI")
    applications.locator(".run-application[data-process='ndvi']").click()

    # and lands on the NDVI execute form with the scene already filled in
    expect(page).to_have_url(re.compile(r"/ogcapi/processes/ndvi\?"))
    expect(page.locator("#input-image")).to_have_value("holdings/demo/sentinel2-l2a-demo.tif")
