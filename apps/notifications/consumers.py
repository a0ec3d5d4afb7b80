"""Live push of a user's own notifications to their open pages."""

from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


class UserEventsConsumer(AsyncJsonWebsocketConsumer):
    """Read-only: joins the signed-in, approved user's group and relays what is sent to it."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_approved:
            await self.close(code=4401)
            return
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def event_notify(self, message: dict[str, Any]) -> None:
        await self.send_json(message["payload"])
