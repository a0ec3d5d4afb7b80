from collections.abc import Callable

import pytest
from django.test import Client

from apps.accounts.models import User
from tests.clients import session_client_of

pytestmark = pytest.mark.django_db

SECTIONS = (b'id="mode-user"', b'id="mode-developer"', b'id="mode-admin"')


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        (None, (False, False, False)),
        ("alice", (True, False, False)),
        ("dana", (True, True, False)),
        ("administrator", (True, True, True)),
    ],
)
def test_modes_follow_roles(request, who: str | None, visible: tuple[bool, ...]) -> None:
    # given
    client = session_client_of(request.getfixturevalue(who) if who else None)

    # when
    page = client.get("/")

    # then
    assert page.status_code == 200
    assert tuple(section in page.content for section in SECTIONS) == visible


def test_mode_sections_link_their_pages(administrator: User) -> None:
    page = session_client_of(administrator).get("/").content.decode()

    for href in (
        'href="/catalogue/"',
        'href="/ogcapi/processes?f=html"',
        'href="/ogcapi/jobs?f=html"',
        'href="/workspace/"',
        'href="/developer/#deploy"',
        'href="/manage/users/"',
        'href="/admin/accounts/accessrule/"',
        'href="/admin/"',
    ):
        assert href in page


def test_anonymous_visitor_is_offered_sign_in_and_sign_up(client: Client) -> None:
    page = client.get("/").content.decode()

    assert 'href="/accounts/login/"' in page
    assert 'href="/accounts/signup/"' in page
    assert 'id="account-menu"' not in page
    assert 'id="your-modes"' not in page


def test_signed_in_user_is_greeted_with_their_modes(dana: User) -> None:
    page = session_client_of(dana).get("/").content.decode()

    assert "Welcome back, dana" in page
    assert 'id="your-modes"' in page
    assert "User mode" in page
    assert "Developer mode" in page
    assert "Admin mode" not in page
    assert 'id="account-menu"' in page
    assert 'action="/accounts/logout/"' in page
    assert 'href="/accounts/tokens/"' in page


def test_home_page_says_what_the_platform_offers(client: Client) -> None:
    page = client.get("/")
    for words in (b"Discover", b"Run", b"Publish", b"Stay informed", b"Bring your application"):
        assert words in page.content


def test_footer_links_the_apis(client: Client) -> None:
    page = client.get("/").content.decode()
    for href in ('href="/api/docs"', 'href="/ogcapi/"', 'href="/auth/keys"'):
        assert href in page


@pytest.mark.parametrize(
    ("who", "expected"), [("alice", 403), ("dana", 200), ("administrator", 200)]
)
def test_developer_page_for_developers_only(request, who: str, expected: int) -> None:
    response = session_client_of(request.getfixturevalue(who)).get("/developer/")

    assert response.status_code == expected
    if expected == 200:
        assert b"Developer mode" in response.content
        for anchor in (b'id="applications"', b'id="deploy"', b'id="statistics"'):
            assert anchor in response.content


def test_developer_page_asks_anonymous_visitors_to_sign_in(client: Client) -> None:
    response = client.get("/developer/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/developer/"


@pytest.mark.parametrize("path", ["/", "/developer/", "/manage/users/"])
def test_unapproved_user_is_sent_to_the_waiting_page(
    make_user: Callable[..., User], path: str
) -> None:
    paul = make_user("paul", roles=(), approved=False)
    client = session_client_of(paul)

    response = client.get(path)
    waiting = client.get("/accounts/pending/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/pending/"
    assert waiting.status_code == 200
    assert b"Waiting for approval" in waiting.content
    assert b'id="pending-sign-out"' in waiting.content
    assert not any(section in waiting.content for section in SECTIONS)


def test_approved_user_leaves_the_waiting_page(alice: User) -> None:
    response = session_client_of(alice).get("/accounts/pending/")

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_sign_in_and_sign_up_pages_look_like_the_portal(client: Client) -> None:
    sign_in = client.get("/accounts/login/").content.decode()
    sign_up = client.get("/accounts/signup/").content.decode()

    assert 'class="form-control' in sign_in
    assert 'id="main-nav"' in sign_in
    assert "Sign In · TEP Marketplace" in " ".join(sign_in.split())
    assert 'class="form-control' in sign_up
    assert 'id="main-nav"' in sign_up


def test_error_pages_are_portal_pages(client: Client) -> None:
    response = client.get("/no-such-page/", HTTP_ACCEPT="text/html")

    page = response.content.decode()
    assert response.status_code == 404
    assert "Error 404" in page
    assert 'id="main-nav"' in page
    assert 'href="/"' in page
