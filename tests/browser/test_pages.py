"""The portal's own pages load their styles and scripts without errors, on a desktop and a phone."""

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, Response, ViewportSize, expect

from apps.accounts.models import User
from tests.browser.test_modes import sign_in
from tests.fixtures import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"
PHONE = ViewportSize(width=390, height=844)


def watch(page: Page) -> list[str]:
    """Collect script errors and failed requests for the page's own resources."""
    problems: list[str] = []

    def on_response(response: Response) -> None:
        if response.status >= 400 and "/static/" in response.url:
            problems.append(f"{response.status} {response.url}")

    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("response", on_response)
    return problems


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_sign_in_and_sign_up_pages_look_like_the_portal(live_server, page: Page) -> None:
    problems = watch(page)

    page.goto(f"{live_server.url}/accounts/signup/")
    expect(page.locator("nav.navbar")).to_contain_text("TEP Marketplace")
    expect(page.locator("#id_email")).to_have_class("form-control")
    shoot(page, "signup")
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator("#id_login")).to_have_class("form-control")
    shoot(page, "login")
    page.goto(f"{live_server.url}/accounts/password/reset/")
    shoot(page, "password-reset")

    assert problems == []


def test_admin_pages_render_cleanly(
    live_server, administrator: User, make_user: Callable[..., User], page: Page
) -> None:
    make_user("paul", roles=(), approved=False, first_name="Paul", last_name="Pending")
    problems = watch(page)
    sign_in(page, live_server.url, administrator.username)

    page.goto(f"{live_server.url}/manage/users/")
    expect(page.locator("#user-paul")).to_contain_text("pending")
    shoot(page, "manage-users")
    page.goto(f"{live_server.url}/manage/users/paul/edit")
    shoot(page, "manage-user-edit")
    page.goto(f"{live_server.url}/manage/users/paul/delete")
    shoot(page, "manage-user-delete")
    page.goto(f"{live_server.url}/no-such-page/")
    expect(page.locator("h1")).to_have_text("Not Found")
    expect(page.locator(".error-status")).to_have_text("Error 404")
    shoot(page, "error-404")

    assert problems == []


def test_new_token_can_be_copied(live_server, alice: User, page: Page) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    problems = watch(page)
    sign_in(page, live_server.url, "alice")

    page.click("#account-menu")
    page.click("text=API tokens")
    page.fill("#id_name", "laptop")
    page.click("#token-create")
    secret = page.locator("#token-secret").input_value()
    page.click("#token-copy")

    expect(page.locator("#token-copy")).to_contain_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == secret
    expect(page.locator("#tokens tbody tr")).to_have_count(1)
    shoot(page, "tokens")
    assert problems == []


def test_unapproved_user_waits_on_the_pending_page(
    live_server, make_user: Callable[..., User], page: Page
) -> None:
    make_user("paul", roles=(), approved=False)
    sign_in(page, live_server.url, "paul")

    page.goto(f"{live_server.url}/developer/")

    expect(page).to_have_url(f"{live_server.url}/accounts/pending/")
    expect(page.locator("h1")).to_have_text("Waiting for approval")
    expect(page.locator("#mode-user")).to_have_count(0)
    shoot(page, "pending")
    page.click("#pending-sign-out")
    expect(page.locator("nav.navbar")).to_contain_text("Sign in")


def test_phone_menu_collapses_and_opens(browser: Browser, live_server, dana: User) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in_phone(page, live_server.url, "dana")
        expect(page.locator("#mode-developer")).to_be_hidden()

        page.click(".navbar-toggler")
        expect(page.locator("#main-nav")).to_have_class(re.compile(r"\bcollapse show\b"))

        expect(page.locator("#mode-developer")).to_be_visible()
        expect(page.locator("#mode-user")).to_be_visible()
        shoot(page, "home-dana-phone")
    finally:
        context.close()


def sign_in_phone(page: Page, base_url: str, username: str) -> None:
    """On a phone the account menu sits in the collapsed navbar, so check the greeting instead."""
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Welcome back")


def test_account_settings_pages_share_one_layout(live_server, alice: User, page: Page) -> None:
    problems = watch(page)
    sign_in(page, live_server.url, "alice")

    page.goto(f"{live_server.url}/accounts/email/")
    expect(page.locator(".list-group-item.active")).to_have_text("E-mail addresses")
    expect(page.locator("main")).to_contain_text("alice@example.org")
    shoot(page, "account-email")
    page.goto(f"{live_server.url}/accounts/password/change/")
    expect(page.locator(".list-group-item.active")).to_have_text("Password")
    expect(page.locator("#id_oldpassword")).to_have_class("form-control")

    assert problems == []
