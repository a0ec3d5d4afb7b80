"""`python manage.py load_processes DIR`: deploy every application package in a folder.

Idempotent: a package whose process already runs exactly that package is left alone,
a changed one replaces it, a new one is deployed. Each file's outcome is printed, and
files that are not valid packages are listed with their problems (the others still load).
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.accounts.models import Role, User
from apps.processes.loading import LoadOutcome, packages_load


class Command(BaseCommand):
    help = "Deploy every application package (JSON, YAML or CWL) found in a folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path)
        parser.add_argument(
            "--owner",
            help="The developer who owns the processes (default: the first administrator).",
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish what is deployed or changed, as an administrator's review would.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        folder: Path = options["folder"]
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder.")
        owner = self._owner(options.get("owner"))
        outcomes = packages_load(folder, owner=owner, publish=options["publish"])
        for outcome in outcomes:
            self._report(outcome)
        failed = sum(outcome.action == "invalid" for outcome in outcomes)
        summary = ", ".join(
            f"{sum(outcome.action == action for outcome in outcomes)} {action}"
            for action in ("deployed", "updated", "unchanged", "invalid")
        )
        self.stdout.write(summary)
        if failed:
            raise CommandError(f"{failed} file(s) could not be deployed.")

    def _owner(self, username: str | None) -> User:
        if username:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"There is no user {username!r}.")
            return user
        administrator = User.objects.filter(groups__name=Role.ADMINISTRATOR).order_by("pk").first()
        if administrator is None:
            raise CommandError("There is no administrator; name the owner with --owner.")
        return administrator

    def _report(self, outcome: LoadOutcome) -> None:
        line = f"{outcome.action:>9}  {outcome.path.name}"
        if outcome.identifier:
            line += f" → {outcome.identifier}"
        if outcome.action == "invalid":
            self.stderr.write(self.style.ERROR(line))
            for problem in outcome.problems:
                self.stderr.write(f"           - {problem}")
        else:
            self.stdout.write(line)
