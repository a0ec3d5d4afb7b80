import pytest
from django.test import Client

from apps.accounts.models import User

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
    client = Client()
    if who:
        client.force_login(request.getfixturevalue(who))
    page = client.get("/")
    assert page.status_code == 200
    assert tuple(section in page.content for section in SECTIONS) == visible


def test_home_page_says_what_the_platform_offers(client: Client) -> None:
    page = client.get("/")
    for words in (b"Discover", b"Run", b"Publish", b"Bring your application"):
        assert words in page.content


def test_developer_page_for_developers_only(alice: User, dana: User) -> None:
    as_alice, as_dana = Client(), Client()
    as_alice.force_login(alice)
    as_dana.force_login(dana)
    assert as_alice.get("/developer/").status_code == 403
    assert b"Developer mode" in as_dana.get("/developer/").content


def test_sign_in_and_sign_up_pages_render(client: Client) -> None:
    sign_in = client.get("/accounts/login/")
    sign_up = client.get("/accounts/signup/")
    assert b'class="form-control' in sign_in.content
    assert b"TEP Marketplace" in sign_up.content
