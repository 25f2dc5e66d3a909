"""Register an API client (an electronic health record) that posts FHIR referrals for some units.

    python manage.py create_api_client "Apotti Kokkola" --unit <unit id> [--unit <unit id> ...]

Prints the client id and secret once (only a hash of the secret is stored). The client gets a token
with ``POST /o/token/`` (grant_type=client_credentials, HTTP Basic with the id and secret,
scope="referrals:write") and sends it as ``Authorization: Bearer <token>`` to /api/v1/fhir/.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hyte.accounts.services import api_client_create
from hyte.core.errors import DomainError


class Command(BaseCommand):
    help = "Register an API client that sends referrals for the given units (OAuth 2.0 client credentials)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--unit", action="append", required=True, help="a unit id; repeat for several")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            unit_ids = [uuid.UUID(value) for value in options["unit"]]
        except ValueError as exc:
            raise CommandError(f"Not a unit id: {exc}") from exc
        try:
            credentials = api_client_create(name=options["name"], unit_ids=unit_ids)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"client_id: {credentials.client_id}")
        self.stdout.write(f"client_secret: {credentials.client_secret}")
        self.stdout.write("Store the secret now: it is not shown again.")
