"""WebSocket routes, collected from the apps that push live updates."""

from apps.jobs.routing import websocket_urlpatterns as job_patterns
from apps.notifications.routing import websocket_urlpatterns as notification_patterns

websocket_urlpatterns = [*notification_patterns, *job_patterns]
