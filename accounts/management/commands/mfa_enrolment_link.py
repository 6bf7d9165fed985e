from django.core.management.base import BaseCommand, CommandError

from accounts import enrolment
from accounts.models import User


class Command(BaseCommand):
    help = (
        "Print a one-time link (valid 24 hours) with which a staff account sets up its first "
        "authenticator app. Send it to the account's owner; they open it signed in."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email: str, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No account has the address {email}.")
        path = enrolment.issue_link(user=user)
        self.stdout.write(enrolment.absolute_url(path))
