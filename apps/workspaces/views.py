"""The workspace file browser page (§9.1); everything it does goes through /api/workspace."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.accounts.models import User
from apps.processes.selectors import process_list_visible_to


def _file_processes(request: HttpRequest) -> list[dict[str, str]]:
    """The applications with a file input, for the browser's "Run on this file" menu."""
    runnable = []
    user = request.user if isinstance(request.user, User) else None
    for process in process_list_visible_to(user):
        for name, described in (process.description.get("inputs") or {}).items():
            schema = described.get("schema") or {}
            if schema.get("contentMediaType") or schema.get("contentEncoding") == "binary":
                runnable.append({"id": process.identifier, "title": process.title, "input": name})
                break
    return runnable


@login_required
def workspace_browser(request: HttpRequest, path: str = "") -> HttpResponse:
    return render(
        request,
        "workspaces/browser.html",
        {"initial_path": path.strip("/"), "processes": _file_processes(request)},
    )
