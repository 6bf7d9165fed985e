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
        subject = f"Your credential expires on {credential.expires_on.day} {credential.expires_on:%B %Y}"
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


def send_now_listed(profile) -> bool:
    """The verification that made the profile visible: one email with its public address."""
    return _send(
        to=profile.user.email,
        subject="Patients can now find you",
        template="directory/email/now_listed.txt",
        context={"profile": profile, "profile_url": _absolute(profile.get_absolute_url())},
    )


# What a reporter is told about the outcome, in general words: never the reviewers' note.
CONCERN_OUTCOME_WORDS = {
    "no_action": "A reviewer looked into it and found no reason to change the listing.",
    "corrected": "A reviewer looked into it and the details on the listing were corrected.",
    "suspended": "A reviewer looked into it and the listing is no longer shown.",
}


def send_concern_receipt(concern) -> bool:
    """Only when the reporter left an address. No report text: the email says only that it arrived."""
    if not concern.email:
        return False
    return _send(
        to=concern.email,
        subject="We received your concern",
        template="directory/email/concern_receipt.txt",
        context={"concern": concern},
    )


def send_concern_outcome(concern) -> bool:
    if not concern.email:
        return False
    return _send(
        to=concern.email,
        subject="We looked into your concern",
        template="directory/email/concern_outcome.txt",
        context={"concern": concern, "outcome": CONCERN_OUTCOME_WORDS[concern.outcome]},
    )


def send_recheck_list(to: str, credentials, *, near_cutoff: bool) -> bool:
    """Reviewers: the re-checks due. Superusers (near_cutoff): those about to stop counting."""
    subject = (
        f"{len(credentials)} re-check(s) within {7} days of the cutoff"
        if near_cutoff
        else f"{len(credentials)} re-check(s) due"
    )
    return _send(
        to=to,
        subject=subject,
        template="directory/email/recheck_list.txt",
        context={"credentials": credentials, "near_cutoff": near_cutoff, "queue_url": _absolute("/review/")},
    )


def send_recheck_notice(credential) -> bool:
    """The therapist: their listing pauses if the re-check is not done by the cutoff."""
    return _send(
        to=credential.profile.user.email,
        subject="We need to re-check your licence or registration",
        template="directory/email/recheck_notice.txt",
        context={"credential": credential},
    )
