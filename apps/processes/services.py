from django.db import transaction

from apps.catalogue.registration import process_record_sync
from apps.processes.models import ExecutionUnitType, Process, ProcessState
from apps.processes.registry import BuiltinProcess, registered_processes


def _builtin_fields(builtin: BuiltinProcess) -> dict[str, object]:
    return {
        "version": builtin.version,
        "title": builtin.title,
        "description": builtin.description_document(),
        "execution_unit": {"type": ExecutionUnitType.BUILTIN, "function": builtin.id},
        "execution_unit_type": ExecutionUnitType.BUILTIN,
        "job_control_options": list(builtin.job_control_options),
        "state": ProcessState.PUBLISHED,
        "owner": None,
    }


@transaction.atomic
def processes_sync_builtins() -> list[Process]:
    """Make the process table match the registered built-ins (created or refreshed)."""
    synced = []
    for builtin in registered_processes().values():
        process, _created = Process.objects.update_or_create(
            identifier=builtin.id, defaults=_builtin_fields(builtin)
        )
        process_record_sync(process)
        synced.append(process)
    return synced
