from typing import Any

from rest_framework import serializers

from apps.accounts.models import ApiToken, Role, User
from apps.accounts.services import user_roles


class UserOutputSerializer(serializers.Serializer):
    username = serializers.CharField()
    firstName = serializers.CharField(source="first_name")
    lastName = serializers.CharField(source="last_name")
    email = serializers.EmailField()
    phone = serializers.CharField()
    roles = serializers.SerializerMethodField()
    isApproved = serializers.BooleanField(source="is_approved")
    isActive = serializers.BooleanField(source="is_active")
    dateJoined = serializers.DateTimeField(source="date_joined")
    approvedAt = serializers.DateTimeField(source="approved_at", allow_null=True)
    workspace = serializers.SerializerMethodField()

    def get_roles(self, user: User) -> list[str]:
        return user_roles(user)

    def get_workspace(self, user: User) -> dict[str, Any] | None:
        workspace = getattr(user, "workspace", None)
        if workspace is None:
            return None
        return {"quotaBytes": workspace.quota_bytes, "usedBytes": workspace.used_bytes}


class UserUpdateInputSerializer(serializers.Serializer):
    firstName = serializers.CharField(source="first_name", required=False, allow_blank=True)
    lastName = serializers.CharField(source="last_name", required=False, allow_blank=True)
    email = serializers.EmailField(required=False)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=32)
    isActive = serializers.BooleanField(source="is_active", required=False)
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.values), required=False
    )


class UserListOutputSerializer(serializers.Serializer):
    users = UserOutputSerializer(many=True)
    numberMatched = serializers.IntegerField()
    numberReturned = serializers.IntegerField()
    links = serializers.ListField(child=serializers.DictField())


class TokenOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    hint = serializers.CharField()
    createdAt = serializers.DateTimeField(source="created_at")
    lastUsedAt = serializers.DateTimeField(source="last_used_at", allow_null=True)
    expiresAt = serializers.DateTimeField(source="expires_at", allow_null=True)


class TokenCreateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    expiresAt = serializers.DateTimeField(source="expires_at", required=False, allow_null=True)


class TokenCreatedOutputSerializer(TokenOutputSerializer):
    token = serializers.CharField(help_text="The secret; shown this once only.")


def token_document(token: ApiToken, secret: str | None = None) -> dict[str, Any]:
    document = dict(TokenOutputSerializer(token).data)
    if secret is not None:
        document["token"] = secret
    return document
