"""Live job status over WebSocket: read-only, for the job's owner (and administrators)."""

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from apps.accounts.models import User
from apps.jobs.reporting import job_group, user_jobs_group
from apps.jobs.selectors import job_get_visible_to

CLOSE_NOT_ALLOWED = 4403


def _approved(user: Any) -> bool:
    return isinstance(user, User) and user.is_authenticated and user.is_approved


class JobStatusConsumer(AsyncJsonWebsocketConsumer):
    """`ws/jobs/<id>/`: the status of one job, pushed on every change."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        job_id = self.scope["url_route"]["kwargs"]["job_id"]
        visible = _approved(user) and await database_sync_to_async(job_get_visible_to)(
            job_id=job_id, user=user
        )
        if not visible:
            await self.close(code=CLOSE_NOT_ALLOWED)
            return
        self.group = job_group(job_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def job_status(self, message: dict[str, Any]) -> None:
        await self.send_json(message["job"])


class UserJobsConsumer(JobStatusConsumer):
    """`ws/jobs/`: every status change of the signed-in user's jobs."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if not _approved(user):
            await self.close(code=CLOSE_NOT_ALLOWED)
            return
        self.group = user_jobs_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
