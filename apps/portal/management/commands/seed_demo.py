"""Load the demo data: safe to run again, it refreshes what is there."""

import os
from typing import Any

from django.core.management.base import BaseCommand

from apps.accounts.demo import demo_users_seed
from apps.accounts.services import user_roles
from apps.catalogue.demo import demo_catalogue_seed
from apps.processes.demo import demo_applications_deploy, demo_holdings_create


class Command(BaseCommand):
    help = (
        "Create demo accounts (password $DEMO_PASSWORD), demo holdings for the processes "
        "and their catalogue records."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get("DEMO_PASSWORD", "tep-demo-2026")
        users = demo_users_seed(password=password)
        for user in users:
            self.stdout.write(f"demo user {user.username}: {', '.join(user_roles(user))}")
        for path in demo_holdings_create():
            self.stdout.write(f"demo holding {path.name}")
        for record in demo_catalogue_seed():
            self.stdout.write(f"demo catalogue record {record.title}")
        by_name = {user.username: user for user in users}
        for outcome in demo_applications_deploy(
            developer=by_name["dana"], administrator=by_name["admin"]
        ):
            self.stdout.write(f"demo application {outcome.identifier}: {outcome.action}")
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
