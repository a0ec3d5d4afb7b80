"""The accounts API: the caller's profile and tokens, and user administration."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts import selectors, services
from apps.accounts.api.serializers import (
    TokenCreatedOutputSerializer,
    TokenCreateInputSerializer,
    TokenOutputSerializer,
    UserListOutputSerializer,
    UserOutputSerializer,
    UserUpdateInputSerializer,
    token_document,
)
from apps.accounts.models import ApiToken, User
from apps.accounts.permissions import IsAdministrator, IsApprovedUser, authenticated_user
from apps.ogc.errors import ApplicationError
from apps.ogc.paging import paginate


class MeApi(APIView):
    @extend_schema(responses=UserOutputSerializer, operation_id="accounts_me", tags=["accounts"])
    def get(self, request: Request) -> Response:
        return Response(UserOutputSerializer(request.user).data)


class TokenListApi(APIView):
    @extend_schema(
        responses=TokenOutputSerializer(many=True),
        operation_id="accounts_tokens_list",
        tags=["accounts"],
    )
    def get(self, request: Request) -> Response:
        tokens = selectors.api_token_list(user=authenticated_user(request))
        return Response({"tokens": [token_document(token) for token in tokens]})

    @extend_schema(
        request=TokenCreateInputSerializer,
        responses={201: TokenCreatedOutputSerializer},
        operation_id="accounts_tokens_create",
        tags=["accounts"],
    )
    def post(self, request: Request) -> Response:
        serializer = TokenCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, secret = services.api_token_create(
            user=authenticated_user(request), **serializer.validated_data
        )
        return Response(token_document(token, secret), status=status.HTTP_201_CREATED)


class TokenRevokeApi(APIView):
    @extend_schema(responses={204: None}, operation_id="accounts_tokens_revoke", tags=["accounts"])
    def delete(self, request: Request, token_id: int) -> Response:
        token = get_object_or_404(
            ApiToken, pk=token_id, user=authenticated_user(request), revoked_at__isnull=True
        )
        services.api_token_revoke(token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserListApi(APIView):
    permission_classes = [IsApprovedUser, IsAdministrator]

    @extend_schema(
        parameters=[
            OpenApiParameter("pending", bool, description="Only users waiting for approval."),
            OpenApiParameter("q", str, description="Part of a username or e-mail address."),
            OpenApiParameter("limit", int),
            OpenApiParameter("offset", int),
        ],
        responses=UserListOutputSerializer,
        operation_id="users_list",
        tags=["administration"],
    )
    def get(self, request: Request) -> Response:
        users = selectors.user_list(
            pending_only=request.query_params.get("pending", "").lower() in ("1", "true", "yes"),
            search=request.query_params.get("q", ""),
        )
        page = paginate(request, users, default_limit=50)
        return Response(
            {
                "users": UserOutputSerializer(page.items, many=True).data,
                "numberMatched": page.number_matched,
                "numberReturned": page.number_returned,
                "links": page.links,
            }
        )


class UserDetailApi(APIView):
    permission_classes = [IsApprovedUser, IsAdministrator]

    @extend_schema(
        responses=UserOutputSerializer, tags=["administration"], operation_id="users_retrieve"
    )
    def get(self, request: Request, username: str) -> Response:
        user = get_object_or_404(User, username=username)
        return Response(UserOutputSerializer(user).data)

    @extend_schema(
        request=UserUpdateInputSerializer,
        responses=UserOutputSerializer,
        operation_id="users_update",
        tags=["administration"],
    )
    def patch(self, request: Request, username: str) -> Response:
        user = get_object_or_404(User, username=username)
        serializer = UserUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if user == request.user and serializer.validated_data.get("is_active") is False:
            raise ApplicationError("You cannot deactivate your own account.", status=409)
        user = services.user_update(user=user, **serializer.validated_data)
        return Response(UserOutputSerializer(user).data)

    @extend_schema(responses={204: None}, operation_id="users_delete", tags=["administration"])
    def delete(self, request: Request, username: str) -> Response:
        user = get_object_or_404(User, username=username)
        if user == request.user:
            raise ApplicationError("You cannot delete your own account.", status=409)
        services.user_delete(user=user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserApproveApi(APIView):
    permission_classes = [IsApprovedUser, IsAdministrator]

    @extend_schema(
        request=None,
        responses=UserOutputSerializer,
        operation_id="users_approve",
        tags=["administration"],
    )
    def post(self, request: Request, username: str) -> Response:
        user = get_object_or_404(User, username=username)
        user = services.user_approve(user=user, approved_by=authenticated_user(request))
        return Response(UserOutputSerializer(user).data)
