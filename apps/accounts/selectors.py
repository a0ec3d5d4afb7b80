from django.db.models import QuerySet

from apps.accounts.models import ApiToken, User


def user_list(*, pending_only: bool = False, search: str = "") -> QuerySet[User]:
    users = User.objects.prefetch_related("groups").order_by("is_approved", "username")
    if pending_only:
        users = users.filter(is_approved=False)
    if search:
        users = users.filter(username__icontains=search) | users.filter(email__icontains=search)
    return users


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True)
