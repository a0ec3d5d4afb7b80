from django.db.models import Q, QuerySet

from apps.accounts.models import Role, User
from apps.accounts.services import user_has_role
from apps.processes.models import Process, ProcessState


def process_list_visible_to(user: User | None) -> QuerySet[Process]:
    """Published processes, plus the caller's own; administrators see every process."""
    processes = Process.objects.all()
    if user is not None and user.is_authenticated:
        if user_has_role(user, Role.ADMINISTRATOR):
            return processes
        return processes.filter(Q(state=ProcessState.PUBLISHED) | Q(owner=user))
    return processes.filter(state=ProcessState.PUBLISHED)


def process_get_visible_to(*, identifier: str, user: User | None) -> Process | None:
    return process_list_visible_to(user).filter(identifier=identifier).first()
