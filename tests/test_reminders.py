"""send_expiry_reminders: 30 and 7 days before a verified credential expires,
and once it has expired; never twice, and only the most urgent one due."""

from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from directory.models import Credential, CredentialReminder, VerificationEvent
from tests.factories import add_credential, days_from_today, make_listed_profile, make_profile
from tests.mail_helpers import run_tasks

pytestmark = pytest.mark.django_db
Kind = CredentialReminder.Kind


def run() -> str:
    """A day's run: the command queues the reminders, the worker sends them."""
    out = StringIO()
    call_command("send_expiry_reminders", stdout=out)
    run_tasks()
    return out.getvalue()


def licence_expiring_in(days: int, *, status=Credential.Status.VERIFIED, profile=None) -> Credential:
    profile = profile or make_profile()
    return add_credential(
        profile,
        Credential.Kind.LICENCE,
        status=status,
        issued_on=days_from_today(days - 700),
        expires_on=days_from_today(days),
    )


def sent_kinds(credential) -> set[str]:
    return set(credential.reminders.values_list("kind", flat=True))


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [
        (31, set()),
        (30, {Kind.DAYS_30}),
        (8, {Kind.DAYS_30}),
        (7, {Kind.DAYS_7}),
        (0, {Kind.DAYS_7}),
        (-1, {Kind.EXPIRED}),
    ],
)
def test_the_reminder_due_on_each_boundary_day(days_left, expected):
    credential = licence_expiring_in(days_left)
    run()
    assert sent_kinds(credential) == expected
    assert len(mail.outbox) == len(expected)


def test_running_again_sends_nothing_new():
    credentials = [licence_expiring_in(days) for days in (30, 7, -1)]
    assert "Reminders queued: 3." in run()
    assert len(mail.outbox) == 3
    for _ in range(3):
        assert "Reminders queued: 0." in run()
    assert len(mail.outbox) == 3
    assert CredentialReminder.objects.count() == 3
    assert sum(c.events.filter(action=VerificationEvent.Action.EXPIRED).count() for c in credentials) == 1


def test_reminders_follow_the_calendar_one_each_and_the_expired_notice_comes_the_day_after():
    credential = licence_expiring_in(30)
    expires_on = credential.expires_on
    for days_before in (30, 29, 8, 7, 6, 0):
        with mock.patch("django.utils.timezone.localdate", return_value=expires_on - timedelta(days=days_before)):
            run()
    assert sent_kinds(credential) == {Kind.DAYS_30, Kind.DAYS_7}
    with mock.patch("django.utils.timezone.localdate", return_value=expires_on):
        run()
    assert not credential.events.filter(action=VerificationEvent.Action.EXPIRED).exists()
    with mock.patch("django.utils.timezone.localdate", return_value=expires_on + timedelta(days=1)):
        run()
        run()
    assert sent_kinds(credential) == {Kind.DAYS_30, Kind.DAYS_7, Kind.EXPIRED}
    assert credential.events.filter(action=VerificationEvent.Action.EXPIRED).count() == 1
    assert len(mail.outbox) == 3


def test_a_missed_run_sends_only_the_most_urgent_reminder():
    credential = licence_expiring_in(5)
    run()
    assert sent_kinds(credential) == {Kind.DAYS_7}
    assert len(mail.outbox) == 1


def test_pending_rejected_and_withdrawn_credentials_get_no_reminder():
    for status in (Credential.Status.PENDING, Credential.Status.REJECTED, Credential.Status.WITHDRAWN):
        licence_expiring_in(7, status=status)
        licence_expiring_in(-1, status=status)
    assert "Reminders queued: 0." in run()
    assert mail.outbox == []
    assert not VerificationEvent.objects.filter(action=VerificationEvent.Action.EXPIRED).exists()


def test_the_email_says_what_expires_and_when_and_nothing_more():
    credential = licence_expiring_in(7)
    Credential.objects.filter(pk=credential.pk).update(internal_note="Reviewer-only remark")
    run()
    email = mail.outbox[0]
    assert email.to == [credential.profile.user.email]
    assert "expires" in email.subject
    assert credential.issuer in email.body
    assert "in 7 days" in email.body
    assert "Reviewer-only remark" not in email.body
    assert credential.identifier not in email.body


def test_the_expired_notice_says_it_expired():
    credential = licence_expiring_in(-1)
    run()
    assert "has expired" in mail.outbox[0].subject
    assert f"expired on {credential.expires_on:%-d %B %Y}" in mail.outbox[0].body


def test_a_verified_renewal_suppresses_the_old_credentials_reminders_and_expiry_notice():
    # The listed profile's licence, valid for a year, is the verified renewal of the old one.
    profile = make_listed_profile()
    old = licence_expiring_in(7, profile=profile)
    run()
    assert sent_kinds(old) == set()
    assert mail.outbox == []
    Credential.objects.filter(pk=old.pk).update(expires_on=timezone.localdate() - timedelta(days=1))
    run()
    run()
    assert mail.outbox == []
    assert old.events.filter(action=VerificationEvent.Action.EXPIRED).count() == 1


def test_a_renewal_still_waiting_for_review_does_not_suppress_the_reminder():
    profile = make_profile()
    old = licence_expiring_in(7, profile=profile)
    licence_expiring_in(400, profile=profile, status=Credential.Status.PENDING)
    run()
    assert sent_kinds(old) == {Kind.DAYS_7}


def test_a_mail_failure_is_retried_by_the_worker_and_the_next_run_queues_nothing_more():
    credential = licence_expiring_in(7)
    with mock.patch("tests.mail_helpers.OutsideRequestsOnlyBackend.send_messages", side_effect=OSError("down")):
        assert "Reminders queued: 1." in run()
    assert sent_kinds(credential) == {Kind.DAYS_7} and mail.outbox == []
    assert "Reminders queued: 0." in run()
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())  # the retry falls due
    run_tasks()
    assert len(mail.outbox) == 1


def test_a_new_expiry_date_gets_its_own_reminders():
    credential = licence_expiring_in(7)
    run()
    Credential.objects.filter(pk=credential.pk).update(expires_on=days_from_today(6))
    run()
    assert credential.reminders.count() == 2
    assert len(mail.outbox) == 2
