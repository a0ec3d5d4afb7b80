"""The service page in Chromium: the map shows rendered tiles; the owner's controls work."""

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from apps.accounts.models import User
from apps.processes.demo import demo_holdings_create
from apps.webservices import services
from apps.webservices.models import Service
from apps.webservices.tests.conftest import SCENE
from tests.browser.test_modes import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TILES_SHOWN = """() => [...document.querySelectorAll('.service-tiles img')]
    .some(img => img.complete && img.naturalWidth === 256)"""


def test_the_owner_sees_the_tiles_and_manages_the_service(
    live_server: object, alice: User, make_user: Callable[..., User], page: Page
) -> None:
    demo_holdings_create()
    make_user("bob")
    services.service_create(owner=alice, title="Scene", files=[SCENE])
    sign_in(page, live_server.url, "alice")  # type: ignore[attr-defined]

    page.goto(f"{live_server.url}/services/alice/?f=html")  # type: ignore[attr-defined]
    page.click(".service-card a")
    expect(page.locator("#service-title")).to_have_text("Scene")
    page.wait_for_function(TILES_SHOWN)

    page.check("#service-public")
    expect(page.locator("#service-visibility")).to_have_text("public")
    page.fill("#share-username", "bob")
    page.click("#service-share button[type=submit]")
    expect(page.locator("#service-readers")).to_contain_text("bob")
    page.fill("#retitle-title", "Noord-Holland scene")
    page.click("#service-retitle button[type=submit]")
    expect(page.locator("#service-title")).to_have_text("Noord-Holland scene")

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#service-remove")
    expect(page).to_have_url(re.compile(r"/services/alice/\?f=html$"))
    expect(page.locator("#service-empty")).to_be_visible()
    assert not Service.objects.exists()
