"""How our authentication classes appear in the OpenAPI document."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "apps.accounts.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token (tep_…) created under /accounts/tokens/.",
        }


class BasicScheme(OpenApiAuthenticationExtension):
    target_class = "apps.accounts.authentication.ThrottledBasicAuthentication"
    name = "basicAuth"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, Any]:
        return {"type": "http", "scheme": "basic"}


class CredentialsCookieScheme(OpenApiAuthenticationExtension):
    target_class = "apps.accounts.authentication.CredentialsCookieAuthentication"
    name = "credentialsCookie"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "CW_CREDENTIALS",
            "description": "Signed credentials from /auth/login; keys at /auth/keys.",
        }
