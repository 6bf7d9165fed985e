"""Emails to therapists. They carry no health detail and no enquiry text.

The ``send_*`` functions queue an email in the caller's transaction
(directory/mail.py); the worker rebuilds it from the database with the
``build_*`` function of its kind (``BUILDERS``) and sends it.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from directory import mail


def _message(*, to: str, subject: str, template: str, context: dict, prefix: bool = True) -> EmailMessage:
    body = render_to_string(template, {"site_name": settings.SITE_NAME, **context})
    subject = f"[{settings.SITE_NAME}] {subject}" if prefix else subject
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to])


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def _credential(credential_id: int):
    from directory.models import Credential

    return Credential.objects.select_related("profile__user").filter(pk=credential_id).first()


def _profile(profile_id: int):
    from directory.models import Profile

    return Profile.objects.select_related("user").filter(pk=profile_id).first()


# Queued in the caller's transaction.


def send_decision(credential) -> None:
    mail.queue("decision", credential.pk, verified=credential.status == credential.Status.VERIFIED)


def send_suspension(profile, *, suspended: bool) -> None:
    mail.queue("suspension", profile.pk, suspended=suspended)


def send_expiry_reminder(credential, *, kind: str) -> None:
    """``kind`` is a ``CredentialReminder.Kind`` value."""
    mail.queue("expiry", credential.pk, reminder=kind, expires_on=credential.expires_on.isoformat())


def send_now_listed(profile) -> None:
    """The verification that made the profile visible: one email with its public address."""
    mail.queue("now_listed", profile.pk)


def send_enquiry_notice(enquiry) -> None:
    """Tell the therapist an enquiry is waiting. The email carries no patient name or message."""
    mail.queue("enquiry", enquiry.pk)


# Built by the worker when it sends.


def build_decision(credential_id: int, *, verified: bool):
    credential = _credential(credential_id)
    if credential is None:
        return None
    subject = "Your credential was verified" if verified else "Your credential needs attention"
    return _message(
        to=credential.profile.user.email,
        subject=subject,
        template="directory/email/decision.txt",
        context={"credential": credential, "verified": verified},
    )


def build_suspension(profile_id: int, *, suspended: bool):
    profile = _profile(profile_id)
    if profile is None:
        return None
    subject = "Your profile has been suspended" if suspended else "Your profile has been reinstated"
    return _message(
        to=profile.user.email,
        subject=subject,
        template="directory/email/suspension.txt",
        context={"profile": profile, "suspended": suspended},
    )


def build_expiry_reminder(credential_id: int, *, reminder: str, expires_on: str):
    """The email names only what the therapist entered (kind, issuer, jurisdiction, expiry date)."""
    credential = _credential(credential_id)
    if credential is None or credential.expires_on.isoformat() != expires_on:
        return None  # deleted, or renewed with a new date since: this reminder no longer applies
    expired = reminder == "expired"
    days = (credential.expires_on - timezone.localdate()).days
    if expired:
        subject = "Your credential has expired"
    else:
        subject = f"Your credential expires on {credential.expires_on:%B} {credential.expires_on.day}"
    return _message(
        to=credential.profile.user.email,
        subject=subject,
        template="directory/email/expiry.txt",
        context={"credential": credential, "expired": expired, "days_left": max(days, 0)},
    )


def build_now_listed(profile_id: int):
    profile = _profile(profile_id)
    if profile is None:
        return None
    return _message(
        to=profile.user.email,
        subject="Patients can now find you",
        template="directory/email/now_listed.txt",
        context={"profile": profile, "profile_url": _absolute(profile.get_absolute_url())},
    )


def build_enquiry_notice(enquiry_id: int):
    from directory.models import Enquiry

    enquiry = Enquiry.objects.select_related("profile__user").filter(pk=enquiry_id).first()
    if enquiry is None:
        return None
    return _message(
        to=enquiry.profile.user.email,
        subject=f"New enquiry on {settings.SITE_NAME}",
        template="directory/enquiries/notification_email.txt",
        context={"profile": enquiry.profile, "inbox_url": _absolute(reverse("enquiry_list"))},
        prefix=False,
    )


def enquiry_notified(enquiry_id: int) -> None:
    from directory.models import Enquiry

    Enquiry.objects.filter(pk=enquiry_id).update(notified_at=timezone.now())


def build_account_mail(_object_id, **message):
    return mail.rendered(**message)


# kind: (build the message from ids, or None when it no longer applies; what to record once sent)
BUILDERS = {
    "decision": (build_decision, None),
    "suspension": (build_suspension, None),
    "expiry": (build_expiry_reminder, None),
    "now_listed": (build_now_listed, None),
    "enquiry": (build_enquiry_notice, enquiry_notified),
    "account": (build_account_mail, None),
}
