"""A small OpenID Connect provider on a local port, standing in for Keycloak in tests.

It speaks the endpoints a relying party uses in the authorization-code flow:
discovery, authorize (which signs the configured person in at once), token and userinfo.
"""

import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

from tests.fixtures import serving_in_thread


class OidcStandIn:
    def __init__(self, person: dict[str, Any]) -> None:
        self.person = person
        self.codes: dict[str, str] = {}
        self.access_tokens: set[str] = set()
        self.token_requests: list[dict[str, list[str]]] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base_url = f"http://127.0.0.1:{self.server.server_port}/realms/tep"

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.base_url,
            "authorization_endpoint": f"{self.base_url}/protocol/openid-connect/auth",
            "token_endpoint": f"{self.base_url}/protocol/openid-connect/token",
            "userinfo_endpoint": f"{self.base_url}/protocol/openid-connect/userinfo",
            "jwks_uri": f"{self.base_url}/protocol/openid-connect/certs",
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def _json(self, document: dict[str, Any], status: int = 200) -> None:
                body = json.dumps(document).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                url = urlparse(self.path)
                if url.path.endswith("/.well-known/openid-configuration"):
                    self._json(provider.discovery())
                elif url.path.endswith("/auth"):
                    query = parse_qs(url.query)
                    code = secrets.token_urlsafe(8)
                    provider.codes[code] = query["redirect_uri"][0]
                    target = (
                        query["redirect_uri"][0]
                        + "?"
                        + urlencode({"code": code, "state": query["state"][0]})
                    )
                    self.send_response(302)
                    self.send_header("Location", target)
                    self.end_headers()
                elif url.path.endswith("/userinfo"):
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    if token in provider.access_tokens:
                        self._json(provider.person)
                    else:
                        self._json({"error": "invalid_token"}, status=401)
                else:
                    self._json({"error": "not_found"}, status=404)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = parse_qs(self.rfile.read(length).decode())
                provider.token_requests.append(form)
                code = form.get("code", [""])[0]
                if code not in provider.codes:
                    self._json({"error": "invalid_grant"}, status=400)
                    return
                del provider.codes[code]
                access_token = secrets.token_urlsafe(16)
                provider.access_tokens.add(access_token)
                self._json(
                    {"access_token": access_token, "token_type": "Bearer", "expires_in": 300}
                )

        return Handler


@contextmanager
def running_oidc_provider(person: dict[str, Any]) -> Iterator[OidcStandIn]:
    provider = OidcStandIn(person)
    with serving_in_thread(provider.server):
        yield provider
