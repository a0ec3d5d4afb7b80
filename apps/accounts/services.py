import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import ApiToken, Role, User
from apps.ogc.errors import ApplicationError
from apps.workspaces import services as workspace_services

# Recording every use of a token would add a write to every API request.
TOKEN_USE_RECORD_INTERVAL = timedelta(minutes=1)


def roles_ensure() -> None:
    """Create the role groups if they are missing."""
    for role in Role:
        Group.objects.get_or_create(name=role.value)


ROLES_CACHE_ATTRIBUTE = "_cached_role_names"


def user_roles(user: User) -> list[str]:
    """The user's roles, in the order User, Developer, Administrator.

    Read once per loaded user object (a request's user is loaded afresh for each request):
    every permission check of a request asks again.
    """
    if not user.is_authenticated:
        return []
    cached = user.__dict__.get(ROLES_CACHE_ATTRIBUTE)
    if cached is None:
        cached = _roles_remember(user, {group.name for group in user.groups.all()})
    return list(cached)


def _roles_remember(user: User, group_names: Iterable[str]) -> list[str]:
    names = set(group_names)
    if user.is_superuser:
        names.add(Role.ADMINISTRATOR)
    roles = [role.value for role in Role if role.value in names]
    user.__dict__[ROLES_CACHE_ATTRIBUTE] = roles
    return roles


def user_has_role(user: User, role: Role) -> bool:
    return role.value in user_roles(user)


@transaction.atomic
def user_set_roles(*, user: User, roles: Iterable[str]) -> User:
    """Replace the user's roles; Administrators are staff so they reach /admin/."""
    wanted = set(roles)
    unknown = wanted - set(Role.values)
    if unknown:
        raise ApplicationError(f"Unknown role(s): {', '.join(sorted(unknown))}.")
    roles_ensure()
    user.groups.remove(*Group.objects.filter(name__in=Role.values).exclude(name__in=wanted))
    user.groups.add(*Group.objects.filter(name__in=wanted))
    user.is_staff = Role.ADMINISTRATOR in wanted or user.is_superuser
    user.save(update_fields=["is_staff"])
    user.__dict__.pop(ROLES_CACHE_ATTRIBUTE, None)
    return user


@transaction.atomic
def user_approve(*, user: User, approved_by: User | None) -> User:
    """Approve a sign-up: the user gets the User role and a workspace (§6.16.2)."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    if not locked.is_approved:
        locked.is_approved = True
        locked.approved_at = timezone.now()
        locked.approved_by = approved_by
        locked.save(update_fields=["is_approved", "approved_at", "approved_by"])
    if not user_roles(locked):
        user_set_roles(user=locked, roles=[Role.USER])
    workspace_services.workspace_create(owner=locked)
    return locked


def user_update(
    *,
    user: User,
    first_name: str | None = None,
    last_name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    is_active: bool | None = None,
    roles: Iterable[str] | None = None,
) -> User:
    """Change the given fields of a user; None leaves a field as it is."""
    changes = {
        "first_name": first_name,
        "last_name": last_name,
        "email": email,
        "phone": phone,
        "is_active": is_active,
    }
    fields = [name for name, value in changes.items() if value is not None]
    with transaction.atomic():
        for name in fields:
            setattr(user, name, changes[name])
        if fields:
            user.full_clean(exclude=["password"])
            user.save(update_fields=fields)
        if roles is not None:
            user_set_roles(user=user, roles=roles)
    return user


@transaction.atomic
def user_delete(*, user: User) -> None:
    """Delete a user and everything that is theirs: records cascade, files follow on commit."""
    workspace_services.workspace_remove_files(username=user.username)
    user.delete()


def api_token_create(
    *, user: User, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is shown this once only."""
    name = name.strip()
    if not name:
        raise ApplicationError("A token needs a name.")
    if ApiToken.objects.filter(user=user, name=name, revoked_at__isnull=True).exists():
        raise ApplicationError(f"You already have an active token named {name!r}.")
    secret = ApiToken.PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        digest=ApiToken.digest_of(secret),
        hint=secret[: len(ApiToken.PREFIX) + 6],
        expires_at=expires_at,
    )
    return token, secret


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db()
    return token


def _token_lookup_sql() -> str:
    """The token's user with their role names, in one statement: every API call runs it."""
    user_groups = User.groups.through._meta.db_table
    # Only table names are interpolated; the digest is a bound parameter.
    return f"""
        SELECT u.*, t.id AS token_id, t.expires_at AS token_expires_at,
               t.last_used_at AS token_last_used_at,
               ARRAY(SELECT g.name FROM {Group._meta.db_table} g
                     JOIN {user_groups} ug ON ug.group_id = g.id
                     WHERE ug.user_id = u.id) AS group_names
        FROM {ApiToken._meta.db_table} t JOIN {User._meta.db_table} u ON u.id = t.user_id
        WHERE t.digest = %s AND t.revoked_at IS NULL
    """  # noqa: S608


def api_token_authenticate(*, secret: str) -> User | None:
    """The active, approved-or-not user owning this token secret, or None."""
    found = list(User.objects.raw(_token_lookup_sql(), [ApiToken.digest_of(secret)]))
    if not found:
        return None
    user = found[0]
    now = timezone.now()
    expires_at, last_used_at = user.token_expires_at, user.token_last_used_at  # type: ignore[attr-defined]
    if (expires_at is not None and expires_at <= now) or not user.is_active:
        return None
    _roles_remember(user, user.group_names)  # type: ignore[attr-defined]
    if last_used_at is None or now - last_used_at > TOKEN_USE_RECORD_INTERVAL:
        ApiToken.objects.filter(pk=user.token_id).update(last_used_at=now)  # type: ignore[attr-defined]
    return user
