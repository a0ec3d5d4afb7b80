"""Demo accounts for `manage.py seed_demo`."""

from allauth.account.models import EmailAddress
from django.db import transaction

from apps.accounts.models import Role, User
from apps.accounts.services import user_approve, user_set_roles

DEMO_USERS: list[tuple[str, str, str, list[str]]] = [
    ("admin", "Ada", "Admin", [Role.USER, Role.ADMINISTRATOR]),
    ("dana", "Dana", "Developer", [Role.USER, Role.DEVELOPER]),
    ("alice", "Alice", "Analyst", [Role.USER]),
    ("bob", "Bob", "Builder", [Role.USER]),
]


@transaction.atomic
def demo_users_seed(*, password: str) -> list[User]:
    """Create or refresh the demo accounts: approved, with their roles and the password."""
    users = []
    for username, first_name, last_name, roles in DEMO_USERS:
        user, _created = User.objects.get_or_create(
            username=username,
            defaults={
                "email": f"{username}@tep.example",
                "first_name": first_name,
                "last_name": last_name,
            },
        )
        user.set_password(password)
        user.is_active = True
        user.is_superuser = Role.ADMINISTRATOR in roles
        user.save()
        _mark_email_verified(user)
        user = user_approve(user=user, approved_by=None)
        users.append(user_set_roles(user=user, roles=roles))
    return users


def _mark_email_verified(user: User) -> None:
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
