"""WebSocket routes, collected from the apps that push live updates."""

from apps.notifications.routing import websocket_urlpatterns as notification_patterns

websocket_urlpatterns = [*notification_patterns]
