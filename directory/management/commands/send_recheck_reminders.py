"""Tell people about due re-checks. Meant for a daily cron, beside send_expiry_reminders.

- Reviewers get the list of licences and registrations due (or overdue) for a
  re-check at their source, oldest first.
- Superusers get a digest of those within 7 days of the 30-day cutoff, after
  which a credential stops counting and the listing may pause.
- A therapist hears once, 14 days before an overdue re-check would pause their
  listing (a CredentialReminder row, written before the email, keeps it to once).

The emails name therapists and credential kinds only: never notes or evidence.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from directory import notifications
from directory.models import CredentialReminder
from directory.permissions import REVIEW_PERMISSION
from directory.services import rechecks_due

DIGEST_DAYS = 7
THERAPIST_NOTICE_DAYS = 14


def reviewers():
    User = get_user_model()
    app_label, codename = REVIEW_PERMISSION.split(".")
    has_permission = Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label)
    return User.objects.filter(Q(is_superuser=True) | has_permission, is_active=True, is_staff=True).distinct()


def notify_therapist(credential) -> bool:
    """Once per credential and re-check date."""
    try:
        with transaction.atomic():
            CredentialReminder.objects.create(
                credential=credential, kind=CredentialReminder.Kind.RECHECK, expires_on=credential.recheck_due_on
            )
            if not notifications.send_recheck_notice(credential):
                raise IntegrityError("not sent")  # undo the record: the next run tries again
    except IntegrityError:
        return False
    return True


class Command(BaseCommand):
    help = "Email reviewers the re-checks due, superusers those near the cutoff, therapists 14 days before a pause."

    def handle(self, *args, **options):
        today = timezone.localdate()
        due = list(rechecks_due(today).select_related("profile__user"))
        near_cutoff = [c for c in due if today <= c.recheck_cutoff_on <= today + timedelta(days=DIGEST_DAYS)]
        people = list(reviewers())
        sent = 0
        if due:
            for person in people:
                sent += notifications.send_recheck_list(person, due, near_cutoff=False)
        if near_cutoff:
            for person in (p for p in people if p.is_superuser):
                sent += notifications.send_recheck_list(person, near_cutoff, near_cutoff=True)
        told = 0
        for credential in due:
            days_to_pause = (credential.recheck_cutoff_on - today).days
            if 0 <= days_to_pause <= THERAPIST_NOTICE_DAYS:
                told += notify_therapist(credential)
        self.stdout.write(f"Re-checks due: {len(due)}. Staff emails sent: {sent}. Therapists told: {told}.")
