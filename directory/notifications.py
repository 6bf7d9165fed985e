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


def send_enquiry_receipt(enquiry) -> None:
    """Tell a patient their enquiry reached the therapist, when they asked for a copy.

    Like the therapist's notice, the email carries no message text and no
    health detail: only the therapist's name, what happens next, and the
    therapist's usual reply time if they gave one.
    """
    mail.queue("enquiry_receipt", enquiry.pk)


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
        subject = f"Your credential expires on {credential.expires_on.day} {credential.expires_on:%B %Y}"
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


def _concern(concern_id: int):
    from directory.models import Concern

    return Concern.objects.select_related("profile").filter(pk=concern_id).first()


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
    mail.queue("concern_receipt", concern.pk)
    return True


def send_concern_outcome(concern) -> bool:
    if not concern.email:
        return False
    mail.queue("concern_outcome", concern.pk)
    return True


def send_recheck_list(to_user, credentials, *, near_cutoff: bool) -> bool:
    """Reviewers: the re-checks due. Superusers (near_cutoff): those about to stop counting."""
    mail.queue("recheck_list", to_user.pk, credential_ids=[c.pk for c in credentials], near_cutoff=near_cutoff)
    return True


def send_recheck_notice(credential) -> bool:
    """The therapist: their listing pauses if the re-check is not done by the cutoff."""
    mail.queue("recheck_notice", credential.pk)
    return True


def build_concern_receipt(concern_id: int):
    concern = _concern(concern_id)
    if concern is None or not concern.email:
        return None
    return _message(
        to=concern.email,
        subject="We received your concern",
        template="directory/email/concern_receipt.txt",
        context={"concern": concern},
    )


def build_concern_outcome(concern_id: int):
    concern = _concern(concern_id)
    if concern is None or not concern.email or concern.outcome not in CONCERN_OUTCOME_WORDS:
        return None
    return _message(
        to=concern.email,
        subject="We looked into your concern",
        template="directory/email/concern_outcome.txt",
        context={"concern": concern, "outcome": CONCERN_OUTCOME_WORDS[concern.outcome]},
    )


def build_recheck_list(user_id: int, *, credential_ids: list[int], near_cutoff: bool):
    from django.contrib.auth import get_user_model

    from directory.models import Credential

    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    credentials = list(Credential.objects.select_related("profile").filter(pk__in=credential_ids))
    if user is None or not credentials:
        return None
    count = len(credentials)
    subject = f"{count} re-check(s) within 7 days of the cutoff" if near_cutoff else f"{count} re-check(s) due"
    return _message(
        to=user.email,
        subject=subject,
        template="directory/email/recheck_list.txt",
        context={"credentials": credentials, "near_cutoff": near_cutoff, "queue_url": _absolute("/review/")},
    )


def build_recheck_notice(credential_id: int):
    credential = _credential(credential_id)
    if credential is None:
        return None
    return _message(
        to=credential.profile.user.email,
        subject="We need to re-check your licence or registration",
        template="directory/email/recheck_notice.txt",
        context={"credential": credential},
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


def build_enquiry_receipt(enquiry_id: int):
    from directory.models import Enquiry

    enquiry = Enquiry.objects.select_related("profile").filter(pk=enquiry_id).first()
    if enquiry is None:
        return None
    profile = enquiry.profile
    return _message(
        to=enquiry.email,
        subject=f"Your message to {profile.display_name} was passed on",
        template="directory/email/enquiry_receipt.txt",
        context={
            "profile": profile,
            "profile_url": _absolute(profile.get_absolute_url()),
            "retention_days": settings.ENQUIRY_RETENTION_DAYS,
        },
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
    "enquiry_receipt": (build_enquiry_receipt, None),
    "account": (build_account_mail, None),
    "concern_receipt": (build_concern_receipt, None),
    "concern_outcome": (build_concern_outcome, None),
    "recheck_list": (build_recheck_list, None),
    "recheck_notice": (build_recheck_notice, None),
}
