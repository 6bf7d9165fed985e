"""Remind therapists before a verified credential expires, and tell them when it has.

Meant for a daily cron. Each reminder (30 days, 7 days, expired) goes at most
once per credential and expiry date: its CredentialReminder row and the
email's task row (directory/mail.py) are created in one transaction, so two
runs at once or a rerun never send it twice, and a mail outage only delays
it (the worker tries again). A run that was missed sends only the most
urgent reminder due (at 5 days left the 7-day one, not the 30-day one too).
"""

from datetime import date, timedelta

from django.core.management.base import BaseCommand
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from directory import notifications
from directory.models import Credential, CredentialReminder, VerificationEvent
from directory.services import record_event

Kind = CredentialReminder.Kind
REMINDER_DAYS = ((7, Kind.DAYS_7), (30, Kind.DAYS_30))


def due_reminder(credential: Credential, today: date) -> str | None:
    """The most urgent reminder due for this credential today, if any."""
    days_left = (credential.expires_on - today).days
    if days_left < 0:
        return Kind.EXPIRED
    for days, kind in REMINDER_DAYS:
        if days_left <= days:
            return kind
    return None


def has_later_renewal(credential: Credential, today: date) -> bool:
    """A newer verified credential of the same kind that outlives this one."""
    return (
        Credential.objects.filter(
            profile_id=credential.profile_id,
            kind=credential.kind,
            status=Credential.Status.VERIFIED,
            expires_on__gt=credential.expires_on,
        )
        .filter(Q(expires_on__gte=today))
        .exclude(pk=credential.pk)
        .exists()
    )


def candidates(today: date):
    """Verified credentials expiring within 30 days or already expired, whose
    expiry notice has not gone yet."""
    expiry_recorded = CredentialReminder.objects.filter(
        credential_id=OuterRef("pk"), kind=Kind.EXPIRED, expires_on=OuterRef("expires_on")
    )
    return (
        Credential.objects.filter(
            status=Credential.Status.VERIFIED,
            expires_on__isnull=False,
            expires_on__lte=today + timedelta(days=30),
        )
        .exclude(Exists(expiry_recorded))
        .select_related("profile__user")
        .order_by("expires_on", "id")
    )


def process(credential: Credential, today: date) -> str:
    """Send what is due for one credential; return what happened."""
    kind = due_reminder(credential, today)
    if kind is None:
        return "not_due"
    renewed = has_later_renewal(credential, today)
    if renewed and kind != Kind.EXPIRED:
        return "renewed"
    sent_before = CredentialReminder.objects.filter(
        credential=credential, kind=kind, expires_on=credential.expires_on
    ).exists()
    if sent_before:
        return "already_sent"
    try:
        with transaction.atomic():
            CredentialReminder.objects.create(credential=credential, kind=kind, expires_on=credential.expires_on)
            if kind == Kind.EXPIRED:
                record_event(
                    profile=credential.profile,
                    credential=credential,
                    action=VerificationEvent.Action.EXPIRED,
                    note=f"Expired on {credential.expires_on:%Y-%m-%d}.",
                )
                if renewed:
                    return "renewed"
            notifications.send_expiry_reminder(credential, kind=kind)
    except IntegrityError:
        return "already_sent"
    return "sent"


class Command(BaseCommand):
    help = "Email reminders 30 and 7 days before a verified credential expires, and a notice once it has."

    def handle(self, *args, **options):
        today = timezone.localdate()
        counts: dict[str, int] = {}
        for credential in candidates(today):
            outcome = process(credential, today)
            counts[outcome] = counts.get(outcome, 0) + 1
        self.stdout.write(f"Reminders queued: {counts.get('sent', 0)}.")
