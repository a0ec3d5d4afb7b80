"""Signing in through the real pages shows the modes the user's roles allow (§21.1)."""

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from apps.accounts.models import User
from tests.fixtures import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    expect(page.locator("#account-menu")).to_contain_text(username)


def test_developer_sees_developer_mode(live_server, dana: User, page: Page) -> None:
    sign_in(page, live_server.url, "dana")

    expect(page.locator("#mode-developer")).to_be_visible()
    expect(page.locator("#mode-user")).to_be_visible()
    expect(page.locator("#mode-admin")).to_have_count(0)
    screenshots = Path(settings.VAR_DIR) / "screenshots"
    screenshots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(screenshots / "home-dana.png"), full_page=True)

    page.click("#mode-developer > a")
    page.click("text=Developer home")
    expect(page.locator("h1")).to_have_text("Developer mode")


def test_user_does_not_see_developer_mode(live_server, alice: User, page: Page) -> None:
    sign_in(page, live_server.url, "alice")

    expect(page.locator("#mode-user")).to_be_visible()
    expect(page.locator("#mode-developer")).to_have_count(0)
    expect(page.locator("#mode-admin")).to_have_count(0)


def test_administrator_sees_admin_mode_and_approves(
    live_server, administrator: User, make_user, page: Page
) -> None:
    make_user("paul", roles=(), approved=False)
    sign_in(page, live_server.url, administrator.username)

    page.click("#mode-admin > a")
    page.click("#mode-admin >> text=Users")
    page.click("text=Pending approval")
    page.click("#user-paul >> text=Approve")

    expect(page.locator(".alert-success")).to_contain_text("paul is approved")
    assert User.objects.get(username="paul").is_approved
