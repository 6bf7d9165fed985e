"""Emails to therapists. They carry no health detail and no enquiry text."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone

logger = logging.getLogger(__name__)


def _send(*, to: str, subject: str, template: str, context: dict) -> bool:
    body = render_to_string(template, {"site_name": settings.SITE_NAME, **context})
    try:
        send_mail(f"[{settings.SITE_NAME}] {subject}", body, settings.DEFAULT_FROM_EMAIL, [to])
    except Exception:
        # The decision is saved either way; a mail outage must not undo it.
        logger.exception("Could not send %s email", template)
        return False
    return True


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def send_decision(credential) -> bool:
    verified = credential.status == credential.Status.VERIFIED
    subject = "Your credential was verified" if verified else "Your credential needs attention"
    return _send(
        to=credential.profile.user.email,
        subject=subject,
        template="directory/email/decision.txt",
        context={"credential": credential, "verified": verified},
    )


def send_suspension(profile, *, suspended: bool) -> bool:
    subject = "Your profile has been suspended" if suspended else "Your profile has been reinstated"
    return _send(
        to=profile.user.email,
        subject=subject,
        template="directory/email/suspension.txt",
        context={"profile": profile, "suspended": suspended},
    )


def send_expiry_reminder(credential, *, kind: str) -> bool:
    """Tell the therapist a verified credential expires soon, or has expired.

    ``kind`` is a ``CredentialReminder.Kind`` value. The email names only what
    the therapist entered (kind, issuer, jurisdiction, expiry date).
    """
    expired = kind == "expired"
    days = (credential.expires_on - timezone.localdate()).days
    if expired:
        subject = "Your credential has expired"
    else:
        subject = f"Your credential expires on {credential.expires_on:%B} {credential.expires_on.day}"
    return _send(
        to=credential.profile.user.email,
        subject=subject,
        template="directory/email/expiry.txt",
        context={
            "credential": credential,
            "expired": expired,
            "days_left": max(days, 0),
        },
    )


def send_enquiry_receipt(enquiry) -> bool:
    """Tell a patient their enquiry reached the therapist, when they asked for a copy.

    Like the therapist's notice, the email carries no message text and no
    health detail: only the therapist's name, what happens next, and the
    therapist's usual reply time if they gave one.
    """
    profile = enquiry.profile
    return _send(
        to=enquiry.email,
        subject=f"Your message to {profile.display_name} was passed on",
        template="directory/email/enquiry_receipt.txt",
        context={
            "profile": profile,
            "profile_url": _absolute(profile.get_absolute_url()),
            "retention_days": settings.ENQUIRY_RETENTION_DAYS,
        },
    )


def send_now_listed(profile) -> bool:
    """The verification that made the profile visible: one email with its public address."""
    return _send(
        to=profile.user.email,
        subject="Patients can now find you",
        template="directory/email/now_listed.txt",
        context={"profile": profile, "profile_url": _absolute(profile.get_absolute_url())},
    )
