"""Delete enquiries older than the retention period (settings.ENQUIRY_RETENTION_DAYS)."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from directory.models import Enquiry


class Command(BaseCommand):
    help = "Delete patients' enquiries older than ENQUIRY_RETENTION_DAYS (90 by default)."

    def handle(self, *args, **options):
        cutoff = timezone.now() - timedelta(days=settings.ENQUIRY_RETENTION_DAYS)
        deleted, _ = Enquiry.objects.filter(created_at__lt=cutoff).delete()
        self.stdout.write(f"Deleted {deleted} enquiries older than {settings.ENQUIRY_RETENTION_DAYS} days.")
