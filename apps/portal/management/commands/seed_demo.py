"""Load the demo data: safe to run again, it refreshes what is there."""

import os
from typing import Any

from django.core.management.base import BaseCommand

from apps.accounts.demo import demo_users_seed
from apps.accounts.services import user_roles
from apps.processes.demo import demo_holdings_create


class Command(BaseCommand):
    help = "Create demo accounts (password $DEMO_PASSWORD) and demo holdings for the processes."

    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get("DEMO_PASSWORD", "tep-demo-2026")
        users = demo_users_seed(password=password)
        for user in users:
            self.stdout.write(f"demo user {user.username}: {', '.join(user_roles(user))}")
        for path in demo_holdings_create():
            self.stdout.write(f"demo holding {path.name}")
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
