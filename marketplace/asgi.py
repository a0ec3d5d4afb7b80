"""ASGI entry point: HTTP through Django's WSGI handler in a thread pool, WebSocket through
Channels (see marketplace/http_bridge.py for why not Django's ASGI handler)."""

import os

import django
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings.dev")
django.setup(set_prefix=False)

from marketplace.http_bridge import ThreadPoolWsgiToAsgi  # noqa: E402

django_http_app = ThreadPoolWsgiToAsgi(WSGIHandler(), threads=settings.WEB_THREADS)

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from marketplace.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_http_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
