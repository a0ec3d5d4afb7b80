"""The app store API (§6.8): a developer's applications, submission and review."""

from dataclasses import asdict
from typing import Any

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.models import Role
from apps.accounts.permissions import IsAdministrator, IsApprovedUser, authenticated_user
from apps.accounts.services import user_has_role
from apps.ogc.errors import NotFoundError
from apps.ogc.links import absolute_url
from apps.processes import services
from apps.processes.models import Process, ProcessRevision
from apps.processes.packages import package_review
from apps.processes.selectors import (
    process_statistics,
    processes_awaiting_review,
    processes_of_developer,
)


def _revision_document(revision: ProcessRevision) -> dict[str, Any]:
    return {
        "number": revision.number,
        "version": revision.version,
        "state": revision.state,
        "created": revision.created_at.isoformat(),
        "reviewed": revision.reviewed_at.isoformat() if revision.reviewed_at else None,
        "rejectionReason": revision.rejection_reason or None,
    }


def application_document(request: Request, process: Process) -> dict[str, Any]:
    """One application as its developer and reviewers see it."""
    revisions = sorted(process.revisions.all(), key=lambda revision: -revision.number)
    pending = services.pending_revision_among(revisions)
    return {
        "id": process.identifier,
        "title": process.title,
        "version": process.version,
        "state": process.state,
        "owner": process.owner.username if process.owner else None,
        "executionUnitType": process.execution_unit_type,
        "rejectionReason": process.rejection_reason or None,
        "submitted": process.submitted_at.isoformat() if process.submitted_at else None,
        "pendingRevision": _revision_document(pending) if pending else None,
        "revisions": [_revision_document(revision) for revision in revisions],
        "links": [
            {
                "rel": "describedBy",
                "href": absolute_url(request, f"/ogcapi/processes/{process.identifier}"),
                "type": "application/json",
            },
            {
                "rel": "self",
                "href": absolute_url(request, f"/api/apps/{process.identifier}"),
                "type": "application/json",
            },
        ],
    }


def _application_or_404(request: Request, process_id: str) -> Process:
    """An application its owner or an administrator may manage."""
    user = authenticated_user(request)
    process = Process.objects.filter(identifier=process_id).select_related("owner").first()
    if process is None or not process.is_deployed:
        raise NotFoundError(f"There is no application {process_id!r}.")
    if process.owner_id != user.pk and not user_has_role(user, Role.ADMINISTRATOR):
        raise NotFoundError(f"There is no application {process_id!r}.")
    return process


class ApplicationListApi(APIView):
    permission_classes = [IsApprovedUser]

    @extend_schema(
        operation_id="myApplications",
        responses={200: OpenApiResponse(description="The caller's applications.")},
        tags=["app store"],
    )
    def get(self, request: Request) -> Response:
        user = authenticated_user(request)
        applications = [
            application_document(request, process) for process in processes_of_developer(user)
        ]
        return Response({"applications": applications})


class ApplicationDetailApi(APIView):
    permission_classes = [IsApprovedUser]

    @extend_schema(
        operation_id="application",
        responses={200: OpenApiResponse(description="The application, its revisions and review.")},
        tags=["app store"],
    )
    def get(self, request: Request, process_id: str) -> Response:
        process = _application_or_404(request, process_id)
        document = application_document(request, process)
        under_review = services.process_under_review(process)
        if under_review is not None:
            document["review"] = [
                asdict(check)
                for check in package_review(under_review.description, under_review.execution_unit)
            ]
        return Response(document)


class ApplicationActionApi(APIView):
    """`POST /api/apps/{id}/{action}`: submit, withdraw, publish or reject (with a reason)."""

    permission_classes = [IsApprovedUser]

    @extend_schema(
        operation_id="applicationAction",
        responses={
            200: OpenApiResponse(description="The application after the action."),
            403: OpenApiResponse(description="Not allowed to do this."),
            409: OpenApiResponse(description="The action does not fit its state."),
        },
        tags=["app store"],
    )
    def post(self, request: Request, process_id: str, action: str) -> HttpResponse:
        user = authenticated_user(request)
        process = _application_or_404(request, process_id)
        if action == "submit":
            services.process_submit(user=user, process=process)
        elif action == "withdraw":
            services.process_withdraw(user=user, process=process)
        elif action == "publish":
            services.process_publish(user=user, process=process)
        elif action == "reject":
            reason = request.data.get("reason", "") if isinstance(request.data, dict) else ""
            services.process_reject(user=user, process=process, reason=str(reason))
        else:
            raise NotFoundError(f"There is no action {action!r}.")
        process.refresh_from_db()
        return Response(application_document(request, process))


class ApplicationStatisticsApi(APIView):
    permission_classes = [IsApprovedUser]

    @extend_schema(
        operation_id="applicationStatistics",
        responses={200: OpenApiResponse(description="Runs, users, success rate, durations.")},
        tags=["app store"],
    )
    def get(self, request: Request, process_id: str) -> Response:
        process = _application_or_404(request, process_id)
        statistics = process_statistics(process)
        return Response(
            {
                "id": process.identifier,
                "runs": statistics.runs,
                "users": statistics.users,
                "successful": statistics.successful,
                "failed": statistics.failed,
                "successRate": statistics.success_rate,
                "meanSeconds": statistics.mean_seconds,
                "p95Seconds": statistics.p95_seconds,
                "weeks": statistics.weeks,
            }
        )


class ReviewQueueApi(APIView):
    permission_classes = [IsAdministrator]

    @extend_schema(
        operation_id="reviewQueue",
        responses={200: OpenApiResponse(description="Applications waiting for review.")},
        tags=["app store"],
    )
    def get(self, request: Request) -> Response:
        queue = [application_document(request, process) for process in processes_awaiting_review()]
        return Response({"applications": queue})
