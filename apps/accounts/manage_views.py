"""Admin mode (§6.16.2): the list of users, approving sign-ups, modifying and deleting users."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from apps.accounts import selectors, services
from apps.accounts.forms import UserEditForm
from apps.accounts.models import Role, User
from apps.accounts.permissions import authenticated_user, page_access_required
from apps.ogc.errors import ApplicationError

administrator_required = page_access_required(
    lambda user: services.user_has_role(user, Role.ADMINISTRATOR),
    "Only administrators may manage users.",
)


@administrator_required
def user_list(request: HttpRequest) -> HttpResponse:
    pending_only = request.GET.get("tab") == "pending"
    search = request.GET.get("q", "").strip()
    users = selectors.user_list(pending_only=pending_only, search=search)
    page = Paginator(users, 25).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "pending_only": pending_only,
        "search": search,
        "pending_count": selectors.user_list(pending_only=True).count(),
        "all_count": selectors.user_list().count(),
    }
    return render(request, "accounts/manage/user_list.html", context)


@administrator_required
@require_POST
def user_approve(request: HttpRequest, username: str) -> HttpResponse:
    user = get_object_or_404(User, username=username)
    services.user_approve(user=user, approved_by=authenticated_user(request))
    messages.success(request, f"{username} is approved and has a workspace.")
    return redirect("manage:users")


@administrator_required
@require_POST
def user_set_active(request: HttpRequest, username: str) -> HttpResponse:
    user = get_object_or_404(User, username=username)
    activate = request.POST.get("active") == "1"
    if user == request.user and not activate:
        messages.error(request, "You cannot deactivate your own account.")
    else:
        services.user_update(user=user, is_active=activate)
        messages.success(request, f"{username} is {'active' if activate else 'deactivated'}.")
    return redirect("manage:users")


@administrator_required
def user_edit(request: HttpRequest, username: str) -> HttpResponse:
    user = get_object_or_404(User, username=username)
    initial = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "phone": user.phone,
        "roles": services.user_roles(user),
        "is_active": user.is_active,
    }
    form = UserEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if user == request.user and not form.cleaned_data["is_active"]:
            form.add_error("is_active", "You cannot deactivate your own account.")
        elif user == request.user and Role.ADMINISTRATOR not in form.cleaned_data["roles"]:
            # Another administrator has to do it, so that the platform always keeps one.
            form.add_error("roles", "You cannot remove your own Administrator role.")
        else:
            try:
                services.user_update(user=user, **form.cleaned_data)
            except ApplicationError as error:
                form.add_error(None, error.detail)
            except ValidationError as error:
                for field, field_errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, field_errors)
            else:
                messages.success(request, f"{username} is saved.")
                return redirect("manage:users")
    context = {"form": form, "subject": user, "is_self": user == request.user}
    return render(request, "accounts/manage/user_edit.html", context)


@administrator_required
def user_delete(request: HttpRequest, username: str) -> HttpResponse:
    user = get_object_or_404(User, username=username)
    if user == request.user:
        messages.error(request, "You cannot delete your own account.")
        return redirect("manage:users")
    if request.method == "POST":
        services.user_delete(user=user)
        messages.success(request, f"{username} and everything of theirs is deleted.")
        return redirect("manage:users")
    return render(request, "accounts/manage/user_delete.html", {"subject": user})
